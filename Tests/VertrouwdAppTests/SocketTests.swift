import Fluent
import Foundation
import Testing
import VaporTesting
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdReports
import VertrouwdStore

/// Forms as a browser sends them: over a real TCP connection to the running server, so a body
/// past the first read (~2 KB) arrives streamed. In-process tests hand the body over whole and
/// once hid a CSRF check that refused every long story.
@Suite("Real socket: long forms and attachments reach every route")
struct SocketTests {
    /// Text as a frightened employee types it on a phone: Dutch diacritics, emoji, line breaks,
    /// typographic quotes; no digits (advice text may not name small numbers).
    static func story(characters: Int) -> String {
        let sentences = [
            "Het begon vlak na de reorganisatie op de afdeling Zorg.",
            "Mijn leidinggevende maakt opmerkingen over mijn geloof en mijn accent 😔.",
            "Collega’s lachen mee; één collega zei dat ik me niet zo moet aanstellen.",
            "Ik slaap slecht en zie op tegen maandag — ik weet niet of ik dit moet melden 🙏🏽.",
            "De coördinatie van de roosters gaat via hem, dus ik krijg steeds de late diensten.\n",
            "Ik wil niet dat hij weet dat ik hier heb geschreven. Café-gesprekken vermijd ik nu.\n\n",
        ]
        var text = ""
        var i = 0
        while text.count < characters {
            text += sentences[i % sentences.count] + " "
            i += 1
        }
        return String(text.prefix(characters - 1)) + "."
    }

    /// A real, small PDF document padded to about `bytes` with a comment stream.
    static func pdf(bytes: Int) -> Data {
        var text = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        text += "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        text += "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >> endobj\n"
        let padding = String(repeating: "% opvulling\n", count: max(0, bytes / 12))
        text += "4 0 obj << /Length \(padding.utf8.count) >> stream\n\(padding)endstream endobj\n"
        text += "trailer << /Root 1 0 R >>\n%%EOF\n"
        return Data(text.utf8)
    }

    /// A JPEG as a camera app writes one: JFIF, then (with `gps`) an EXIF segment with a GPS
    /// position, the scan header and `bytes` of image data.
    static func jpeg(bytes: Int, gps: Bool = false) -> Data {
        var out = Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]) + Data("JFIF\0".utf8) + Data([1, 1, 0, 0, 1, 0, 1, 0, 0])
        if gps {
            let exif = Data("Exif\0\0".utf8) + Data("GPSLatitude 52.0907 N GPSLongitude 5.1214 E Maker: Telefoon van Anna".utf8)
            out += Data([0xFF, 0xE1, UInt8((exif.count + 2) >> 8), UInt8((exif.count + 2) & 0xFF)]) + exif
        }
        out += Data([0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0])
        // Picture data as a JPEG holds it: a 0xFF in it would be followed by a stuffed 0x00.
        return out + Data((0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 31) & 0xFE }) + Data([0xFF, 0xD9])
    }

    @Test func aLongStoryWithThreeAttachmentsGoesThroughASocketAndReadsBackInTheMailbox() async throws {
        try await withVertrouwd { app in
            // setup
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let story = Self.story(characters: 10_000)
            let pdf = Self.pdf(bytes: 9 * 1024 * 1024)
            let docx = try ReportWriters.letterDocx(title: "Verslag", lines: ["Aan: de vertrouwenspersoon"], body: Self.story(characters: 2_000))
            let reporter = Browser(app, over: .socket)
            #expect(try await reporter.get("/o/het-baken/melden").status == .ok)

            // MUT
            let receipt = try await reporter.postMultipart("/o/het-baken/melden", [("counsellor", anna.id.uuidString), ("story", story), ("contactWish", "no")],
                                                           files: [("files[]", "verslag.pdf", pdf), ("files[]", "foto.jpg", Self.jpeg(bytes: 300_000)),
                                                                   ("files[]", "brief.docx", docx)])

            // validate
            #expect(receipt.status == .ok)
            let code = try receiptCode(in: receipt.body.string)
            let later = Browser(app, over: .socket)
            #expect(try await later.post("/postbus", [("code", code)]).status == .seeOther)
            let box = try await later.get("/postbus").body.string
            #expect(unfolded(box).contains(story), "the whole story reads back, diacritics, emoji and line breaks included")
            #expect(box.contains("<details class=\"more\"><summary>Lees verder</summary>"), "a long story shows its start and folds the rest")
            for name in ["verslag.pdf", "foto.jpg", "brief.docx"] { #expect(box.contains(name)) }
            let stored = try await Attachment.query(on: app.db).all()
            #expect(stored.map(\.size).sorted() == [docx.count, Self.jpeg(bytes: 300_000).count, pdf.count].sorted())

            let counsellor = Browser(app, over: .socket)
            try await counsellor.login(anna)
            let record = try #require(try await Case.query(on: app.db).first())
            let pdfRow = try #require(stored.first { $0.kind == "pdf" })
            let download = try await counsellor.get("/cases/\(record.id!)/attachments/\(pdfRow.id!)")
            #expect(download.status == .ok)
            #expect(Data(buffer: download.body) == pdf, "the counsellor downloads exactly what was sent")
        }
    }

    @Test func attachmentsOverTheLimitGiveTheFormBackWithTheStoryAndChangeNothing() async throws {
        try await withVertrouwd { app in
            // setup
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let story = Self.story(characters: 3_000)
            let big = Self.pdf(bytes: 12 * 1024 * 1024)
            let reporter = Browser(app, over: .socket)

            // MUT: three files of 12 MB are over the route's 32 MB.
            let refused = try await reporter.postMultipart("/o/het-baken/melden", [("counsellor", anna.id.uuidString), ("story", story)],
                                                           files: [("files[]", "a.pdf", big), ("files[]", "b.pdf", big), ("files[]", "c.pdf", big)])
            let english = try await Browser(app, over: .socket).postMultipart("/o/het-baken/melden?lang=en", [("counsellor", anna.id.uuidString), ("story", story)],
                                                           files: [("files[]", "a.pdf", big), ("files[]", "b.pdf", big), ("files[]", "c.pdf", big)])

            // validate
            #expect(refused.status == .payloadTooLarge)
            let html = refused.body.string
            #expect(html.contains("Je bijlagen zijn samen groter dan 32 MB"))
            #expect(html.contains(">\(story)</textarea>"), "the story is back in its field, ready to send again")
            #expect(html.contains("<form method=\"post\" action=\"/o/het-baken/melden\""))
            #expect(english.body.string.contains("Your attachments together are larger than 32 MB"))
            // With a token that no longer matches, "too large" is still what the reporter hears:
            // "expired" would cost a second upload of 36 MB before learning the real reason.
            let expiredToo = try await Browser(app, over: .socket).postMultipart("/o/het-baken/melden", [("counsellor", anna.id.uuidString), ("story", story)],
                                                                               files: [("files[]", "a.pdf", big), ("files[]", "b.pdf", big), ("files[]", "c.pdf", big)],
                                                                               csrf: "van-gisteren")
            #expect(expiredToo.body.string.contains("Je bijlagen zijn samen groter dan 32 MB"))
            #expect(try await count(Case.self, app) == 0)
            #expect(try await count(Attachment.self, app) == 0)

            // One file of 12 MB fits the body limit but not the file rule: the same form, its own message.
            let one = try await reporter.postMultipart("/o/het-baken/melden", [("counsellor", anna.id.uuidString), ("story", story)],
                                                       files: [("files[]", "groot.pdf", big)])
            #expect(one.status == .unprocessableEntity)
            #expect(one.body.string.contains("Het bestand groot.pdf is groter dan 10 MB."))
            #expect(one.body.string.contains(">\(story)</textarea>"))
            #expect(try await count(Case.self, app) == 0)
        }
    }

    @Test func anExpiredReportFormComesBackFilledInAndSendsTheSecondTime() async throws {
        try await withVertrouwd { app in
            // setup
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let story = Self.story(characters: 5_000)
            let reporter = Browser(app, over: .socket)
            _ = try await reporter.get("/o/het-baken/melden")

            // MUT: an old tab's token
            let refused = try await reporter.post("/o/het-baken/melden", [("_csrf", "van-een-oud-tabblad"), ("counsellor", anna.id.uuidString),
                                                                          ("story", story)], csrf: false)

            // validate
            #expect(refused.status == .forbidden)
            #expect(refused.body.string.contains("Dit formulier was verlopen"))
            #expect(refused.body.string.contains(">\(story)</textarea>"))
            #expect(try await count(Case.self, app) == 0)
            let token = try #require(Browser.hiddenCSRF(in: refused.body.string))
            let again = try await reporter.post("/o/het-baken/melden", [("_csrf", token), ("counsellor", anna.id.uuidString), ("story", story)], csrf: false)
            #expect(again.status == .ok, "the form drawn again carries a token that works")

            // Expired with a file chosen: the story stays, and the reporter is told to choose the file again.
            let withFile = try await reporter.postMultipart("/o/het-baken/melden", [("counsellor", anna.id.uuidString), ("story", story)],
                                                            files: [("files[]", "bewijs.pdf", Self.pdf(bytes: 50_000))], csrf: "verlopen")
            #expect(withFile.status == .forbidden)
            #expect(withFile.body.string.contains("Kies je bijlagen opnieuw"))
            #expect(withFile.body.string.contains(">\(story)</textarea>"))
            #expect(try await count(Case.self, app) == 1)

            // A post from another site gets the plain refusal, not our form filled in with its text.
            let forged = try await Browser(app, over: .socket).post("/o/het-baken/melden", [("_csrf", "geraden"), ("story", "Tekst van een ander")],
                                                                    csrf: false, headers: ["Sec-Fetch-Site": "cross-site"])
            #expect(forged.status == .forbidden)
            #expect(!forged.body.string.contains("action=\"/o/het-baken/melden\""))
            #expect(!forged.body.string.contains("Tekst van een ander"), "another site's text is not shown on our page")
            #expect(try await count(Case.self, app) == 1)
        }
    }

    @Test func aTwentyThousandCharacterNoteAndAdviceAreSavedOverASocket() async throws {
        try await withVertrouwd { app in
            // setup
            let (c, browser) = try await app.counsellorWithCase(over: .socket)
            let note = Self.story(characters: 20_000)
            // "één collega" would name a small number to management: the advice check refuses it.
            let advice = Self.story(characters: 20_000).replacingOccurrences(of: "één collega", with: "iemand")

            // MUT
            let saved = try await browser.post("/cases/\(c.id!)/notes", [("body", note)])
            let letter = try await browser.post("/organisations/\(c.$organisation.id)/advice",
                                                [("subject", "Omgangsvormen op de afdeling"), ("body", advice), ("solicited", "no"),
                                                 ("day", Day(Date()).iso), ("hours", "1")])

            // validate
            #expect(saved.status == .seeOther)
            #expect(unfolded(try await browser.get("/cases/\(c.id!)").body.string).contains(note))
            #expect(letter.status == .seeOther)
            let location = try #require(letter.headers.first(name: .location))
            #expect(try await browser.get(location).body.string.contains(advice))
        }
    }

    @Test func aStaffFormOverItsLimitShowsWhatWasTypedWithDutchLabels() async throws {
        try await withVertrouwd { app in
            // setup
            let (c, browser) = try await app.counsellorWithCase(over: .socket)
            let notes = try await count(CaseNote.self, app)
            let remark = "Besproken met de melder op het werk, na de dienst."

            // MUT: a note of a million characters (6 MB url-encoded), over the 2 MB of a text form
            let refused = try await browser.post("/cases/\(c.id!)/notes", [("consentRemark", remark), ("body", String(repeating: "é", count: 1_000_000))])
            let login = try await Browser(app, over: .socket).post("/login", [("email", "anna@praktijk.nl"), ("password", String(repeating: "x", count: 100_000))])

            // validate
            #expect(refused.status == .payloadTooLarge)
            #expect(refused.body.string.contains("groter dan dit formulier aanneemt"))
            #expect(refused.body.string.contains("Toelichting bij de toestemming"), "kept text has a Dutch label, not a field name")
            #expect(refused.body.string.contains(remark))
            #expect(!refused.body.string.contains(">consentRemark<"))
            #expect(try await count(CaseNote.self, app) == notes)
            #expect(login.status == .payloadTooLarge)
            #expect(login.body.string.contains("Te groot"))
            #expect(!login.body.string.contains("xxxxxxxxxx"), "a password is never shown back")
        }
    }

    /// A practice with one of everything a route can name, and browsers over a real socket: an
    /// admin who is also a counsellor (logged in), a reporter with an open mailbox.
    struct Everything {
        let anna: TestAccount
        let staff: Browser
        let reporter: Browser
        let parameters: [String: String]

        func path(_ route: Route) -> String {
            "/" + route.path.map { component -> String in
                if case .parameter(let name) = component { return parameters[name] ?? "onbekend-\(name)" }
                return component.description
            }.joined(separator: "/")
        }

        /// The browser a route is for: the reporter's, a fresh visitor's, or staff.
        func browser(for path: String, _ app: Application) -> Browser {
            if path.hasPrefix("/o/") || path.hasPrefix("/postbus") { return reporter }
            if path.hasPrefix("/login") || path.hasPrefix("/setup") { return Browser(app, over: .socket) }
            return staff
        }
    }

    func everything(_ app: Application) async throws -> Everything {
        let anna = try await app.makeAccount("anna@praktijk.nl", admin: true)
        let bram = try await app.makeAccount("bram@praktijk.nl")
        let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
        let year = ContractYear()
        year.$organisation.id = org.id!
        year.startsOn = Day(Date()).adding(days: -10); year.endsOn = Day(Date()).adding(days: 355)
        year.budgetMinutes = 600; year.focusPoints = ""
        try await year.create(on: app.db)
        let reporter = Browser(app, over: .socket)
        let receipt = try await reporter.postMultipart("/o/het-baken/melden", [("counsellor", anna.id.uuidString), ("story", Self.story(characters: 4_000))],
                                                       files: [("files[]", "verslag.pdf", Self.pdf(bytes: 20_000))])
        let code = try receiptCode(in: receipt.body.string)
        let c = try #require(try await Case.query(on: app.db).first())
        let attachment = try #require(try await Attachment.query(on: app.db).first())
        let staff = Browser(app, over: .socket)
        try await staff.login(anna)
        #expect(try await staff.post("/cases/\(c.id!)/mailbox/record", [("body", Self.story(characters: 3_000))]).status == .seeOther)
        let record = try #require(try await MailboxMessage.query(on: app.db).filter(\.$kind == .record).first())
        let advice = try await staff.post("/organisations/\(org.id!)/advice", [("subject", "Omgangsvormen"), ("body", "Een advies aan de directie."),
                                                                            ("solicited", "yes"), ("day", Day(Date()).iso), ("hours", "1")])
        let adviceID = try #require(advice.headers.first(name: .location)?.split(separator: "/").last)
        #expect(try await staff.post("/cases/\(c.id!)/time", [("day", Day(Date()).iso), ("hours", "1")]).status == .seeOther)
        let entry = try #require(try await TimeEntry.query(on: app.db).filter(\.$caseID == c.id!).first())
        let contact = OrganisationContact()
        contact.$organisation.id = org.id!
        contact.role = .hr; contact.name = "Hanna de Vries"; contact.email = ""; contact.phone = ""
        try await contact.create(on: app.db)
        #expect(try await reporter.post("/postbus", [("code", code)]).status == .seeOther)
        return Everything(anna: anna, staff: staff, reporter: reporter, parameters: [
            "slug": "het-baken", "orgID": org.id!.uuidString, "yearID": year.id!.uuidString, "caseID": c.id!.uuidString,
            "messageID": record.id!.uuidString, "adviceID": String(adviceID), "userID": bram.id.uuidString,
            "attachmentID": attachment.id!.uuidString, "format": "json", "file": "onbekend.ics",
            "correctable": "contact", "rowID": contact.id!.uuidString, "entryID": entry.id!.uuidString])
    }

    /// Every GET route, found from the router, answers over a real socket without a server error.
    @Test func everyGetRouteAnswersOverARealSocket() async throws {
        try await withVertrouwd { app in
            // setup
            let all = try await everything(app)
            let routes = app.routes.all.filter { $0.method == .GET }
            #expect(routes.count >= 25)

            for route in routes {
                // MUT
                let path = all.path(route)
                let answer = try await all.browser(for: path, app).get(path)

                // validate
                #expect(answer.status.code < 500, "\(path) answered \(answer.status.code)")
                #expect(answer.status != .notFound || path.contains("onbekend") || route.path.string.hasPrefix("setup"),
                        "\(path) is found")
            }
        }
    }

    /// Every POST route in the app, found from the router (so a new route is covered the day it
    /// is added), gets a long form over a real socket. The assertion is what broke before: the
    /// form must reach its handler (no "form expired", no "too large"), whatever the handler
    /// then says of the content.
    @Test func everyPostRouteTakesALongFormOverARealSocket() async throws {
        try await withVertrouwd { app in
            // setup
            let all = try await everything(app)
            // Ending a session comes last, so the other routes still have theirs.
            let routes = app.routes.all.filter { $0.method == .POST }
                .sorted { ($0.path.string.hasSuffix("logout") ? 1 : 0, $0.path.string) < ($1.path.string.hasSuffix("logout") ? 1 : 0, $1.path.string) }
            #expect(routes.count >= 40)
            for route in routes {
                #expect(route.userInfo[AnySendableHashable(BodyLimit.routeKey)] != nil, "\(route.path.string) names its body limit in routes.swift")
            }

            for route in routes {
                // MUT
                let path = all.path(route)
                let browser = all.browser(for: path, app)
                let length = route.bodyLimit == .small ? 3_000 : 20_000
                let text = Self.story(characters: length)
                let answer = try await browser.post(path, [("body", text), ("story", text), ("note", text), ("name", "Naam"), ("code", "123456"),
                                                            ("counsellors[]", all.anna.id.uuidString)])

                // validate
                let html = answer.body.string
                #expect(answer.status != .forbidden || !html.contains("Formulier verlopen"), "\(path): the token was read from the whole body")
                #expect(!html.contains("Dit formulier was verlopen"), "\(path): the token was read from the whole body")
                #expect(answer.status != .payloadTooLarge, "\(path): a form of \(length) characters is within the limit")
                #expect(answer.status != .internalServerError, "\(path)")
            }
        }
    }
}
