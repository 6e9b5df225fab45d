import FluentKit
import Foundation
import VertrouwdCore

/// The counsellor's own professional development for the LVV register.
package final class DevelopmentEntry: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "development_entries"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "user_id") package var user: User
    @Field(key: "kind") package var kind: DevelopmentKind
    @Field(key: "on_day") package var onDay: Day
    @Field(key: "minutes") package var minutes: Int
    @Field(key: "description") package var description: String
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    package init() {}
}
