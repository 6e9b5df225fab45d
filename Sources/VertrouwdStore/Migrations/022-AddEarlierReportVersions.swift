import Foundation
import FluentKit

/// 22: every version of a signed-off annual report that left, not only the last
/// (`annual_reports.earlier_snapshots`, a JSON array of the documents it replaced, oldest first).
/// A reader may hold all of them, so a re-sign is checked against each (docs/ANONYMITY.md, rule 9).
/// Reports re-signed before this release kept only their last version: their history starts there.
package struct AddEarlierReportVersions: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("annual_reports").field("earlier_snapshots", .string).update()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("annual_reports").deleteField("earlier_snapshots").update()
    }
}
