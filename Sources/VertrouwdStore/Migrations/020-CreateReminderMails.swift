import Foundation
import FluentKit

/// 20: which counsellor was sent the day's reminders (`reminder_mails`): one mail a day, however
/// often the run starts and however many instances run it (the unique pair decides).
package struct CreateReminderMails: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("reminder_mails")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("on_day", .string, .required)
            .field("sent_at", .datetime, .required)
            .unique(on: "user_id", "on_day")
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("reminder_mails").delete()
    }
}
