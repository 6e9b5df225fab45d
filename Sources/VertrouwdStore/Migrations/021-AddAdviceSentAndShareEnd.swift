import Foundation
import FluentKit
import SQLKit

/// 21: the day an advice was sent to management (`advice.sent_on`: its text is then what the
/// organisation has, and no longer corrected), and the last day a case is shared with a
/// substitute (`case_shares.ends_on`: after it the share no longer opens the case). Both empty
/// shares made before this release run until they are ended. An advice made before this release
/// was in the organisation's hands already (there was no draft state): it counts as sent on the
/// day it was given, so its text is not rewritten after the fact. And an index for the menu's count
/// of unread reporter messages, asked on every staff page: it starts from the few unread ones.
package struct AddAdviceSentAndShareEnd: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("advice").field("sent_on", .string).update()
        try await database.schema("case_shares").field("ends_on", .string).update()
        try await (database as! any SQLDatabase).raw("UPDATE advice SET sent_on = given_on").run()
        try await (database as! any SQLDatabase).raw(
            "CREATE INDEX IF NOT EXISTS mailbox_messages_unread ON mailbox_messages (read_at, sender, case_id)"
        ).run()
    }

    package func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DROP INDEX IF EXISTS mailbox_messages_unread").run()
        try await database.schema("case_shares").deleteField("ends_on").update()
        try await database.schema("advice").deleteField("sent_on").update()
    }
}
