import Fluent
import Foundation
import Testing
import Vapor
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

/// The reporter's mailbox showed the case's summary as "Wat je stuurde", and the counsellor's
/// details form overwrites the summary: whoever held the receipt code read the counsellor's
/// working assessment, and the reporter's own words were gone.
@Suite("The reporter's words stay theirs")
struct ReporterWordsTests {
    static let story = "Mijn leidinggevende schreeuwt elke week tegen me, waar iedereen bij is."
    static let assessment = "Geïntimideerd door directeur P. Jansen; ik schat in dat melder overspannen is."

    static func details(summary: String) -> [(String, String)] {
        [("kind", "personal_integrity"), ("categories[]", "bullying"), ("reporterRole", "affected_employee"), ("channel", "web_form"), ("relation", "manager"),
         ("regime", "confidential"), ("summary", summary)]
    }

    /// A web report with a topic, over a socket; the reporter (logged in to the mailbox), the
    /// counsellor's browser and the case.
    static func report(_ app: Application) async throws -> (Browser, Browser, Case) {
        let anna = try await app.makeAccount("anna@praktijk.nl")
        _ = try await app.makeOrganisation("de-linde", counsellors: [anna])
        let reporter = Browser(app, over: .from("127.0.0.2"))
        let receipt = try await reporter.post("/o/de-linde/melden", [("topic", "bullying"), ("story", story), ("contactWish", "no")])
        #expect(receipt.status == .ok)
        #expect(try await reporter.post("/postbus", [("code", try receiptCode(in: receipt.body.string))]).status == .seeOther)
        let counsellor = Browser(app, over: .from("127.0.0.3"))
        try await counsellor.login(anna)
        return (reporter, counsellor, try #require(try await Case.query(on: app.db).first()))
    }

    static func fileText(_ reporter: Browser, _ record: Case) async throws -> String {
        let zip = try await reporter.get("/postbus/file")
        #expect(zip.status == .ok)
        // The printout is the first entry, stored: its bytes are in the ZIP as they are.
        return String(decoding: Data(buffer: zip.body), as: UTF8.self)
    }

    @Test func theCounsellorsSummaryNeverReachesTheMailboxAndTheStoryStaysAsSent() async throws {
        try await withVertrouwd { app in
            // setup
            let (reporter, counsellor, record) = try await Self.report(app)

            // MUT: the counsellor accepts the case with their own assessment as the summary
            let saved = try await counsellor.post("/cases/\(record.id!)/details", Self.details(summary: Self.assessment))
            #expect(saved.status == .seeOther)

            // validate: the mailbox and the reporter's file show the story and the answers as sent
            let mailbox = try await reporter.get("/postbus").body.string
            #expect(mailbox.contains(Self.story) && mailbox.contains("Pesten") && mailbox.contains("Nee, ik lees de antwoorden in mijn postbus"))
            #expect(!mailbox.contains("overspannen") && !mailbox.contains("Jansen"))
            let file = try await Self.fileText(reporter, record)
            #expect(file.contains(Self.story) && !file.contains("overspannen"))
            // the counsellor sees both, apart
            let page = try await counsellor.get("/cases/\(record.id!)").body.string
            #expect(page.contains("Wat de melder stuurde") && page.contains(Self.story) && page.contains("overspannen"))
            // and the reporter's words cannot be changed by a form: they are sealed once, at intake
            let row = try #require(try await Case.find(record.id, on: app.db))
            let words = ReporterWords(stored: try app.keys.caseKey(of: row).open(row, \.$reporterWordsSealed))
            #expect(words?.text == Self.story)
        }
    }

    /// A web report from before the words were kept apart: shown while the audit log shows the
    /// summary was never saved over; after that, the mailbox says so instead of showing it.
    @Test func anOlderReportShowsItsStoryOnlyUntilTheCounsellorSavedOverIt() async throws {
        try await withVertrouwd { app in
            // setup: as an upgraded database has it
            let (reporter, counsellor, record) = try await Self.report(app)
            let row = try #require(try await Case.find(record.id, on: app.db))
            row.reporterWordsSealed = ""
            try await row.save(on: app.db)
            #expect(try await reporter.get("/postbus").body.string.contains(Self.story), "never edited: still the reporter's words")

            // MUT
            #expect(try await counsellor.post("/cases/\(record.id!)/details", Self.details(summary: Self.assessment)).status == .seeOther)

            // validate
            let mailbox = try await reporter.get("/postbus").body.string
            #expect(!mailbox.contains("overspannen") && !mailbox.contains(Self.story))
            #expect(mailbox.contains("Je eerste melding staat hier niet"))
            #expect(try await Self.fileText(reporter, record).contains("Je eerste melding staat hier niet"))
        }
    }

    /// A case a counsellor opened, with a receipt code given to the reporter afterwards: the
    /// counsellor's text is not "what you sent".
    @Test func aCaseTheCounsellorOpenedShowsNoTextOfTheirsInTheMailbox() async throws {
        try await withVertrouwd { app in
            // setup: recorded as having come in by web form, as a counsellor may choose
            let (c, counsellor) = try await app.counsellorWithCase(summary: Self.assessment, over: .from("127.0.0.3"))
            let row = try #require(try await Case.find(c.id, on: app.db))
            row.channel = .webForm
            try await row.save(on: app.db)
            let issued = try await counsellor.post("/cases/\(c.id!)/mailbox/open", [])
            let reporter = Browser(app, over: .from("127.0.0.2"))

            // MUT
            #expect(try await reporter.post("/postbus", [("code", try receiptCode(in: issued.body.string))]).status == .seeOther)

            // validate
            let mailbox = try await reporter.get("/postbus").body.string
            #expect(!mailbox.contains("overspannen") && mailbox.contains("Je eerste melding staat hier niet"))
        }
    }

    @Test func theMenuCountsNewReportsAndUnreadMessagesForTheirCounsellorOnly() async throws {
        try await withVertrouwd { app in
            // setup: a new web report for Anna; Bram serves another organisation; an admin
            let (reporter, counsellor, record) = try await Self.report(app)
            let bram = try await app.makeAccount("bram@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [bram])
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let others = Browser(app, over: .from("127.0.0.4"))
            try await others.login(bram)
            let desk = Browser(app, over: .from("127.0.0.5"))
            try await desk.login(admin)
            let one = "1<span class=\"visually-hidden\"> nieuw of ongelezen</span>"

            // MUT + validate: the new report counts on every page of Anna's, not on the others'
            #expect(try await counsellor.get("/organisations").body.string.contains(one))
            #expect(!(try await others.get("/").body.string.contains("nieuw of ongelezen")))
            #expect(!(try await desk.get("/").body.string.contains("nieuw of ongelezen")))
            // taken on and read: nothing waits
            #expect(try await counsellor.post("/cases/\(record.id!)/details", Self.details(summary: "Samenvatting")).status == .seeOther)
            _ = try await counsellor.get("/cases/\(record.id!)")
            #expect(!(try await counsellor.get("/").body.string.contains("nieuw of ongelezen")))
            // the reporter writes again: it counts until Anna opens the case
            #expect(try await reporter.post("/postbus/messages", [("body", "Het gebeurt weer.")]).status == .ok)
            #expect(try await counsellor.get("/cases").body.string.contains(one))
            let opened = try await counsellor.get("/cases/\(record.id!)").body.string
            #expect(opened.contains("Het gebeurt weer.") && !opened.contains("nieuw of ongelezen"), "the page that reads the message counts without it")
            #expect(!(try await counsellor.get("/cases").body.string.contains("nieuw of ongelezen")))
        }
    }
}

/// The receipt page's language switch loaded an empty form and lost the only copy of the code; a
/// wrong code cleared all 28 digits typed.
@Suite("The receipt code is never lost on the way")
struct ReceiptCodeKeptTests {
    @Test func theReceiptCodeSurvivesTheLanguageSwitch() async throws {
        try await withVertrouwd { app in
            // setup
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("de-linde", counsellors: [anna])
            let reporter = Browser(app, over: .from("127.0.0.2"))
            let receipt = try await reporter.post("/o/de-linde/melden", [("story", "Mijn verhaal."), ("contactWish", "no")]).body.string
            let code = try receiptCode(in: receipt)
            #expect(!receipt.contains("href=\"?lang="), "no link away from the only copy of the code")
            #expect(receipt.contains("action=\"/o/de-linde/ontvangst?lang=en\"") && receipt.contains("In English: this is your receipt code."))
            let hidden = Dictionary(uniqueKeysWithValues: receipt.matches(of: /<input type="hidden" name="([a-z]+)" value="([^"]*)">/)
                .map { (String($0.1), String($0.2)) }.filter { ["code", "reference", "at", "seal"].contains($0.0) })
            #expect(hidden.count == 4)

            // MUT: the switch, as the browser posts it
            let english = try await reporter.post("/o/de-linde/ontvangst?lang=en", hidden.map { ($0.key, $0.value) })

            // validate: the same code and reference, in English, and a switch back
            #expect(english.status == .ok)
            #expect(try receiptCode(in: english.body.string) == code)
            #expect(english.body.string.contains("Write this code down") && english.body.string.contains(hidden["reference"] ?? "?"))
            #expect(english.body.string.contains("action=\"/o/de-linde/ontvangst?lang=nl\""))
            #expect(try await count(Case.self, app) == 1, "nothing made twice")
            // what is not a code and a reference gives the form, not a page; another site cannot post it
            let forged = try await reporter.post("/o/de-linde/ontvangst?lang=en", [("code", "<b>1234</b>"), ("reference", "x")])
            #expect(forged.status == .seeOther && forged.headers.first(name: .location) == "/o/de-linde/melden")
            // a well-formed receipt we never issued (another reference under the same seal) is not drawn
            var other = hidden
            other["reference"] = "2026-0999"
            let unsealed = try await reporter.post("/o/de-linde/ontvangst?lang=en", other.map { ($0.key, $0.value) })
            #expect(unsealed.status == .seeOther && !unsealed.body.string.contains("2026-0999"))
            let crossSite = try await reporter.post("/o/de-linde/ontvangst?lang=en", hidden.map { ($0.key, $0.value) }, csrf: false)
            #expect(crossSite.status == .forbidden && !crossSite.body.string.contains(code))
        }
    }

    @Test func aWrongCodeComesBackAsTypedAndTheTitleHasNoLooseSeparator() async throws {
        try await withVertrouwd { app in
            let reporter = Browser(app, over: .from("127.0.0.2"))
            let login = try await reporter.get("/postbus").body.string
            #expect(login.contains("<title>Je postbus</title>"), "no \" · \" before an empty name")
            let typed = "1234 5678 9012 3456 7890 1234 5678"
            let wrong = try await reporter.post("/postbus", [("code", typed)])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.body.string.contains("value=\"\(typed)\""))
            // something hostile typed comes back escaped, not as markup
            let hostile = try await reporter.post("/postbus", [("code", "\"><script>x</script>")])
            #expect(!hostile.body.string.contains("<script>x") && hostile.body.string.contains("&quot;&gt;&lt;script&gt;"))
        }
    }
}

/// A reporter's message on a closed case said "Verstuurd." and reached nobody: the dashboard read
/// open cases only, and a closed case had no reply form.
@Suite("A message on a closed case reaches the counsellor")
struct ClosedCaseMessageTests {
    @Test func theDashboardListsItAndTheCounsellorCanAnswerWithoutReopening() async throws {
        try await withVertrouwd { app in
            // setup: a web report, closed
            let (reporter, counsellor, record) = try await ReporterWordsTests.report(app)
            let row = try #require(try await Case.find(record.id, on: app.db))
            row.status = .closed
            row.closedOn = Day(Date())
            row.outcome = .heard
            try await row.save(on: app.db)
            #expect(!(try await counsellor.get("/").body.string.contains("Nieuwe berichten in een postbus")))

            // MUT
            #expect(try await reporter.post("/postbus/messages", [("body", "Het gebeurt weer, sinds vorige week.")]).status == .ok)

            // validate: on the dashboard, marked closed; answered from the case page; read by the reporter
            let dashboard = try await counsellor.get("/").body.string
            #expect(dashboard.contains("Nieuwe berichten in een postbus") && dashboard.contains(record.reference)
                    && dashboard.contains("<span class=\"badge\">afgesloten</span>"))
            let page = try await counsellor.get("/cases/\(record.id!)").body.string
            #expect(page.contains("Het gebeurt weer") && page.contains("Bericht aan de melder"))
            #expect(!(try await counsellor.get("/").body.string.contains("Nieuwe berichten in een postbus")), "read on the case page")
            let reply = try await counsellor.post("/cases/\(record.id!)/mailbox/reply", [("body", "Dank je. Zullen we deze week bellen?")])
            #expect(reply.status == .seeOther)
            #expect(try await reporter.get("/postbus").body.string.contains("Zullen we deze week bellen?"))
            #expect(try await Case.find(record.id, on: app.db)?.status == .closed, "answered without reopening")
            // a record still belongs to a running case: refused, and none is made
            _ = try await counsellor.post("/cases/\(record.id!)/mailbox/record", [("body", "Verslag")])
            #expect(try await MailboxMessage.query(on: app.db).filter(\.$kind == .record).count() == 0)
        }
    }
}

/// The case list had no search, filter or sorting.
@Suite("Finding a case")
struct CaseSearchTests {
    @Test func searchFindsACaseByReferenceOrganisationStatusAndYearOnPlainColumns() async throws {
        try await withVertrouwd { app in
            // setup: three cases at two organisations, one closed, one from last year
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let baken = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let linde = try await app.makeOrganisation("de-linde", counsellors: [anna])
            let today = Day(Date())
            let a = try await app.makeCase(for: anna, at: baken, summary: "Eerste")
            let b = try await app.makeCase(for: anna, at: linde, summary: "Tweede", openedOn: Day(year: today.year - 1, month: 6, day: 15)!)
            let c = try await app.makeCase(for: anna, at: linde, summary: "Derde")
            let closed = try #require(try await Case.find(c.id, on: app.db))
            closed.status = .closed; closed.closedOn = today; closed.outcome = .heard
            try await closed.save(on: app.db)
            let browser = Browser(app, over: .from("127.0.0.2"))
            try await browser.login(anna)
            func found(_ query: String) async throws -> Set<String> {
                let html = try await browser.get("/cases?" + query).body.string
                return Set(html.matches(of: /<a href="\/cases\/[^"]+">(\d{4}-\d{4})<\/a>/).map { String($0.1) })
            }

            // MUT + validate
            let number = String(a.reference.suffix(4))
            #expect(try await found("q=\(number)") == [a.reference, b.reference], "by part of the reference: that number in both years")
            #expect(try await found("q=\(a.reference)") == [a.reference])
            #expect(try await found("organisation=\(linde.id!)") == [b.reference], "open cases only, unless asked")
            #expect(try await found("organisation=\(linde.id!)&closed=1") == [b.reference, c.reference])
            #expect(try await found("status=closed") == [c.reference])
            #expect(try await found("year=\(today.year - 1)&closed=1") == [b.reference])
            let oldestFirst = try await browser.get("/cases?closed=1&order=oldest").body.string
            #expect(try #require(oldestFirst.range(of: b.reference)).lowerBound < (try #require(oldestFirst.range(of: a.reference))).lowerBound)
            // hostile values are left out, not run
            let hostile = try await browser.get("/cases?q=%27%20OR%201%3D1%20--&status=x&organisation=y&year=99999&order=z")
            #expect(hostile.status == .ok && hostile.body.string.contains("<h1>Meldingen</h1>"))
            // a closed case shows no "te laat"
            #expect(!(try await browser.get("/cases?status=closed").body.string.contains("te laat")))
        }
    }
}
