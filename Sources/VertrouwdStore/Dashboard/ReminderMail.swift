import Foundation
import FluentKit
import SQLKit
import VertrouwdCore

/// A day's reminder mail was sent to this counsellor (`reminder_mails`).
package final class ReminderMail: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "reminder_mails"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "user_id") package var user: User
    @Field(key: "on_day") package var onDay: Day
    @Field(key: "sent_at") package var sentAt: Date

    package init() {}
}
