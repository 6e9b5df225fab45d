import Fluent
import Foundation
import Testing
import VaporTesting
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdReports
import VertrouwdStore

/// Retention and the reporter's rights: a destroyed case stays destroyed in every copy of the
/// database, a kept one stays readable, and a reporter can take their file and have it deleted.
@Suite("Retention: crypto-shredding that survives a restore, and the reporter's rights")
struct RetentionTests {
    /// A counsellor with two cases closed long ago in a contract year whose report was signed off.
    func twoOldCases(_ app: Application) async throws -> (TestAccount, Case, Case) {
        let anna = try await app.makeAccount("anna@praktijk.nl")
        let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
        let year = ContractYear()
        year.$organisation.id = org.id!
        year.startsOn = Day(year: 2023, month: 1, day: 1)!; year.endsOn = Day(year: 2023, month: 12, day: 31)!
        year.budgetMinutes = 600; year.focusPoints = ""
        try await year.create(on: app.db)
        let report = AnnualReportRecord()
        report.$contractYear.id = year.id!
        report.roleText = ""; report.recommendations = ""; report.focusNext = ""
        report.signedOffOn = "2024-01-15"; report.signedOffBy = anna.id; report.snapshot = "{}"
        try await report.create(on: app.db)
        let writer = CaseWriter(store: app.store, actor: "cli", userID: anna.id)
        var made: [Case] = []
        for story in ["Verhaal dat weg moet", "Verhaal onder bewaarplicht"] {
            let c = try await app.makeCase(for: anna, at: org, summary: story, openedOn: Day(year: 2023, month: 1, day: 10)!)
            let open = try OpenCase(record: c, key: try app.keys.caseKey(of: c), isOwner: true)
            try await writer.addNote(open, "Notitie bij \(story)")
            try await writer.close(open, .heard, on: Day(year: 2023, month: 2, day: 1)!, note: "Slot", today: Day(Date()))
            made.append(try #require(try await Case.find(c.id, on: app.db)))
        }
        return (anna, made[0], made[1])
    }

    @Test func aReporterWhoWroteOrAskedSomethingStillOpenKeepsAnOldCase() async throws {
        try await withVertrouwd { app in
            // setup: two cases past their retention, read as the run reads them
            let (_, wrote, asked) = try await twoOldCases(app)
            let today = Day(Date())
            func decisions() async throws -> [UUID: RetentionDecision] {
                Dictionary(uniqueKeysWithValues: try await RetentionRun.candidates(app.store, today: today).map { ($0.id, $0.decision) })
            }
            #expect(try await decisions() == [wrote.id!: .destroy, asked.id!: .destroy])
            // the reporter of one wrote in their mailbox just now; the other asked for a correction
            let mailbox = Mailbox()
            mailbox.$case.id = wrote.id!
            mailbox.locator = "12345678"; mailbox.salt = Data([1]); mailbox.secretHash = Data([2]); mailbox.kdf = "scrypt"
            mailbox.failedAttempts = 0; mailbox.language = "nl"
            mailbox.lastReporterActivity = Date().addingTimeInterval(5)
            try await mailbox.create(on: app.db)
            let request = ReporterRequest(id: UUID(), caseID: asked.id!, kind: .correction)
            request.bodySealed = try app.keys.caseKey(of: asked).seal("", context: CaseKey.context(request, \.$bodySealed))
            try await request.create(on: app.db)

            // MUT
            let kept = try await decisions()

            // validate: both kept for the grace period after today, by what the run read
            let grace = try #require(kept[wrote.id!])
            guard case .keep(.reporterActiveUntil(let until)) = grace, until > today else {
                Issue.record("a reporter who wrote keeps the case: \(grace)"); return
            }
            #expect(kept[asked.id!] == grace, "an open request counts as writing today")
        }
    }

    @Test func aDestroyedCaseStaysUnreadableFromAnEarlierCopyOfTheDatabaseAndAKeptOneOpens() async throws {
        let keyFile = NSTemporaryDirectory() + "vertrouwd-keys-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: keyFile) }
        try await withVertrouwd({ $0.key = .file(keyFile) }) { app in
            // setup: both cases share an epoch; one is under a legal hold
            let (anna, gone, held) = try await twoOldCases(app)
            #expect(gone.keyID == held.keyID, "opened the same month: one epoch")
            let writer = CaseWriter(store: app.store, actor: "cli", userID: anna.id)
            try await writer.setLegalHold(try OpenCase(record: held, key: try app.keys.caseKey(of: held), isOwner: true),
                                          reason: "Lopende procedure", today: Day(Date()))
            // "the backup": the rows as an earlier copy of the database holds them
            let backup = try await Case.query(on: app.db).all()
            let epoch = try #require(Keyring.epoch(ofKeyID: gone.keyID))

            // MUT
            let outcome = try await RetentionRun(store: app.store, actor: "cli").run(today: Day(Date()), dryRun: false)

            // validate: one destroyed, the held one moved to a later epoch and carried
            #expect(outcome.destroyed.map(\.id) == [gone.id!])
            #expect(outcome.kept.map(\.decision) == [.keep(.legalHold)])
            #expect(outcome.moved == 1 && outcome.forgotten == [epoch])
            let after = try #require(try await Case.find(gone.id, on: app.db))
            #expect(after.destroyedOn == Day(Date()) && after.destroyedBy == .retention && after.wrappedKey == nil)
            #expect(after.summarySealed.isEmpty && after.kind == gone.kind && after.outcome == .heard, "statistics stay")
            #expect(try await CaseNote.query(on: app.db).filter(\.$case.$id == gone.id!).count() == 0)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.destroy").count() == 1)

            // The key file on disk, read fresh, as after a restore with today's key file.
            let today = try KeyStore.read(keyFile)
            #expect(today.epochs[epoch] == nil && today.carried[held.id!.uuidString] != nil && today.carried[gone.id!.uuidString] == nil)
            for row in backup where row.id == gone.id {
                #expect(throws: Keyring.KeyError.destroyed) {
                    try today.unwrap(keyID: row.keyID, wrapped: try #require(row.wrappedKey), caseID: row.id!.uuidString)
                }
            }
            for row in backup where row.id == held.id {
                let key = try today.unwrap(keyID: row.keyID, wrapped: try #require(row.wrappedKey), caseID: row.id!.uuidString)
                #expect(try key.open(row, \.$summarySealed) == "Verhaal onder bewaarplicht")
            }
            // And in the live database the held case opens with its new epoch.
            let live = try #require(try await Case.find(held.id, on: app.db))
            #expect(live.keyID != held.keyID)
            #expect(try app.keys.caseKey(of: live).open(live, \.$summarySealed) == "Verhaal onder bewaarplicht")

            // The held case, handed to destroy as if listed before the hold: checked again, kept.
            let again = try await RetentionRun(store: app.store, actor: "cli").destroy([held.id!], cause: .retention, today: Day(Date()))
            #expect(again.destroyed.isEmpty)
            #expect(try await Case.find(held.id, on: app.db)?.destroyedOn == nil)

            // A second run finds nothing more to do; no new case takes the retired epoch.
            #expect(try await RetentionRun(store: app.store, actor: "cli").run(today: Day(Date()), dryRun: false).destroyed.isEmpty)
            let org = try #require(try await Organisation.query(on: app.db).first())
            let late = try await app.makeCase(for: anna, at: org, openedOn: Day(year: 2023, month: 1, day: 11)!)
            #expect(Keyring.epoch(ofKeyID: late.keyID) != epoch)

            // The counsellor opening the destroyed case is told, not shown an error.
            let browser = Browser(app)
            try await browser.login(anna)
            let page = try await browser.get("/cases/\(gone.id!)")
            #expect(page.status == .gone && page.body.string.contains("inhoud vernietigd"))
        }
    }

    @Test func aReporterDownloadsTheirFileAsksForDeletionAndTheMailboxSaysItWasDeleted() async throws {
        try await withVertrouwd { app in
            // setup: a report with an attachment, through the website
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let reporter = Browser(app, over: .socket)
            let story = "Mijn leidinggevende schreeuwt elke week tegen me. Ÿ ✓"
            let pdf = SocketTests.pdf(bytes: 30_000)
            let receipt = try await reporter.postMultipart("/o/het-baken/melden?lang=en", [("counsellor", anna.id.uuidString), ("story", story)],
                                                           files: [("files[]", "../../brief.pdf", pdf)])
            let code = try receiptCode(in: receipt.body.string)
            #expect(try await reporter.post("/postbus", [("code", code)]).status == .seeOther)
            let box = try await reporter.get("/postbus").body.string
            #expect(box.contains("Your data") && box.contains("Download your file"))

            // The file: a ZIP with the story and the attachment as sent, no staff notes.
            let c = try #require(try await Case.query(on: app.db).first())
            let writer = CaseWriter(store: app.store, actor: "cli", userID: anna.id)
            try await writer.addNote(try OpenCase(record: c, key: try app.keys.caseKey(of: c), isOwner: true), "Interne notitie")
            let file = try await reporter.get("/postbus/file")
            #expect(file.status == .ok && file.headers.contentType == .zip)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-zip-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(buffer: file.body).write(to: folder.appendingPathComponent("f.zip"))
            let unzip = Process()
            unzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            unzip.arguments = ["python3", "-c", "import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
                               folder.appendingPathComponent("f.zip").path, folder.appendingPathComponent("out").path]
            try unzip.run(); unzip.waitUntilExit()
            let text = try String(contentsOf: folder.appendingPathComponent("out/dossier-\(c.reference).txt"), encoding: .utf8)
            #expect(text.contains(story) && !text.contains("Interne notitie"))
            #expect(try Data(contentsOf: folder.appendingPathComponent("out/bijlagen/brief.pdf")) == pdf, "no folders from a file name")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "mailbox.download").count() == 1)
            // A few downloads an hour, then the mailbox says to wait.
            for _ in 1..<ReporterRights.downloadsPerHour { #expect(try await reporter.get("/postbus/file").status == .ok) }
            let tooMany = try await reporter.get("/postbus/file")
            #expect(tooMany.status == .tooManyRequests && tooMany.body.string.contains("many times in the last hour"))

            // Deletion without ticking the box: refused in the reporter's language, nothing made.
            let unticked = try await reporter.post("/postbus/requests", [("kind", "deletion")])
            #expect(unticked.status == .unprocessableEntity && unticked.body.string.contains("Tick the box"))
            #expect(try await count(ReporterRequest.self, app) == 0)
            #expect(try await reporter.post("/postbus/requests", [("kind", "deletion"), ("confirm", "on")]).status == .ok)
            #expect(try await reporter.get("/postbus").body.string.contains("Waiting for an answer"))

            // The counsellor sees it on the dashboard and the case, and must choose an answer.
            let counsellor = Browser(app, over: .socket)
            try await counsellor.login(anna)
            #expect(try await counsellor.get("/").body.string.contains("verzoek tot verwijdering"))
            let request = try #require(try await ReporterRequest.query(on: app.db).first())
            let blank = try await counsellor.post("/cases/\(c.id!)/request-answer", [("request", request.id!.uuidString), ("note", "Uitleg")])
            #expect(blank.status == .unprocessableEntity && blank.body.string.contains("Kies toekennen of afwijzen"))
            #expect(blank.body.string.contains("Uitleg"), "what was typed comes back")
            #expect(try await Case.find(c.id, on: app.db)?.destroyedOn == nil)
            let granted = try await counsellor.post("/cases/\(c.id!)/request-answer", [("request", request.id!.uuidString), ("answer", "granted")])
            #expect(granted.status == .seeOther)

            // The case is destroyed: its key, text, messages and attachments gone; the facts stay.
            let row = try #require(try await Case.find(c.id, on: app.db))
            #expect(row.destroyedBy == .reporterRequest && row.wrappedKey == nil && row.status == .closed)
            let left = (try await count(Attachment.self, app), try await count(MailboxMessage.self, app), try await count(CaseNote.self, app))
            #expect(left == (0, 0, 0))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.request.granted").count() == 1)

            // The reporter's session ended with it; with the code the mailbox says the file was deleted.
            let later = Browser(app, over: .socket)
            #expect(try await later.post("/postbus", [("code", code)]).status == .seeOther)
            let deleted = try await later.get("/postbus").body.string
            #expect(deleted.contains("Je dossier is verwijderd") && !deleted.contains(story))
            #expect(try await later.get("/postbus?lang=en").body.string.contains("Your file was deleted"))
            #expect(try await later.get("/postbus/file").status == .seeOther)
        }
    }

    @Test func aLegalHoldNeedsAReasonAndBlocksADeletionUntilLifted() async throws {
        try await withVertrouwd { app in
            let (c, browser) = try await app.counsellorWithCase(over: .socket)
            let empty = try await browser.post("/cases/\(c.id!)/hold", [("reason", "  ")])
            #expect(empty.status == .unprocessableEntity && empty.body.string.contains("Vul de reden in"))
            #expect(try await Case.find(c.id, on: app.db)?.legalHoldOn == nil)
            #expect(try await browser.post("/cases/\(c.id!)/hold", [("reason", "Rechtszaak loopt")]).status == .seeOther)
            let page = try await browser.get("/cases/\(c.id!)").body.string
            #expect(page.contains("Bewaarplicht sinds") && page.contains("Rechtszaak loopt"))

            let request = ReporterRequest(id: UUID(), caseID: c.id!, kind: .deletion)
            request.bodySealed = try app.keys.caseKey(of: c).seal("", context: CaseKey.context(request, \.$bodySealed))
            try await request.create(on: app.db)
            let refused = try await browser.post("/cases/\(c.id!)/request-answer", [("request", request.id!.uuidString), ("answer", "granted")])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("bewaarplicht"))
            #expect(try await Case.find(c.id, on: app.db)?.destroyedOn == nil)
            #expect(try await browser.post("/cases/\(c.id!)/hold", [("reason", "x"), ("lift", "on")]).status == .seeOther)
            #expect(try await Case.find(c.id, on: app.db)?.legalHoldOn == nil)
        }
    }

    @Test func theAdminSetsTheRetentionPeriodAndWrongValuesChangeNothing() async throws {
        try await withVertrouwd { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let counsellor = try await app.makeAccount("anna@praktijk.nl")
            let browser = Browser(app, over: .socket)
            try await browser.login(admin)
            #expect(try await browser.get("/admin/retention").body.string.contains("value=\"24\""))
            for (months, grace) in [("0", "3"), ("241", "3"), ("twaalf", "3"), ("", "3"), ("24", "25"), ("24", "-1")] {
                let refused = try await browser.post("/admin/retention", [("months", months), ("graceMonths", grace), ("responseWorkdays", "2")])
                #expect(refused.status == .unprocessableEntity, "\(months)/\(grace)")
                #expect(refused.body.string.contains("value=\"\(months)\""), "what was typed comes back")
            }
            #expect(try await Practice.retention(on: app.db) == .standard)
            #expect(try await browser.post("/admin/retention", [("months", "36"), ("graceMonths", "6"), ("responseWorkdays", "2")]).status == .seeOther)
            #expect(try await Practice.retention(on: app.db) == RetentionPolicy(months: 36, graceMonths: 6))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "practice.retention").count() == 1)

            // A counsellor who is not an admin cannot change it.
            let other = Browser(app)
            try await other.login(counsellor)
            #expect(try await other.post("/admin/retention", [("months", "1"), ("graceMonths", "0"), ("responseWorkdays", "2")]).status.code >= 400)
            #expect(try await Practice.retention(on: app.db).months == 36)
        }
    }

    @Test func aCorrectionRequestIsAnsweredWithANoteTheReporterReads() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let reporter = Browser(app, over: .socket)
            let receipt = try await reporter.postMultipart("/o/het-baken/melden", [("counsellor", anna.id.uuidString), ("story", "Het gebeurde op dinsdag.")], files: [])
            let code = try receiptCode(in: receipt.body.string)
            #expect(try await reporter.post("/postbus", [("code", code)]).status == .seeOther)
            let empty = try await reporter.post("/postbus/requests", [("kind", "correction"), ("body", " ")])
            #expect(empty.status == .unprocessableEntity && empty.body.string.contains("verbetering-body-error"))
            #expect(try await reporter.post("/postbus/requests", [("kind", "correction"), ("body", "Het was woensdag.")]).status == .ok)
            for _ in 1..<ReporterRequest.openCorrections {
                _ = try await reporter.post("/postbus/requests", [("kind", "correction"), ("body", "Nog iets.")])
            }
            let tooMany = try await reporter.post("/postbus/requests", [("kind", "correction"), ("body", "Te veel.")])
            #expect(tooMany.status == .tooManyRequests && tooMany.body.string.contains("Te veel."), "kept, not saved")
            #expect(try await count(ReporterRequest.self, app) == ReporterRequest.openCorrections)

            let c = try #require(try await Case.query(on: app.db).first())
            let request = try #require(try await ReporterRequest.query(on: app.db).sort(\.$madeAt).first())
            let counsellor = Browser(app, over: .socket)
            try await counsellor.login(anna)
            let page = try await counsellor.get("/cases/\(c.id!)").body.string
            #expect(page.contains("Het was woensdag."))
            let noNote = try await counsellor.post("/cases/\(c.id!)/request-answer", [("request", request.id!.uuidString), ("answer", "granted")])
            #expect(noNote.status == .unprocessableEntity && noNote.body.string.contains("Vul de toelichting in"))
            #expect(try await counsellor.post("/cases/\(c.id!)/request-answer",
                                              [("request", request.id!.uuidString), ("answer", "granted"), ("note", "Aangepast naar woensdag.")]).status == .seeOther)
            // A second answer to the same request changes nothing.
            #expect(try await counsellor.post("/cases/\(c.id!)/request-answer",
                                              [("request", request.id!.uuidString), ("answer", "refused"), ("note", "Toch niet.")]).status == .seeOther)
            #expect(try await ReporterRequest.find(request.id, on: app.db)?.answer == .granted)
            let box = try await reporter.get("/postbus").body.string
            #expect(box.contains("Aangepast naar woensdag.") && box.contains("Toegekend"))
            #expect(try await Case.find(c.id, on: app.db)?.destroyedOn == nil, "a correction destroys nothing")
        }
    }

    @Test func shorteningTheRetentionPeriodSaysHowManyCasesItDestroysAndAsksToConfirm() async throws {
        try await withVertrouwd { app in
            _ = try await twoOldCases(app)
            try await Practice.query(on: app.db).set(\.$retentionMonths, to: 60).update()
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let browser = Browser(app)
            try await browser.login(admin)
            let asked = try await browser.post("/admin/retention", [("months", "24"), ("graceMonths", "3"), ("responseWorkdays", "2")])
            #expect(asked.status == .unprocessableEntity && asked.body.string.contains("2 afgesloten meldingen"))
            #expect(try await Practice.retention(on: app.db).months == 60, "nothing changed yet")
            #expect(try await browser.post("/admin/retention", [("months", "24"), ("graceMonths", "3"), ("responseWorkdays", "2"), ("confirm", "on")]).status == .seeOther)
            #expect(try await Practice.retention(on: app.db).months == 24)
            // Lengthening needs no confirmation.
            #expect(try await browser.post("/admin/retention", [("months", "36"), ("graceMonths", "3"), ("responseWorkdays", "2")]).status == .seeOther)
        }
    }
}
