import Foundation
import FluentKit
import SQLKit

/// 23: how many times a case of the organisation was written (`organisations.cases_written`,
/// raised in the transaction that writes it, `Store.transaction`). What is worked out from an
/// organisation's cases and kept — its signals — compares it, so a case written on any instance
/// is seen on the next load of every other, and nothing else is read again.
package struct AddCasesWritten: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("organisations").field("cases_written", .int64, .required, .sql(.default(0)))
            .update()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("organisations").deleteField("cases_written").update()
    }
}
