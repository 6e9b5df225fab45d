import Fluent
import Foundation
import Testing
import Vapor
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

/// A practice's deadlines were only on the dashboard, for whoever happened to look.
@Suite("Reminders once a day, without content")
struct RemindersTests {
    @Test func theMorningMailGoesOnceWithLinksOnlyAndTheDashboardShowsTheSame() async throws {
        let mails = FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-mails-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: mails) }
        try await withVertrouwd({ $0.sendmailCommand = "cat >> '\(mails)'"; $0.publicURL = "https://vertrouwd.praktijk.test" }) { app in
            // setup: a WBK report received three days ago, not yet acknowledged
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let today = Day(Date())
            let c = try await app.makeCase(for: anna, at: org, kind: .businessIntegrity, regime: .whistleblower,
                                           summary: "Facturen van de inkoper kloppen niet", openedOn: today.adding(days: -3))
            let run = ReminderRun(app: app)

            // MUT: a dry run, then the run, then the run again (a restart, a second instance)
            let dry = try await run.run(today: today, dryRun: true)
            #expect(dry.first { $0.email == anna.user.email }?.outcome == .wouldSend(1))
            #expect(!FileManager.default.fileExists(atPath: mails), "a dry run sends nothing")
            let first = try await run.run(today: today, dryRun: false)
            let second = try await run.run(today: today, dryRun: false)

            // validate
            #expect(first.first { $0.email == anna.user.email }?.outcome == .sent(1))
            #expect(second.first { $0.email == anna.user.email }?.outcome == .alreadySent)
            let mail = try String(contentsOfFile: mails, encoding: .utf8)
            #expect(mail.components(separatedBy: "Subject:").count == 2, "one mail")
            #expect(mail.contains("To: anna@praktijk.nl") && mail.contains("Ontvangstbevestiging (Wbk) uiterlijk \(today.adding(days: 4).dutch)"))
            #expect(mail.contains("https://vertrouwd.praktijk.test/cases/\(c.id!)"))
            #expect(!mail.contains(c.reference) && !mail.contains(org.name) && !mail.contains("Facturen"), "nothing of the case")
            // the next day it goes again
            #expect(try await run.run(today: today.adding(days: 1), dryRun: false).first { $0.email == anna.user.email }?.outcome == .sent(1))
            // the dashboard shows the same
            let browser = Browser(app, over: .from("127.0.0.2"))
            try await browser.login(anna)
            let dashboard = try await browser.get("/").body.string
            #expect(dashboard.contains("<h2 id=\"h-reminders\">Vandaag</h2>") && dashboard.contains("Ontvangstbevestiging (Wbk)"))
            // acknowledged: nothing left to remind
            #expect(try await browser.post("/cases/\(c.id!)/wbk", [("acknowledgedOn", today.iso)]).status == .seeOther)
            #expect(try await ReminderRun.items(for: anna.id, today: today, on: app.db).isEmpty)
        }
    }

    /// A reporter's request about their file is reminded in its last week, to its counsellor only,
    /// and the reminder ends when it is answered.
    @Test func aReportersRequestIsRemindedInItsLastWeekToItsCounsellorOnly() async throws {
        try await withVertrouwd { app in
            // setup: a deletion request made 25 days ago on Anna's case; Bram serves the organisation too
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let bram = try await app.makeAccount("bram@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna, bram])
            let today = Day(Date())
            let c = try await app.makeCase(for: anna, at: org)
            let request = ReporterRequest(id: UUID(), caseID: c.id!, kind: .deletion, at: Date().addingTimeInterval(-25 * 86_400))
            request.bodySealed = ""
            try await request.create(on: app.db)

            // MUT
            let annas = try await ReminderRun.items(for: anna.id, today: today, on: app.db)
            let brams = try await ReminderRun.items(for: bram.id, today: today, on: app.db)

            // validate
            #expect(annas.contains { $0.text.hasPrefix("Verzoek van de melder") && $0.path.hasPrefix("/cases/\(c.id!)") })
            #expect(!brams.contains { $0.text.hasPrefix("Verzoek van de melder") })
            // a request made today is not due yet; an answered one is done
            request.madeAt = Date()
            try await request.save(on: app.db)
            #expect(!(try await ReminderRun.items(for: anna.id, today: today, on: app.db)).contains { $0.text.hasPrefix("Verzoek van de melder") })
            request.madeAt = Date().addingTimeInterval(-25 * 86_400)
            request.answeredAt = Date(); request.answer = .refused
            try await request.save(on: app.db)
            #expect(!(try await ReminderRun.items(for: anna.id, today: today, on: app.db)).contains { $0.text.hasPrefix("Verzoek van de melder") })
        }
    }

    /// A mail command that fails leaves the day open: the next run sends.
    @Test func aFailedMailIsTriedAgainAtTheNextRun() async throws {
        let mails = FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-mails-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: mails) }
        try await withVertrouwd({ $0.sendmailCommand = "exit 1" }) { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let today = Day(Date())
            _ = try await app.makeCase(for: anna, at: org, kind: .businessIntegrity, regime: .whistleblower, openedOn: today.adding(days: -3))
            let failed = try await ReminderRun(app: app).run(today: today, dryRun: false)
            #expect(failed.first { $0.email == anna.user.email }?.outcome == .failed)
            #expect(try await count(ReminderMail.self, app) == 0, "the day is not taken")
            app.settings.sendmailCommand = "cat >> '\(mails)'"
            let sent = try await ReminderRun(app: app).run(today: today, dryRun: false)
            #expect(sent.first { $0.email == anna.user.email }?.outcome == .sent(1))
            #expect(FileManager.default.fileExists(atPath: mails))
        }
    }
}
