import Foundation
import FluentKit
import FluentSQL

/// 19: what the reporter sent, kept apart from the counsellor's summary (`cases.reporter_words`,
/// sealed with the case key, a `ReporterWords` as JSON). Until now the reporter's mailbox showed
/// `summary`, which the counsellor's details form overwrites: whoever held the receipt code could
/// read the counsellor's working assessment as "what you sent". Cases from before stay empty here;
/// their mailbox shows the summary only while the audit log shows it was never edited
/// (`ReporterRights.wordsAsSent`).
package struct AddReporterWords: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("cases").field("reporter_words", .string, .required, .sql(.default(""))).update()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("cases").deleteField("reporter_words").update()
    }
}
