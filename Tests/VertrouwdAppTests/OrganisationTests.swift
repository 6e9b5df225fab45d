import Fluent
import Foundation
import Testing
import VaporTesting
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

@Suite("Organisations, contracts and hours")
struct OrganisationTests {
    let newOrganisation: [(String, String)] = [("name", "Zorggroep Het Baken"), ("slug", "het-baken"), ("sector", "care"), ("employees", "640"),
                                               ("departments", "Verpleging\nThuiszorg"), ("email", "vp@baken.nl")]

    @Test func anAdminCreatesAnOrganisationAndTheWhistleblowerDutyShows() async throws {
        try await withVertrouwd { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let browser = Browser(app)
            try await browser.login(admin)
            let response = try await browser.post("/organisations", newOrganisation)
            #expect(response.status == .seeOther)
            let org = try #require(try await Organisation.query(on: app.db).first())
            #expect(org.slug == "het-baken" && org.departmentList == ["Verpleging", "Thuiszorg"])
            let page = try await browser.get("/organisations/\(org.id!)").body.string
            #expect(page.contains("meldregeling (Wet bescherming klokkenluiders) verplicht"))
            #expect(page.contains("/o/het-baken"))
        }
    }

    @Test func theOrganisationFormRefusesBadSlugsDuplicatesAndNonsenseKeepingInput() async throws {
        try await withVertrouwd { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            _ = try await app.makeOrganisation("het-baken")
            let browser = Browser(app)
            try await browser.login(admin)
            let duplicate = try await browser.post("/organisations", newOrganisation)
            #expect(duplicate.status == .unprocessableEntity)
            #expect(duplicate.body.string.contains("Dit adres is al in gebruik"))
            let bad = try await browser.post("/organisations", [("name", "Zorggroep Het Baken"), ("slug", "../Admin"), ("sector", "ruimtevaart"), ("employees", "-3")])
            #expect(bad.status == .unprocessableEntity)
            let html = bad.body.string
            #expect(html.contains("Gebruik alleen kleine letters"))
            #expect(html.contains("Kies een sector uit de lijst."))
            #expect(html.contains("moet een heel getal zijn"))
            #expect(html.contains("value=\"Zorggroep Het Baken\""))
            #expect(try await count(Organisation.self, app) == 1)
        }
    }

    @Test func aCounsellorSeesOnlyTheOrganisationsTheyServeAndCannotCreateOne() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let mine = try await app.makeOrganisation("mijn-org", counsellors: [anna])
            let other = try await app.makeOrganisation("andere-org")
            let browser = Browser(app)
            try await browser.login(anna)
            let list = try await browser.get("/organisations").body.string
            #expect(list.contains(mine.name))
            #expect(!list.contains(other.name))
            #expect(try await browser.get("/organisations/\(other.id!)").status == .notFound)
            #expect(try await browser.post("/organisations", newOrganisation).status == .forbidden)
        }
    }

    @Test func theBudgetWarnsAtEightyPercentAndWhenItIsUsedUp() async throws {
        try await withVertrouwd { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: true)
            let org = try await app.makeOrganisation("het-baken", counsellors: [admin])
            let browser = Browser(app)
            try await browser.login(admin)
            let start = Day(year: Day(Date()).year, month: 1, day: 1)!
            #expect(try await browser.post("/organisations/\(org.id!)/contract-years", [("start", start.iso), ("hours", "5")]).status == .seeOther)
            let year = try #require(try await ContractYear.query(on: app.db).first())
            #expect(year.endsOn == start.adding(months: 12).adding(days: -1) && year.budgetMinutes == 300)
            let overlap = try await browser.post("/organisations/\(org.id!)/contract-years", [("start", start.adding(months: 6).iso), ("hours", "5")])
            #expect(overlap.body.string.contains("overlapt"))
            // the refused form comes back in its own place, once and open; the admin's other forms stay
            let again = overlap.body.string
            #expect(again.components(separatedBy: "id=\"contract-year\"").count == 2)
            #expect(again.components(separatedBy: "<details class=\"disclosure\" open>").count == 2)
            for form in ["organisation", "counsellors", "contact", "phase", "time"] {
                #expect(again.contains("id=\"\(form)\""), "the \(form) form is on the page")
            }
            let formsInOrder = ["organisation", "counsellors", "contact", "phase", "contract-year", "time"].compactMap {
                again.range(of: "id=\"\($0)\"")?.lowerBound
            }
            #expect(formsInOrder == formsInOrder.sorted() && formsInOrder.count == 6)
            let today = Day(Date()).iso
            #expect(try await browser.post("/organisations/\(org.id!)/time", [("kind", "information_session"), ("day", today), ("hours", "4"), ("what", "Voorlichting"), ("participants", "23")]).status == .seeOther)
            #expect(try await browser.get("/organisations/\(org.id!)").body.string.contains("Let op: 80% van het tegoed is gebruikt."))
            #expect(try await browser.post("/organisations/\(org.id!)/time", [("kind", "workshop"), ("day", today), ("hours", "1:00"), ("what", "Grenzen stellen")]).status == .seeOther)
            #expect(try await browser.get("/").body.string.contains("Het tegoed is op (100%)"))
            let bad = try await browser.post("/organisations/\(org.id!)/time", [("day", today), ("hours", "0,3"), ("what", "")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("Vul het onderwerp in."))
            #expect(bad.body.string.contains("Kies de soort activiteit."))
            let hostile = try await browser.post("/organisations/\(org.id!)/time", [("kind", "drop table"), ("day", today), ("hours", "1"),
                                                                                      ("what", "<b>Grenzen</b> stellen"), ("participants", "-3")])
            #expect(hostile.status == .unprocessableEntity)
            #expect(hostile.body.string.contains("Kies de soort activiteit uit de lijst."))
            #expect(hostile.body.string.contains("Het aantal deelnemers moet een heel getal zijn van 0 tot en met 10000."))
            #expect(hostile.body.string.contains("&lt;b&gt;Grenzen&lt;/b&gt; stellen"))
            let long = try await browser.post("/organisations/\(org.id!)/time", [("kind", "workshop"), ("day", today), ("hours", "1"),
                                                                                   ("what", String(repeating: "x", count: 201))])
            #expect(long.body.string.contains("Het onderwerp is te lang: maximaal 200 tekens (nu 201)."))
            let page = try await browser.get("/organisations/\(org.id!)").body.string
            #expect(page.contains("Voorlichting") && page.contains("Grenzen stellen") && page.contains(">23<"))
            #expect(try await count(TimeEntry.self, app) == 2)
        }
    }

    @Test func phasesContactsAndCounsellorsAreRecorded() async throws {
        try await withVertrouwd { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let anna = try await app.makeAccount("anna@praktijk.nl", name: "Anna")
            let org = try await app.makeOrganisation("het-baken")
            let browser = Browser(app)
            try await browser.login(admin)
            #expect(try await browser.post("/organisations/\(org.id!)/phases", [("phase", "agreement_signed"), ("day", "2026-01-15")]).status == .seeOther)
            #expect(try await browser.post("/organisations/\(org.id!)/phases", [("phase", "verzonnen"), ("day", "2026-01-15")]).status == .unprocessableEntity)
            #expect(try await browser.post("/organisations/\(org.id!)/contacts", [("role", "works_council"), ("name", "S. Bakker")]).status == .seeOther)
            #expect(try await browser.post("/organisations/\(org.id!)/counsellors", [("counsellors[]", anna.id.uuidString)]).status == .seeOther)
            #expect(try await browser.post("/organisations/\(org.id!)/counsellors", [("counsellors[]", admin.id.uuidString)]).status == .unprocessableEntity)
            let page = try await browser.get("/organisations/\(org.id!)").body.string
            #expect(page.contains("Overeenkomst getekend"))
            #expect(page.contains("S. Bakker"))
            #expect(try await OrganisationCounsellor.query(on: app.db).count() == 1)
        }
    }
}

@Suite("Start-up, master key and demo")
struct StartupTests {
    @Test func aWrongMasterKeyRefusesToStart() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vt-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func settings(key: Settings.KeySource) -> Settings {
            var s = Settings(dataDirectory: dir, database: .sqliteFile(dir + "/vertrouwd.sqlite"), key: key, secureCookies: false, publicURL: nil)
            s.passwordCost = 4
            return s
        }
        if ProcessInfo.processInfo.environment["DATABASE_URL"] != nil { return } // file-based by nature; the key check itself is shared
        // First start: creates the key file, mode 0600.
        try await withVertrouwd({ $0 = settings(key: .file(dir + "/master.key")) }) { _ in }
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/master.key")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // Second start with the same key works.
        try await withVertrouwd({ $0 = settings(key: .file(dir + "/master.key")) }) { _ in }
        // Another key: refused.
        await #expect(throws: MasterKeyStore.Refusal.self) {
            try await withVertrouwd({ $0 = settings(key: .inline(.generate())) }) { _ in }
        }
        // The key file gone: refused, and no new key is written over the data.
        try FileManager.default.removeItem(atPath: dir + "/master.key")
        await #expect(throws: MasterKeyStore.Refusal.self) {
            try await withVertrouwd({ $0 = settings(key: .file(dir + "/master.key")) }) { _ in }
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/master.key"))
    }

    @Test func settingsNameEveryWrongVariable() throws {
        #expect(throws: Settings.Problem.self) {
            try Settings.fromEnvironment(["DATABASE_URL": "mysql://x", "VERTROUWD_SECURE_COOKIES": "misschien"])
        }
        do {
            _ = try Settings.fromEnvironment(["DATABASE_URL": "mysql://x", "VERTROUWD_SECURE_COOKIES": "misschien",
                                              "VERTROUWD_SUBMISSIONS_PER_MINUTE": "nul"])
            Issue.record("wrong settings were accepted")
        } catch let problem as Settings.Problem {
            #expect(problem.description.contains("DATABASE_URL"))
            #expect(problem.description.contains("VERTROUWD_SECURE_COOKIES"))
            #expect(problem.description.contains("VERTROUWD_SUBMISSIONS_PER_MINUTE"))
        }
        #expect(try Settings.fromEnvironment(["VERTROUWD_SUBMISSIONS_PER_MINUTE": "5"]).submissionsPerMinute == 5)
        let defaults = try Settings.fromEnvironment([:])
        #expect(defaults.dataDirectory == "./data")
        #expect(!defaults.secureCookies)
        #expect(try Settings.fromEnvironment(["VERTROUWD_PUBLIC_URL": "https://vp.example"]).secureCookies)
    }

    @Test func theDemoFillsAnEmptyDatabaseAndRefusesAFullOne() async throws {
        try await withVertrouwd { app in
            let result = try await DemoPractice.load(app: app, today: Day(Date()))
            #expect(result.organisations.count == 4)
            #expect(result.caseCount >= 40)
            #expect(result.logins.filter { $0.role == "counsellor" }.count == 2)
            let sizes = try await Organisation.query(on: app.db).all().map(\.employees)
            #expect(sizes.contains { $0 < 50 })
            let kinds = Set(try await Case.query(on: app.db).all().map(\.kind))
            #expect(kinds.count == 3)
            #expect(try await Audit.verify(db: app.db, key: app.keys.auditChainKey).broken == nil)
            await #expect(throws: DemoCommand.Refusal.self) { try await DemoPractice.load(app: app, today: Day(Date())) }
        }
    }

    @Test func hoursThatTakeTheBudgetPastAskFirstOnACaseAndOutsideIt() async throws {
        try await withVertrouwd { app in
            // setup: a year of 2 hours, 1,5 used
            let today = Day(Date())
            let (c, anna) = try await app.counsellorWithCase(over: .from("127.0.0.2"))
            let org = try #require(try await Organisation.find(c.$organisation.id, on: app.db))
            let year = ContractYear()
            year.$organisation.id = org.id!
            year.startsOn = today.adding(days: -30); year.endsOn = today.adding(days: 330)
            year.budgetMinutes = 120; year.focusPoints = ""
            try await year.create(on: app.db)
            #expect(try await anna.post("/cases/\(c.id!)/time", [("day", today.iso), ("hours", "1,5")]).status == .seeOther)

            // MUT: one more hour would pass it
            let asked = try await anna.post("/cases/\(c.id!)/time", [("day", today.iso), ("hours", "1")])

            // validate: asked, with the figures, the hours kept, nothing written
            #expect(asked.status == .unprocessableEntity)
            #expect(asked.body.string.contains("Hiermee gaat het tegoed van") && asked.body.string.contains("2,5 u van 2 u"))
            #expect(asked.body.string.contains("name=\"overBudget\"") && asked.body.string.contains("value=\"1\""))
            #expect(try await TimeEntry.query(on: app.db).count() == 1)
            #expect(try await anna.post("/cases/\(c.id!)/time", [("day", today.iso), ("hours", "1"), ("overBudget", "on")]).status == .seeOther)
            // past it already: no more questions (the badge says so)
            #expect(try await anna.post("/cases/\(c.id!)/time", [("day", today.iso), ("hours", "0,5")]).status == .seeOther)
            // outside a case the same, once the next year's budget is passed
            year.budgetMinutes = 240
            try await year.save(on: app.db)
            let activity = [("kind", "workshop"), ("what", "Workshop"), ("day", today.iso), ("hours", "2")]
            let askedAgain = try await anna.post("/organisations/\(org.id!)/time", activity)
            #expect(askedAgain.status == .unprocessableEntity && askedAgain.body.string.contains("5 u van 4 u"))
            #expect(try await anna.post("/organisations/\(org.id!)/time", activity + [("overBudget", "on")]).status == .seeOther)
            #expect(try await TimeEntry.query(on: app.db).count() == 4)
        }
    }
}
