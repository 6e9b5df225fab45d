import Foundation
import FluentKit

/// A logged-in staff member's session, in the database so it survives a restart and is seen by
/// every app instance. The row is keyed by the SHA-256 of the cookie's token: a copy of the
/// database cannot be replayed as a login.
package final class StaffSession: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "staff_sessions"

    // managed fields
    @ID(custom: "id", generatedBy: .user) package var id: String?

    // relationships
    @Parent(key: "user_id") package var user: User

    // data fields
    @Field(key: "csrf_token") package var csrfToken: String
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "last_seen_at") package var lastSeenAt: Date

    package init() {}

    package init(tokenHash: String, userID: UUID, now: Date) {
        self.id = tokenHash
        self.$user.id = userID
        self.csrfToken = Tokens.random()
        self.createdAt = now
        self.lastSeenAt = now
    }
}

package struct CreateStaffSessions: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("staff_sessions")
            .field("id", .string, .identifier(auto: false))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("staff_sessions").delete()
    }
}
