import Foundation
import FluentKit

/// 17: when an account's own enrolment was completed (`users.enrolled_at`), shown to the
/// counsellor and the admin: an account someone else set up shows a moment its owner does not
/// recognise. Accounts enrolled before this release leave it empty.
package struct AddEnrolledAt: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("users").field("enrolled_at", .datetime).update()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("users").deleteField("enrolled_at").update()
    }
}
