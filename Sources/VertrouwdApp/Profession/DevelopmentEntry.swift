import Fluent
import Foundation
import VertrouwdCore

/// The counsellor's own professional development for the LVV register.
final class DevelopmentEntry: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "development_entries"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "kind") var kind: DevelopmentKind
    @Field(key: "on_day") var onDay: Day
    @Field(key: "minutes") var minutes: Int
    @Field(key: "description") var description: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
