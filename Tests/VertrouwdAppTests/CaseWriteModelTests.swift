import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

@Suite("The case write model: one writer, the lifecycle's rules, audited in the same transaction")
struct CaseWriteModelTests {
    func entries(_ action: String, _ app: Application) async throws -> Int {
        try await AuditEvent.query(on: app.db).filter(\.$action == action).count()
    }

    @Test func aClosedCaseTakesNoChangeUntilItIsReopened() async throws {
        try await withVertrouwd { app in
            let (c, browser) = try await app.counsellorWithCase()
            let today = Day(Date()).iso
            #expect(try await browser.post("/cases/\(c.id!)/close", [("outcome", "heard"), ("closedOn", today), ("openSteps", "on")]).status == .seeOther)
            let auditBefore = try await count(AuditEvent.self, app)

            // A note on the closed case: refused with the reason, the note kept, nothing saved.
            let refused = try await browser.post("/cases/\(c.id!)/notes", [("body", "Nog een gesprek gehad.")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Deze melding is afgesloten en kan niet meer worden gewijzigd."))
            #expect(refused.body.string.contains("Nog een gesprek gehad."))
            #expect(try await count(CaseNote.self, app) == 0)
            // Only the opening of the case for the change was logged, no `case.note`.
            #expect(try await entries("case.note", app) == 0)
            #expect(try await count(AuditEvent.self, app) == auditBefore + 1)

            // No mailbox (and no receipt code) for a closed case, even by a hand-made post.
            let mailbox = try await browser.post("/cases/\(c.id!)/mailbox/open", [])
            #expect(mailbox.status == .unprocessableEntity)
            #expect(mailbox.body.string.contains("Deze melding is afgesloten"))
            #expect(try await count(Mailbox.self, app) == 0)

            // The closed case's page offers to reopen it; reopening clears the outcome.
            #expect(try await browser.get("/cases/\(c.id!)").body.string.contains("/cases/\(c.id!)/reopen"))
            #expect(try await browser.post("/cases/\(c.id!)/reopen", []).status == .seeOther)
            let reopened = try #require(try await Case.find(c.id, on: app.db))
            #expect(reopened.status == .open && reopened.outcome == nil && reopened.closedOn == nil)
            #expect(try await entries("case.reopen", app) == 1)
            #expect(try await browser.post("/cases/\(c.id!)/notes", [("body", "Nog een gesprek gehad.")]).status == .seeOther)
            // Reopening an open case is refused and changes nothing.
            let again = try await browser.post("/cases/\(c.id!)/reopen", [])
            #expect(again.status == .unprocessableEntity && again.body.string.contains("Deze melding is niet afgesloten."))
            #expect(try await entries("case.reopen", app) == 1)
        }
    }

    @Test func steppingDownTheLadderKeepsTheHighestRungForTheAnnualReport() async throws {
        try await withVertrouwd { app in
            let (c, browser) = try await app.counsellorWithCase()
            let today = Day(Date()).iso
            let up = try await browser.post("/cases/\(c.id!)/escalations", [("level", "3"), ("day", today), ("consentBasis", "consent"),
                                                                           ("consentOn", today), ("consentMethod", "oral")])
            #expect(up.status == .seeOther)
            #expect(try await browser.post("/cases/\(c.id!)/escalations", [("level", "1"), ("day", today)]).status == .seeOther)
            let row = try #require(try await Case.find(c.id, on: app.db))
            #expect(row.ladderLevel == .adviceToReporter && row.ladderHighest == .withHigherManager)
            let facts = try await ReportBuilder.facts(organisationID: row.$organisation.id, from: Day(Date()).adding(days: -1),
                                                      to: Day(Date()).adding(days: 1), on: app.db)
            #expect(facts.map(\.ladder) == [.withHigherManager])
            #expect(try await browser.get("/cases/\(c.id!)").body.string.contains("Hoogste trede bereikt: 3."))
        }
    }

    @Test func aRefusedChangeLeavesNeitherTheRowNorItsAuditEntry() async throws {
        try await withVertrouwd { app in
            let (c, browser) = try await app.counsellorWithCase()
            let today = Day(Date()).iso
            // The ladder moves before the consent is checked, in the same unit of work: the refusal
            // must undo it.
            let refused = try await browser.post("/cases/\(c.id!)/escalations", [("level", "4"), ("day", today), ("note", "Met directie")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Met directie"))
            #expect(try await Case.find(c.id, on: app.db)?.ladderLevel == .adviceToReporter)
            #expect(try await count(CaseEscalation.self, app) == 0)
            #expect(try await entries("case.escalation", app) == 0)

            let accepted = try await browser.post("/cases/\(c.id!)/escalations", [("level", "4"), ("day", today), ("consentBasis", "consent"),
                                                                                 ("consentOn", today), ("consentMethod", "written")])
            #expect(accepted.status == .seeOther)
            #expect(try await count(CaseEscalation.self, app) == 1)
            #expect(try await count(CaseConsent.self, app) == 1)
            #expect(try await entries("case.escalation", app) == 1)
            let (_, broken) = try await Audit.verify(db: app.db, key: app.keys.auditChainKey)
            #expect(broken == nil)
        }
    }

    @Test func onlyAMessageMarkedAsTheFeedbackDatesTheFeedback() async throws {
        try await withVertrouwd { app in
            let (c, browser) = try await app.counsellorWithCase(kind: .businessIntegrity, regime: .whistleblower)
            #expect(try await browser.post("/cases/\(c.id!)/mailbox/open", []).status == .ok)
            // The box is on the reply form only; added by hand to a record it counts for nothing.
            let record = try await browser.post("/cases/\(c.id!)/mailbox/record", [("body", "Verslag"), ("feedback", "on")])
            #expect(record.status == .seeOther)
            #expect(try await Case.find(c.id, on: app.db)?.feedbackOn == nil)
            let reply = try await browser.post("/cases/\(c.id!)/mailbox/reply", [("body", "Terugkoppeling"), ("feedback", "on")])
            #expect(reply.status == .seeOther)
            let row = try #require(try await Case.find(c.id, on: app.db))
            #expect(row.feedbackOn == Day(Date()) && row.acknowledgedOn == Day(Date()))
        }
    }

    @Test func aRefusedPeerSummaryComesBackAsTyped() async throws {
        try await withVertrouwd { app in
            let (c, browser) = try await app.counsellorWithCase()
            let typed = "Samenvatting " + String(repeating: "x", count: 4_000)
            let refused = try await browser.post("/cases/\(c.id!)/peer-summary", [("peerSummary", typed)])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains(typed))
            #expect(refused.body.string.contains("id=\"peerSummary-peerSummary-error\""))
        }
    }

    @Test func aShareAndAnApprovalHappenOnceWhateverTheyWereReadAs() async throws {
        try await withVertrouwd { app in
            let (c, _) = try await app.counsellorWithCase()
            let anna = try #require(try await User.find(c.$counsellor.id, on: app.db))
            let bram = try await app.makeAccount("bram@praktijk.nl")
            let key = try app.keys.caseKey(of: c)
            let open = try OpenCase(record: c, key: key, isOwner: true)
            let writer = CaseWriter(store: app.store, actor: "user:\(anna.id!)", userID: anna.id!)
            try await writer.share(open, with: bram.id, reason: "Vakantie")
            // A second submit that passed the form's check before the first was saved.
            await #expect(throws: FieldRefusal.self) { try await writer.share(open, with: bram.id, reason: "Vakantie") }
            #expect(try await count(CaseShare.self, app) == 1)
            #expect(try await entries("case.share", app) == 1)

            // Two approvals of one record read before either was saved: one approval, one entry.
            let prepared = try await MailboxService.prepare(language: .nl, kdf: app.settings.receiptKDF, app: app)
            _ = try await writer.openMailbox(open, prepared)
            try await writer.postToMailbox(open, kind: .record, body: "Verslag", today: Day(Date()))
            let message = try #require(try await MailboxMessage.query(on: app.db).filter(\.$kind == .record).first())
            let stale = try #require(try await MailboxMessage.find(message.id, on: app.db))
            let mailbox = try #require(try await Mailbox.query(on: app.db).first())
            let reporter = CaseWriter.reporter(app.store)
            try await reporter.approveRecord(message, mailbox: mailbox)
            try await reporter.approveRecord(stale, mailbox: mailbox)
            #expect(try await entries("mailbox.record_approved", app) == 1)
        }
    }

    @Test func datesBeforeTheCaseWasOpenedAreRefusedBesideTheirField() async throws {
        try await withVertrouwd { app in
            let opened = Day(Date()).adding(days: -10)
            let (c, browser) = try await app.counsellorWithCase(openedOn: opened)
            let early = opened.adding(days: -1).iso
            let message = "De datum ligt vóór de melding (\(opened.dutch))."

            let step = try await browser.post("/cases/\(c.id!)/steps", [("step", "p1"), ("day", early)])
            #expect(step.status == .unprocessableEntity)
            #expect(step.body.string.contains(message) && step.body.string.contains("value=\"\(early)\""))
            let referral = try await browser.post("/cases/\(c.id!)/referrals", [("target", "coach"), ("day", early)])
            #expect(referral.status == .unprocessableEntity && referral.body.string.contains(message))
            let close = try await browser.post("/cases/\(c.id!)/close", [("outcome", "heard"), ("closedOn", early), ("openSteps", "on")])
            #expect(close.status == .unprocessableEntity)
            #expect(close.body.string.contains("id=\"close-closedOn-error\">\(message)"))
            #expect(try await count(CaseStep.self, app) == 0)
            #expect(try await count(CaseReferral.self, app) == 0)
            #expect(try await Case.find(c.id, on: app.db)?.status == .open)
        }
    }

    @Test func everyCaseTheDemoMakesHasItsCreationEntry() async throws {
        try await withVertrouwd { app in
            let result = try await DemoPractice.load(app: app, today: Day(Date()))
            let cases = try await count(Case.self, app)
            #expect(cases == result.caseCount)
            let created = try await AuditEvent.query(on: app.db).filter(\.$action == "case.create").all().map(\.subject)
            let ids = try await Case.query(on: app.db).all().map { "case:\($0.id!)" }
            #expect(Set(created) == Set(ids))
            // Their steps, hours, escalations, referrals and closures came through the writer too.
            let closed = try await Case.query(on: app.db).filter(\.$status == .closed).count()
            #expect(closed > 0)
            #expect(try await entries("case.close", app) == closed)
            let escalations = try await count(CaseEscalation.self, app)
            #expect(escalations > 0)
            #expect(try await entries("case.escalation", app) == escalations)
            let (_, broken) = try await Audit.verify(db: app.db, key: app.keys.auditChainKey)
            #expect(broken == nil)
        }
    }

    /// A data folder made by the release before the write model (`vertrouwd demo` plus one report
    /// through the website, made by the binary of commit 85f4914): it must migrate without loss.
    @Test func aDataFolderMadeByThePreviousReleaseUpgradesWithoutLoss() async throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/data-85f4914")
        // Without the file the app would make a new, empty database: say so instead.
        try #require(FileManager.default.fileExists(atPath: fixture.appendingPathComponent("vertrouwd.sqlite").path))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-upgrade-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: fixture, to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        try await withVertrouwd({ settings in
            settings.database = .sqliteFile(dir.appendingPathComponent("vertrouwd.sqlite").path)
            settings.key = .file(dir.appendingPathComponent("master.key").path)
            settings.auditAnchorPath = dir.appendingPathComponent("audit-anchor").path
        }) { app in
            let sql = app.db as! any SQLDatabase
            struct Name: Decodable { let name: String }
            let migrations = try await sql.raw("SELECT name FROM _fluent_migrations").all(decoding: Name.self).map(\.name)
            #expect(migrations.contains("VertrouwdApp.AddHighestRung"))

            // Every case is still there and readable with its own key.
            let cases = try await Case.query(on: app.db).with(\.$categories).all()
            #expect(cases.count == 64)
            // Their keys, wrapped by the master key before, are wrapped by retention epochs now, and
            // the key file (one line of base64 before) holds the epochs.
            #expect(cases.allSatisfy { $0.keyID.hasPrefix("ep-") })
            let keyFile = try String(contentsOfFile: dir.appendingPathComponent("master.key").path, encoding: .utf8)
            #expect(keyFile.contains(Keyring.header) && !app.keys.keyring.isLegacy)
            // …and carries each of them: a backup from before the upgrade (keys wrapped by the
            // master key) opens a case only while it is not destroyed.
            #expect(Set(app.keys.keyring.carried.keys) == Set(cases.map { $0.id!.uuidString }))
            for record in cases {
                #expect(!(try app.keys.caseKey(of: record).open(record, \.$summarySealed)).isEmpty)
            }
            // And every sealed row hanging off them: the additional data (table, row, column) is
            // what it was when they were written.
            let keys = Dictionary(uniqueKeysWithValues: try cases.map {
                ($0.id!, try app.keys.caseKey(of: $0))
            })
            var opened = 0
            for row in try await CaseEscalation.query(on: app.db).all() { _ = try keys[row.$case.id]!.open(row, \.$noteSealed); opened += 1 }
            for row in try await CaseReferral.query(on: app.db).all() { _ = try keys[row.$case.id]!.open(row, \.$noteSealed); opened += 1 }
            for row in try await CaseConsent.query(on: app.db).all() { _ = try keys[row.$case.id]!.open(row, \.$remarkSealed); opened += 1 }
            for row in try await CaseAppointment.query(on: app.db).all() { _ = try keys[row.$case.id]!.open(row, \.$placeSealed); opened += 1 }
            for record in cases {
                let key = keys[record.id!]!
                for field in [\Case.$reporterNameSealed, \.$reporterContactSealed, \.$accusedSealed, \.$peerSummarySealed, \.$closingNoteSealed] {
                    _ = try key.open(record, field)
                    opened += 1
                }
            }
            #expect(opened > 64 * 5)

            // The highest rung is filled in from the escalations recorded before.
            struct Rung: Decodable { let ladder_level, ladder_highest: Int; let escalated: Int? }
            let rungs = try await sql.raw("""
                SELECT ladder_level, ladder_highest, (SELECT MAX(level) FROM case_escalations e WHERE e.case_id = cases.id) AS escalated
                FROM cases
                """).all(decoding: Rung.self)
            #expect(rungs.allSatisfy { $0.ladder_highest == max($0.ladder_level, $0.escalated ?? 1) })
            #expect(rungs.contains { $0.ladder_highest >= 2 })
            // Organisations that must have a meldregeling keep the WBK tick they offered before;
            // the smaller ones lose it until the admin says the counsellor is their channel.
            let organisations = try await Organisation.query(on: app.db).all()
            #expect(organisations.contains { $0.employees < 50 } && organisations.contains { $0.employees >= 50 })
            #expect(organisations.allSatisfy { $0.whistleblowerChannel == ($0.employees >= 50) })
            // Cases from before keep no language: the acknowledgement is offered in Dutch.
            #expect(CaseMailboxActions.reporterLanguage(try OpenCase(record: cases[0], key: try app.keys.caseKey(of: cases[0]), isOwner: true)) == .nl)
            // The audit chain made by the old binary goes on unbroken.
            let (entries, broken) = try await Audit.verify(db: app.db, key: app.keys.auditChainKey)
            #expect(broken == nil && entries >= 3)

            // The reporter's receipt code still opens the mailbox, with the story.
            let browser = Browser(app)
            let login = try await browser.post("/postbus", [("code", "5152 7020 2401 2369 9951 6158 4181")])
            #expect(login.status == .seeOther)
            #expect(try await browser.get("/postbus").body.string.contains("gemaakt met de binary van vóór issue 10"))

            // And the old rows take new changes through the writer.
            let web = try #require(cases.first { $0.channel == .webForm })
            let key = try app.keys.caseKey(of: web)
            let open = try OpenCase(record: web, key: key, isOwner: true)
            try await CaseWriter(store: app.store, actor: "cli", userID: web.$counsellor.id).addNote(open, "Na de upgrade.")
            #expect(try await CaseNote.query(on: app.db).filter(\.$case.$id == web.id!).count() == 1)
        }
    }
}
