import Fluent

/// 21: the day an advice was sent to management (`advice.sent_on`: its text is then what the
/// organisation has, and no longer corrected), and the last day a case is shared with a
/// substitute (`case_shares.ends_on`: after it the share no longer opens the case). Both empty
/// for rows made before this release: an advice that may have been sent stays correctable (the
/// counsellor marks it sent), a share runs until it is ended.
struct AddAdviceSentAndShareEnd: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("advice").field("sent_on", .string).update()
        try await database.schema("case_shares").field("ends_on", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("case_shares").deleteField("ends_on").update()
        try await database.schema("advice").deleteField("sent_on").update()
    }
}
