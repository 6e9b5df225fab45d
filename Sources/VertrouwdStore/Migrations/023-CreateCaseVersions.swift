import Foundation
import FluentKit
import SQLKit

/// 23: a version per organisation, written anew by every transaction that writes one of its
/// cases (`Store.transaction`). What is worked out from an organisation's cases and kept — its
/// signals — compares it, so a case written on any instance is seen on the next load of every
/// other. Its own table, so a case write never waits on the organisation's row (an admin editing
/// it holds that row and then waits on the audit chain a case write already holds), and a random
/// value rather than a count, so a restored backup cannot bring an old version back.
package struct CreateCaseVersions: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("organisation_case_versions")
            .field("organisation_id", .uuid, .identifier(auto: false))
            .field("version", .int64, .required)
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("organisation_case_versions").delete()
    }
}
