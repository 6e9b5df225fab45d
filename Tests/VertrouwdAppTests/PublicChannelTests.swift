import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

@Suite("Public channel: organisation page, forms, receipt code, mailbox")
struct PublicChannelTests {
    /// Every row of every table as text: to prove what is not in the database.
    func dump(_ app: Application) async throws -> String {
        let sql = app.db as! any SQLDatabase
        var out = ""
        for table in ["cases", "mailboxes", "mailbox_messages", "mailbox_sessions", "audit_events", "case_categories", "users", "practice"] {
            out += try await sql.raw("SELECT * FROM \(unsafeRaw: table)").all().map { "\($0)" }.joined(separator: "\n")
        }
        return out
    }

    @Test func theOrganisationPageIsPublicDutchByDefaultAndEnglishOnRequest() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl", name: "Anna de Vries")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let nl = try await Browser(app).get("/o/het-baken")
            #expect(nl.status == .ok)
            #expect(nl.body.string.contains("<html lang=\"nl\">"))
            #expect(nl.body.string.contains("Anna de Vries"))
            #expect(nl.body.string.contains("Bel 112"))
            #expect(nl.headers.first(name: .cacheControl) == "no-store")
            let browser = Browser(app)
            let en = try await browser.send(.GET, "/o/het-baken", body: nil, headers: ["Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"])
            #expect(en.body.string.contains("<html lang=\"en\">"))
            #expect(en.body.string.contains("Call 112"))
            let switched = try await Browser(app).get("/o/het-baken?lang=en")
            #expect(switched.body.string.contains("<html lang=\"en\">"))
            let missing = try await Browser(app).get("/o/bestaat-niet")
            #expect(missing.status == .notFound)
            #expect(missing.body.string.contains("Kijk of het adres op de poster"))
            #expect(!missing.body.string.contains("Inloggen"), "a reporter's 404 does not point at the staff login")
            #expect(missing.headers.first(name: .cacheControl) == "no-store", "error pages get the security headers too")
            #expect(missing.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
            #expect(try await Browser(app).get("/o/bestaat-niet?lang=en").body.string.contains("Please check the address on the poster"))
            #expect([.notFound, .forbidden].contains(try await Browser(app).get("/o/..%2Fadmin").status))
        }
    }

    @Test func anAnonymousReportGivesAReceiptCodeAndNothingReadableInTheDatabase() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let reporter = Browser(app)
            #expect(try await reporter.get("/o/het-baken/melden").status == .ok)
            let story = "Mijn-verhaal-5150: de teamleider pakt geld uit de kas."
            let response = try await reporter.post("/o/het-baken/melden", [("counsellor", anna.id.uuidString), ("topic", "wrongdoing"),
                                                                          ("story", story), ("whistleblower", "on"), ("contactWish", "no")])
            #expect(response.status == .ok)
            #expect(response.headers.first(name: .cacheControl) == "no-store")
            let grouped = try receiptCode(in: response.body.string)
            #expect(grouped.split(separator: " ").count == 7)
            #expect(grouped.split(separator: " ").allSatisfy { $0.count == 4 })
            let record = try #require(try await Case.query(on: app.db).first())
            #expect(record.status == .new && record.channel == .webForm && record.regime == .whistleblower)
            #expect(record.kind == .businessIntegrity)
            #expect(record.$organisation.id == org.id)
            #expect(response.body.string.contains(record.reference))
            let all = try await dump(app)
            let digits = grouped.replacingOccurrences(of: " ", with: "")
            #expect(!all.contains("Mijn-verhaal-5150"))
            #expect(!all.contains(String(digits.suffix(20))), "the secret part of the code is stored only as a hash")
            #expect(!all.contains(digits))
        }
    }

    @Test func theReporterReadsTheReplyInANewBrowserAndAWrongCodeIsRefused() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let code = try receiptCode(in: try await Browser(app).post("/o/het-baken/melden", [("counsellor", anna.id.uuidString), ("story", "Ik word gepest.")]).body.string)
            let record = try #require(try await Case.query(on: app.db).first())

            let counsellor = Browser(app)
            try await counsellor.login(anna)
            #expect(try await counsellor.get("/").body.string.contains("Nieuw binnengekomen via de website"))
            #expect(try await counsellor.post("/cases/\(record.id!)/mailbox/reply", [("body", "Dank je. Wil je bellen? Groet, Anna")]).status == .seeOther)

            let later = Browser(app)
            let wrong = try await later.post("/postbus", [("code", "1234 5678 9012 3456 7890 1234 5678")])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.body.string.contains("Deze code klopt niet"))
            let garbage = try await later.post("/postbus", [("code", "<script>")])
            #expect(garbage.body.string.contains("Deze code klopt niet"))
            #expect(try await later.post("/postbus", [("code", code)]).status == .seeOther)
            let box = try await later.get("/postbus").body.string
            #expect(box.contains("Ik word gepest."))
            #expect(box.contains("Dank je. Wil je bellen? Groet, Anna"))

            #expect(try await later.post("/postbus/messages", [("body", "Ja, morgen na vijf uur.")]).status == .ok)
            let empty = try await later.post("/postbus/messages", [("body", "   ")])
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.body.string.contains("Vul dit in."))
            #expect(try await counsellor.get("/").body.string.contains("Nieuwe berichten in een postbus") == false, "a new case is in the inbox, not under messages")
            let casePage = try await counsellor.get("/cases/\(record.id!)").body.string
            #expect(casePage.contains("Ja, morgen na vijf uur."))

            #expect(try await later.post("/postbus/logout", []).status == .ok)
            #expect(try await later.get("/postbus").body.string.contains("Ontvangstcode"))
            #expect(try await later.post("/postbus/messages", [("body", "nog een bericht")]).status == .unauthorized)
            #expect(try await MailboxMessage.query(on: app.db).count() == 2)
        }
    }

    @Test func aLocatorUnderAttackMakesEvenTheRightCodeWait() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let code = try receiptCode(in: try await Browser(app).post("/o/het-baken/melden", [("counsellor", anna.id.uuidString), ("story", "x y z")]).body.string)
            let digits = code.replacingOccurrences(of: " ", with: "")
            let attacker = Browser(app)
            for i in 0..<LoginThrottle.freeAttempts {
                try await attacker.post("/postbus", [("code", String(digits.prefix(8)) + String(format: "%020d", i))])
            }
            let right = try await Browser(app).post("/postbus", [("code", code)])
            #expect(right.status == .unprocessableEntity)
            #expect(try await Mailbox.query(on: app.db).first()?.lockedUntil != nil)
        }
    }

    @Test func badReportsAreRefusedInTheReportersLanguageKeepingWhatTheyWrote() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let bram = try await app.makeAccount("bram@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna, bram])
            let reporter = Browser(app)
            let noCounsellor = try await reporter.post("/o/het-baken/melden", [("story", "<b>vet</b> verhaal"), ("topic", "ufo"), ("contactWish", "yes")])
            #expect(noCounsellor.status == .unprocessableEntity)
            let html = noCounsellor.body.string
            #expect(html.contains("Kies een van de mogelijkheden."))
            #expect(html.contains("Vul in hoe we je kunnen bereiken"))
            #expect(html.contains("&lt;b&gt;vet&lt;/b&gt; verhaal"))
            let english = try await reporter.post("/o/het-baken/melden?lang=en", [("counsellor", anna.id.uuidString), ("story", String(repeating: "x", count: 20_001))])
            #expect(english.body.string.contains("This is too long: at most 20000 characters (now 20001)."))
            let stranger = try await reporter.post("/o/het-baken/melden", [("counsellor", UUID().uuidString), ("story", "iets")])
            #expect(stranger.status == .unprocessableEntity)
            let forged = try await reporter.post("/o/het-baken/melden", [("counsellor", anna.id.uuidString), ("story", "Mijn vervalste verhaal"), ("_csrf", "nep")], csrf: false)
            #expect(forged.status == .forbidden)
            #expect(forged.body.string.contains("This form had expired"), "the language chosen earlier (?lang=en) sticks")
            #expect(forged.body.string.contains(">Mijn vervalste verhaal</textarea>"), "the form comes back filled in, not lost")
            #expect(try await count(Case.self, app) == 0)
            #expect(try await count(Mailbox.self, app) == 0)
        }
    }

    @Test func aConversationRequestNeedsAWayToReachTheReporter() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let reporter = Browser(app)
            let refused = try await reporter.post("/o/het-baken/gesprek", [("mode", "phone"), ("moments", "dinsdag")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("dinsdag"))
            let ok = try await reporter.post("/o/het-baken/gesprek", [("mode", "phone"), ("moments", "dinsdag"), ("contact", "06-98765432")])
            #expect(ok.status == .ok)
            #expect(try receiptCode(in: ok.body.string).count == 34)
            let record = try #require(try await Case.query(on: app.db).first())
            #expect(record.kind == .unclassified && record.status == .new)
            #expect(!record.reporterContactSealed.contains("98765432"))
        }
    }

    @Test func theCounsellorTakesAWebRequestOnByClassifyingIt() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            _ = try await Browser(app).post("/o/het-baken/gesprek", [("mode", "online"), ("contact", "privé@mail.nl")])
            let record = try #require(try await Case.query(on: app.db).first())
            let counsellor = Browser(app)
            try await counsellor.login(anna)
            let page = try await counsellor.get("/cases/\(record.id!)").body.string
            #expect(page.contains("Aannemen"))
            let base: [(String, String)] = [("categories[]", "bullying"), ("reporterRole", "affected_employee"), ("channel", "web_form"),
                                            ("relation", "colleague"), ("regime", "confidential"), ("summary", "Gespreksaanvraag")]
            let noKind = try await counsellor.post("/cases/\(record.id!)/details", base)
            #expect(noKind.status == .unprocessableEntity)
            #expect(try await counsellor.post("/cases/\(record.id!)/details", base + [("kind", "personal_integrity")]).status == .seeOther)
            let accepted = try #require(try await Case.find(record.id, on: app.db))
            #expect(accepted.status == .open && accepted.kind == .personalIntegrity)
        }
    }

    @Test func aWrittenRecordIsApprovedByTheReporterAndTheAcknowledgementDatesTheClock() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let c = try await app.makeCase(for: anna, at: org, kind: .businessIntegrity, regime: .whistleblower)
            let counsellor = Browser(app)
            try await counsellor.login(anna)
            let opened = try await counsellor.post("/cases/\(c.id!)/mailbox/open", [])
            let code = try receiptCode(in: opened.body.string)
            #expect(try await counsellor.post("/cases/\(c.id!)/mailbox/open", []).status == .conflict)
            #expect(try await counsellor.post("/cases/\(c.id!)/mailbox/acknowledge", [("body", "Ontvangen, dank je.")]).status == .seeOther)
            #expect(try await Case.find(c.id, on: app.db)?.acknowledgedOn == Day(Date()))
            #expect(try await counsellor.post("/cases/\(c.id!)/mailbox/record", [("body", "Verslag: melder zag op 3 maart ...")]).status == .seeOther)

            let reporter = Browser(app)
            try await reporter.post("/postbus", [("code", code)])
            let box = try await reporter.get("/postbus").body.string
            #expect(box.contains("Ontvangstbevestiging"))
            #expect(box.contains("Verslag: melder zag op 3 maart"))
            let record = try #require(try await MailboxMessage.query(on: app.db).filter(\.$kind == .record).first())
            #expect(try await reporter.post("/postbus/records/\(record.id!)/approve", []).status == .ok)
            #expect(try await MailboxMessage.find(record.id, on: app.db)?.approvedAt != nil)
            #expect(try await counsellor.get("/cases/\(c.id!)").body.string.contains("goedgekeurd"))
        }
    }

    @Test func noAddressOrBrowserOfAReporterIsStored() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let reporter = Browser(app)
            let headers: HTTPHeaders = ["X-Forwarded-For": "203.0.113.77", "X-Real-IP": "203.0.113.77", "User-Agent": "Mozilla/5.0 MarkerBrowser/9.9"]
            let form = try await reporter.send(.GET, "/o/het-baken/melden", body: nil, headers: headers)
            let csrf = try #require(Browser.hiddenCSRF(in: form.body.string))
            var h = headers
            h.contentType = .urlEncodedForm
            let body = "counsellor=\(anna.id.uuidString)&story=iets&_csrf=\(csrf)"
            let response = try await reporter.send(.POST, "/o/het-baken/melden", body: ByteBuffer(string: body), headers: h)
            #expect(response.status == .ok)
            let all = try await dump(app)
            #expect(!all.contains("203.0.113.77"))
            #expect(!all.contains("MarkerBrowser"))
        }
    }

    @Test func sixteenReportersAtOnceAllGetTheirOwnCase() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let codes = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<16 {
                    group.addTask {
                        let reporter = Browser(app)
                        let response = try await reporter.post("/o/het-baken/melden", [("counsellor", anna.id.uuidString), ("story", "Melding \(i)")])
                        #expect(response.status == .ok)
                        return try receiptCode(in: response.body.string)
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(codes).count == 16)
            #expect(Set(try await Case.query(on: app.db).all().map(\.reference)).count == 16)
            #expect(try await count(Mailbox.self, app) == 16)
        }
    }

    /// A PNG's chunks (header, image data, end; not a picture a viewer draws, but well-formed).
    static let png: Data = {
        func chunk(_ type: String, _ body: Data) -> Data {
            Data([0, 0, 0, UInt8(body.count)]) + Data(type.utf8) + body + Data([1, 2, 3, 4])
        }
        let signature = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        return signature + chunk("IHDR", Data(repeating: 1, count: 13)) + chunk("IDAT", Data("fake image body".utf8)) + chunk("IEND", Data())
    }()

    @Test func attachmentsAreSealedAndOnlyTheCounsellorCanDownloadThem() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let bram = try await app.makeAccount("bram@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let reporter = Browser(app)
            try await reporter.get("/o/het-baken/melden")
            let response = try await reporter.postMultipart("/o/het-baken/melden", [("story", "Zie de foto en het verslag.")],
                                                            files: [("files[]", "../../foto.png", Self.png),
                                                                    ("files[]", "verslag.txt", Data("Bijlage-tekst-8080".utf8))])
            #expect(response.status == .ok)
            let stored = try await Attachment.query(on: app.db).all()
            #expect(stored.count == 2)
            #expect(Set(stored.map(\.kind)) == ["png", "text"])
            #expect(!(try await dump(app)).contains("Bijlage-tekst-8080"))
            let raw = try await (app.db as! any SQLDatabase).raw("SELECT data FROM case_attachments").all()
            #expect(!raw.map { "\($0)" }.joined().contains("fake image body"))

            let record = try #require(try await Case.query(on: app.db).first())
            let counsellor = Browser(app)
            try await counsellor.login(anna)
            let page = try await counsellor.get("/cases/\(record.id!)").body.string
            #expect(page.contains("foto.png") && !page.contains("../../foto.png"))
            let png = try #require(stored.first { $0.kind == "png" })
            let download = try await counsellor.get("/cases/\(record.id!)/attachments/\(png.id!)")
            #expect(download.status == .ok)
            #expect(download.headers.first(name: .contentType) == "image/png")
            #expect(download.headers.first(name: .contentDisposition)?.contains("foto") == false)
            // The attachment's own policy, not the pages' default: nothing in it may run or load.
            #expect(download.headers[("Content-Security-Policy")] == ["sandbox; default-src 'none'"])
            #expect(Data(buffer: download.body) == Self.png)

            let other = Browser(app)
            try await other.login(bram)
            #expect(try await other.get("/cases/\(record.id!)/attachments/\(png.id!)").status == .notFound)
            #expect(try await Browser(app).get("/cases/\(record.id!)/attachments/\(png.id!)").status == .seeOther)
        }
    }

    @Test func aFileOutsideTheAllowListIsRefusedAndNothingIsSaved() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let reporter = Browser(app)
            try await reporter.get("/o/het-baken/melden")
            let exe = Data([0x4D, 0x5A, 0x90, 0x00]) + Data(count: 100)
            let response = try await reporter.postMultipart("/o/het-baken/melden", [("story", "Mijn verhaal blijft staan.")],
                                                            files: [("files[]", "foto.png", exe)])
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("Het bestand foto.png kan niet worden verstuurd."))
            #expect(response.body.string.contains("Mijn verhaal blijft staan."))
            let tooMany = try await reporter.postMultipart("/o/het-baken/melden", [("story", "x")],
                                                           files: Array(repeating: ("files[]", "a.png", Self.png), count: 4))
            #expect(tooMany.body.string.contains("Kies niet meer dan 3 bestanden."))
            #expect(try await count(Case.self, app) == 0)
            #expect(try await count(Attachment.self, app) == 0)
        }
    }

    @Test func theCounsellorIsNotifiedWithoutAnyContent() async throws {
        let outbox = NSTemporaryDirectory() + "vertrouwd-mail-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: outbox) }
        try await withVertrouwd({ $0.sendmailCommand = "cat >> '\(outbox)'" }) { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            #expect(try await Browser(app).post("/o/het-baken/melden", [("story", "Geheim-verhaal-6060")]).status == .ok)
            var mail = ""
            for _ in 0..<50 where !mail.contains("Subject:") {
                try await Task.sleep(for: .milliseconds(100))
                mail = (try? String(contentsOfFile: outbox, encoding: .utf8)) ?? ""
            }
            #expect(mail.contains("To: anna@praktijk.nl"))
            #expect(mail.contains("Subject: Vertrouwd: nieuwe aanvraag of melding"))
            #expect(!mail.contains("Geheim-verhaal-6060"))
            #expect(!mail.contains("het-baken"))
        }
    }

    @Test func aFloodOfReportsIsHeldBackWithTheFormKept() async throws {
        try await withVertrouwd({ $0.submissionsPerMinute = 2 }) { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            for i in 0..<2 {
                #expect(try await Browser(app).post("/o/het-baken/melden", [("story", "melding \(i)")]).status == .ok)
            }
            let held = try await Browser(app).post("/o/het-baken/melden", [("story", "Mijn derde verhaal")])
            #expect(held.status == .tooManyRequests)
            #expect(held.body.string.contains("Het is nu erg druk. Er is nog niets verstuurd."))
            #expect(held.body.string.contains("Mijn derde verhaal"))
            #expect(try await count(Case.self, app) == 2)
        }
    }

    @Test func theFloodGuardCountsPerSenderAndPerOrganisation() {
        let guardian = FloodGuard(perOrganisation: 3, perSource: 2, sourceWindow: 600)
        let (a, b) = (UUID(), UUID())
        let (one, two, three) = (Source(address: "127.0.0.2"), Source(address: "127.0.0.3"), Source(address: "127.0.0.4"))
        let t = Date()
        #expect(guardian.admit(organisation: a, source: one, now: t) == .allowed)
        #expect(guardian.admit(organisation: a, source: one, now: t) == .allowed)
        // The sender's share is full for ten minutes; what it is refused counts for no one else.
        for _ in 0..<50 { #expect(guardian.admit(organisation: a, source: one, now: t.addingTimeInterval(30)) == .senderFull(minutes: 10)) }
        #expect(guardian.admit(organisation: a, source: two, now: t.addingTimeInterval(30)) == .allowed)
        // Three in one minute fill the organisation's minute: the next sender waits, elsewhere not.
        #expect(guardian.admit(organisation: a, source: three, now: t.addingTimeInterval(31)) == .organisationFull(minutes: 1))
        #expect(guardian.admit(organisation: b, source: three, now: t.addingTimeInterval(31)) == .allowed)
        #expect(guardian.admit(organisation: a, source: three, now: t.addingTimeInterval(91)) == .allowed)
        #expect(guardian.admit(organisation: a, source: one, now: t.addingTimeInterval(601)) == .allowed)
        #expect(guardian.lastFlood(at: a, now: t.addingTimeInterval(700)) != nil && guardian.lastFlood(at: b) == nil)
        // An IPv6 sender counts per /64; its address cannot be read back from the fingerprint.
        #expect(Source(address: "2001:db8:1:2::1") == Source(address: "2001:db8:1:2:ffff::9"))
        #expect(Source(address: "2001:db8:1:2::1") != Source(address: "2001:db8:1:3::1"))
        #expect(!Source(address: "127.0.0.2").fingerprint.contains("127"))
        // A dual-stack socket reports IPv4 senders mapped into IPv6: each is its own sender still.
        #expect(Source(address: "::ffff:192.0.2.1") == Source(address: "192.0.2.1"))
        #expect(Source(address: "::ffff:192.0.2.1") != Source(address: "::ffff:192.0.2.2"))
        #expect(Source.normalised("2001:DB8:0:0::1") == "2001:db8::1")
    }
}
