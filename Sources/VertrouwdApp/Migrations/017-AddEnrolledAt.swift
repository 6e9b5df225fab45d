import Fluent

/// 17: when an account's own enrolment was completed (`users.enrolled_at`), shown to the
/// counsellor and the admin: an account someone else set up shows a moment its owner does not
/// recognise. Accounts enrolled before this release leave it empty.
struct AddEnrolledAt: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("users").field("enrolled_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").deleteField("enrolled_at").update()
    }
}
