import Foundation
import FluentKit

/// Every migration, in the order it shipped. A migration that has landed on main is never edited
/// again (databases made by an earlier release ran the old text); a change is a new migration in
/// its own numbered file here. 1–12 predate this folder and live beside their feature; their
/// names (the type names) are what `_fluent_migrations` remembers, so they keep them.
package enum Migrations {
    package static let all: [any Migration] = [
        CreatePractice(),  // 1
        CreateUsers(),  // 2
        CreateStaffSessions(),  // 3
        CreateOrganisations(),  // 4
        CreateCases(),  // 5
        CreateTimeEntries(),  // 6
        CreateAuditEvents(),  // 7
        CreateMailboxes(),  // 8
        CreateAttachments(),  // 9
        AddActivityFields(),  // 10
        CreateReporting(),  // 11: annual reports, advice, development entries
        AddEnrolment(),  // 12
        AddHighestRung(),  // 13
        AddRetention(),  // 14
        AddPolicyAndOutreach(),  // 15
        AddListIndexes(),  // 16
        AddEnrolledAt(),  // 17
        CreateAttachmentChunks(),  // 18
        AddReporterWords(),  // 19
        CreateReminderMails(),  // 20
        AddAdviceSentAndShareEnd(),  // 21
        AddEarlierReportVersions(),  // 22
        CreateCaseVersions(),  // 23
        AddHourlyRate()  // 24
    ]
}

/// A migration as it shipped. Fluent remembers a migration by its name, which defaults to the type
/// with its module (`VertrouwdApp.CreateCases`); the migrations moved to this target, and a
/// database made before must not run them again. So every one keeps its first module's name.
package protocol ShippedMigration: AsyncMigration {}

extension ShippedMigration {
    package var name: String { "VertrouwdApp.\(Self.self)" }
}
