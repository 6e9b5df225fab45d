import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdReports
import VertrouwdStore

/// The annual report, signals and advice over HTTP: what the organisation gets is protected,
/// only the signed-off version leaves, and only the organisation's counsellor sees the true counts.
@Suite struct ReportTests {
    struct Setup {
        let anna: TestAccount
        let org: Organisation
        let year: ContractYear
        let browser: Browser
        var base: String { "/organisations/\(org.id!)/years/\(year.id!)/report" }
    }

    /// Anna serves an organisation with a contract year that started 100 days ago, and has
    /// eight cases on bullying, two on fraud and one on discrimination in it.
    func setUp(_ app: Application) async throws -> Setup {
        let anna = try await app.makeAccount("anna@praktijk.nl", name: "Anna de Vries")
        let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
        let today = Day(Date())
        let year = ContractYear()
        year.$organisation.id = org.id!
        year.startsOn = today.adding(days: -100); year.endsOn = today.adding(days: -100).adding(months: 12).adding(days: -1)
        year.budgetMinutes = 40 * 60; year.focusPoints = ""
        try await year.create(on: app.db)
        for i in 0..<8 { _ = try await app.makeCase(for: anna, at: org, summary: "GEHEIM-VERHAAL-\(i)", openedOn: today.adding(days: -i)) }
        for _ in 0..<2 { _ = try await app.makeCase(for: anna, at: org, kind: .businessIntegrity, openedOn: today.adding(days: -50), categories: [.fraud]) }
        _ = try await app.makeCase(for: anna, at: org, openedOn: today.adding(days: -60), categories: [.discrimination])
        let browser = Browser(app)
        try await browser.login(anna)
        return Setup(anna: anna, org: org, year: year, browser: browser)
    }

    static func counts(inJSON data: Data) throws -> (k: Int, counts: [Int]) {
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        var counts: [Int] = []
        func walk(_ v: Any, _ key: String?) {
            if let d = v as? [String: Any] { for (k, x) in d { walk(x, k) } }
            else if let a = v as? [Any] { for x in a { walk(x, key) } }
            else if let n = v as? Int, ["count", "previous", "total", "previousTotal"].contains(key ?? "") { counts.append(n) }
        }
        walk(object, nil)
        return (object["k"] as! Int, counts)
    }

    @Test func theReportIsProtectedAndLeavesOnlyAfterSignOff() async throws {
        try await withVertrouwd { app in
            let s = try await setUp(app)
            let page = try await s.browser.get(s.base)
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("Concept"))
            #expect(html.contains("Wat is verborgen en waarom"))
            // Every table here has one large cell and the rest small or empty: hidden whole.
            #expect(html.contains("<svg") || html.contains("Te kleine aantallen om te tonen"))
            #expect(html.contains(">11<"))  // eleven contacts
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "report.preview").count() == 1)
            // Exports wait for the sign-off.
            let early = try await s.browser.get(s.base + "/export/json")
            #expect(early.status == .conflict)
            #expect(early.body.string.contains("Het jaarverslag is nog niet vastgesteld"), "a refusal keeps its Dutch reason")

            let unchecked = try await s.browser.post(s.base + "/sign-off", [])
            #expect(unchecked.status == .unprocessableEntity)
            #expect(unchecked.body.string.contains("Vink aan dat je de tabellen hebt nagekeken."))
            // the year runs until next year: signing off now asks first, and signs nothing
            let running = try await s.browser.post(s.base + "/sign-off", [("checked", "on")])
            #expect(running.status == .unprocessableEntity && running.body.string.contains("Het contractjaar is nog niet om."))
            #expect(try await AnnualReportRecord.query(on: app.db).filter(\.$signedOffOn != nil).count() == 0)
            #expect(try await s.browser.post(s.base + "/sign-off", [("checked", "on"), ("early", "on")]).status == .seeOther)
            let signedPage = try await s.browser.get(s.base).body.string
            #expect(signedPage.contains("Jaarverslag vastgesteld.") && signedPage.contains("vastgesteld op"))
            #expect(!signedPage.contains("Concept — nog niet vastgesteld"))

            let json = try await s.browser.get(s.base + "/export/json")
            #expect(json.status == .ok)
            let (k, counts) = try Self.counts(inJSON: Data(buffer: json.body))
            #expect(k == 5)
            #expect(counts.contains(11))
            // Two reports of fraud: never shown as 2, and not recoverable from the rest of the table.
            let doc = try JSONDecoder().decode(AnnualReportDocument.self, from: Data(buffer: json.body))
            #expect(!doc.tables.contains { $0.cells.contains { $0.key == "fraud" && $0.count != nil } })
            // Two integrity reports: their kind is hidden, and so is their subject table.
            #expect(!doc.tables.contains { $0.id == "subject_business_integrity" })
            for table in doc.tables where !table.multiValued {
                #expect(table.cells.filter { $0.count == nil && $0.status != "merged" }.count != 1, "\(table.id)")
            }
            #expect(counts.allSatisfy { $0 >= k }, "published \(counts)")
            #expect(doc.disclosureRules == 2)
            #expect(!json.body.string.contains("GEHEIM") && !json.body.string.contains("Jan Melder"))

            let csv = try await s.browser.get(s.base + "/export/csv")
            #expect(csv.headers.first(name: .contentDisposition)?.contains("jaarverslag-het-baken-") == true)
            #expect(csv.body.string.hasPrefix("tabel,cel,aantal,vorig_jaar,status"))
            let docx = try await s.browser.get(s.base + "/export/docx")
            #expect(docx.body.readableBytesView.prefix(2).elementsEqual([0x50, 0x4B]))  // a ZIP package
            let print = try await s.browser.get(s.base + "/export/html")
            #expect(print.body.string.contains("@page { size: A4"))
            #expect(!print.body.string.contains("<script"))
            #expect(print.headers.first(name: "Content-Security-Policy")?.hasPrefix("default-src 'none'") == true)
            #expect(try await s.browser.get(s.base + "/export/pdf").status == .notFound)
        }
    }

    @Test func aNewVersionThatWouldRevealALateCaseIsRefused() async throws {
        try await withVertrouwd { app in
            let s = try await setUp(app)
            #expect(try await s.browser.post(s.base + "/sign-off", [("checked", "on"), ("early", "on")]).status == .seeOther)
            _ = try await app.makeCase(for: s.anna, at: s.org, openedOn: Day(Date()).adding(days: -3))
            let page = try await s.browser.get(s.base).body.string
            #expect(page.contains("Gewijzigd sinds het vaststellen"))
            #expect(page.contains("Concept — nog niet vastgesteld"))  // the counsellor sees the new draft
            let again = try await s.browser.post(s.base + "/sign-off", [("checked", "on"), ("early", "on")])
            #expect(again.status == .conflict)
            #expect(again.body.string.contains("kan de vastgestelde niet vervangen"))
            #expect(again.body.string.contains("Aantal contacten: 11 → 12"))
            // The signed-off version stays what leaves.
            let (_, counts) = try Self.counts(inJSON: Data(buffer: try await s.browser.get(s.base + "/export/json").body))
            #expect(counts.contains(11) && !counts.contains(12))
        }
    }

    /// Issue 23: a late WBK report cannot be read off a re-signed version; a
    /// version that adds k or more is accepted and the earlier one is kept, and the next is checked
    /// against both; the advice list names no theme the tables hide.
    @Test func everyVersionThatLeftIsKeptAndChecked() async throws {
        try await withVertrouwd { app in
            let s = try await setUp(app)
            let browser = s.browser
            let advice = try await browser.post("/organisations/\(s.org.id!)/advice", [
                ("solicited", "no"), ("subject", "Signaal en advies: discriminatie"), ("category", "discrimination"),
                ("body", "Meldingen over discriminatie. Advies: een training voor leidinggevenden."), ("day", Day(Date()).iso), ("hours", "1")])
            #expect(advice.status == .seeOther)
            #expect(try await browser.post(s.base + "/sign-off", [("checked", "on"), ("early", "on")]).status == .seeOther)
            let v1 = try JSONDecoder().decode(AnnualReportDocument.self, from: Data(buffer: try await browser.get(s.base + "/export/json").body))
            #expect(v1.total == 11)
            // One discrimination case is hidden in the subjects: the advice list does not name it.
            #expect(v1.advice.map(\.subject) == [PublishedStatistics.unnamedAdvice])

            // One late WBK report: the total would go 11 → 12.
            _ = try await app.makeCase(for: s.anna, at: s.org, kind: .businessIntegrity, regime: .whistleblower,
                                       openedOn: Day(Date()).adding(days: -2), categories: [.fraud])
            let refused = try await browser.post(s.base + "/sign-off", [("checked", "on"), ("early", "on")])
            #expect(refused.status == .conflict)
            #expect(refused.body.string.contains("Aantal contacten: 11 → 12"))
            // Five more: the total moves by 6, the WBK report stays hidden among the regimes.
            for i in 0..<5 { _ = try await app.makeCase(for: s.anna, at: s.org, openedOn: Day(Date()).adding(days: -3 - i)) }
            let accepted = try await browser.post(s.base + "/sign-off", [("checked", "on"), ("early", "on")])
            #expect(accepted.status == .seeOther, "\(accepted.body.string.prefix(0))")
            let record = try #require(try await AnnualReportRecord.query(on: app.db).first())
            let earlier = try JSONDecoder().decode([AnnualReportDocument].self, from: Data((record.earlierSnapshots ?? "[]").utf8))
            #expect(earlier.map(\.total) == [11])
            let v2 = try JSONDecoder().decode(AnnualReportDocument.self, from: Data(buffer: try await browser.get(s.base + "/export/json").body))
            #expect(v2.total == 17)
            #expect(v2.tables.first { $0.id == "regime" }?.cells.first { $0.key == "whistleblower" }?.count == nil)
            #expect(AnnualStatistics.revisionProblems(from: [v1.statistics], to: v2.statistics).isEmpty)
            // One more case: 17 → 18 against v2, and 11 → 18 against v1 is fine, but v2 refuses it.
            _ = try await app.makeCase(for: s.anna, at: s.org, openedOn: Day(Date()).adding(days: -9))
            let third = try await browser.post(s.base + "/sign-off", [("checked", "on"), ("early", "on")])
            #expect(third.status == .conflict && third.body.string.contains("Aantal contacten: 17 → 18"))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "report.sign_off").count() == 2)
        }
    }

    /// The sign-off reads what leaves once more: text saved before the guard learned a phrasing is
    /// refused beside its field; and a year first signed off under the old rules (which counted a
    /// case once per subject) is not signed off again beside them.
    @Test func theSignOffRereadsTheTextAndRefusesAVersionBesideOlderRules() async throws {
        try await withVertrouwd { app in
            let s = try await setUp(app)
            let record = AnnualReportRecord()
            record.$contractYear.id = s.year.id!
            record.roleText = ""; record.recommendations = "WBK-meldingen: 2 dit jaar, dus meer voorlichting."; record.focusNext = ""
            try await record.save(on: app.db)
            let refused = try await s.browser.post(s.base + "/sign-off", [("checked", "on"), ("early", "on")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Dit noemt een klein aantal (wbk-meldingen 2)"))
            #expect(try await AnnualReportRecord.query(on: app.db).filter(\.$signedOffOn != nil).count() == 0)
            // Under the old rules (a snapshot says version 1, or nothing).
            #expect(try await s.browser.post(s.base + "/sections", [("role", ""), ("recommendations", "Meer voorlichting."), ("focus", "")]).status == .seeOther)
            #expect(try await s.browser.post(s.base + "/sign-off", [("checked", "on"), ("early", "on")]).status == .seeOther)
            let saved = try #require(try await AnnualReportRecord.query(on: app.db).first())
            // (pretty-printed JSON: `"disclosureRules" : 2`)
            #expect(saved.snapshot?.contains("\"disclosureRules\" : 2") == true)
            saved.snapshot = saved.snapshot?.replacingOccurrences(of: "\"disclosureRules\" : 2", with: "\"disclosureRules\" : 1")
            try await saved.save(on: app.db)
            let again = try await s.browser.post(s.base + "/sign-off", [("checked", "on"), ("early", "on")])
            #expect(again.status == .conflict)
            #expect(again.body.string.contains("onder oudere regels (versie 1)"))
        }
    }

    /// Last year's column comes from last year's signed-off report only: before that sign-off there
    /// is none, so a late case of last year cannot move it between two versions of this year.
    @Test func lastYearsColumnWaitsForLastYearsSignOff() async throws {
        try await withVertrouwd { app in
            let s = try await setUp(app)
            let last = ContractYear()
            last.$organisation.id = s.org.id!
            last.startsOn = s.year.startsOn.adding(months: -12); last.endsOn = s.year.startsOn.adding(days: -1)
            last.budgetMinutes = 40 * 60; last.focusPoints = ""
            try await last.create(on: app.db)
            for i in 0..<20 { _ = try await app.makeCase(for: s.anna, at: s.org, openedOn: last.startsOn.adding(days: 10 + i)) }
            func previousTotal() async throws -> Int? {
                #expect(try await s.browser.post(s.base + "/sign-off", [("checked", "on"), ("early", "on")]).status == .seeOther)
                let doc = try JSONDecoder().decode(AnnualReportDocument.self, from: Data(buffer: try await s.browser.get(s.base + "/export/json").body))
                return doc.previousTotal
            }
            #expect(try await previousTotal() == nil)
            let lastBase = "/organisations/\(s.org.id!)/years/\(last.id!)/report"
            #expect(try await s.browser.post(lastBase + "/sign-off", [("checked", "on")]).status == .seeOther)
            // This year's draft now shows last year's signed-off 20 (and signing it again is a change of 0).
            #expect(try await previousTotal() == 20)
        }
    }

    @Test func onlyTheOrganisationsCounsellorSeesTrueCountsOrSignsOff() async throws {
        try await withVertrouwd { app in
            let s = try await setUp(app)
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let adminBrowser = Browser(app)
            try await adminBrowser.login(admin)
            let adminPage = try await adminBrowser.get(s.base)
            #expect(adminPage.status == .ok)
            #expect(!adminPage.body.string.contains("Wat is verborgen en waarom"))
            // Before sign-off the admin sees no figures: a live draft read daily shows each new case.
            #expect(adminPage.body.string.contains("De cijfers van dit jaar verschijnen hier zodra"))
            #expect(!adminPage.body.string.contains(">11<"))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "report.preview").count() == 0)
            #expect(try await adminBrowser.post(s.base + "/sign-off", [("checked", "on")]).status == .notFound)
            let bob = try await app.makeAccount("bob@praktijk.nl")
            let bobBrowser = Browser(app)
            try await bobBrowser.login(bob)
            #expect(try await bobBrowser.get(s.base).status == .notFound)
            #expect(try await bobBrowser.get(s.base + "/export/json").status == .notFound)
            #expect(try await count(AnnualReportRecord.self, app) == 0)
            // The practice overview adds up signed-off reports only: nothing before the sign-off.
            let before = try await adminBrowser.get("/reports").body.string
            #expect(before.contains("Praktijkoverzicht") && before.contains("nog niet vastgesteld") && !before.contains(">11<"))
            #expect(try await s.browser.post(s.base + "/sign-off", [("checked", "on"), ("early", "on")]).status == .seeOther)
            let after = try await adminBrowser.get("/reports").body.string
            #expect(after.contains(">11<"), "the signed-off report's 11 contacts")
            #expect(try await adminBrowser.get(s.base).body.string.contains(">11<"))
            // A late case: the counsellor is told the report changed since sign-off; the admin is
            // not (the badge would say "a late case or a correction").
            _ = try await app.makeCase(for: s.anna, at: s.org, openedOn: Day(Date()).adding(days: -4))
            #expect(try await s.browser.get(s.base).body.string.contains("Gewijzigd sinds het vaststellen"))
            #expect(!(try await adminBrowser.get(s.base).body.string.contains("Gewijzigd sinds het vaststellen")))
        }
    }

    @Test func theReportTextRefusesSmallFiguresAndKeepsWhatWasTyped() async throws {
        try await withVertrouwd { app in
            let s = try await setUp(app)
            let long = try await s.browser.post(s.base + "/sections", [("role", "Bereikbaar op werkdagen."),
                                                                        ("recommendations", String(repeating: "a", count: 8001))])
            #expect(long.status == .unprocessableEntity)
            #expect(long.body.string.contains("De aanbevelingen is te lang") || long.body.string.contains("te lang: maximaal 8000 tekens"))
            #expect(long.body.string.contains("Bereikbaar op werkdagen."))
            let small = try await s.browser.post(s.base + "/sections", [("recommendations", "Er kwamen 2 meldingen over <script>x</script> pesten.")])
            #expect(small.status == .unprocessableEntity)
            #expect(small.body.string.contains("kleiner dan 5"))
            #expect(small.body.string.contains("&lt;script&gt;x&lt;/script&gt;"))
            #expect(try await count(AnnualReportRecord.self, app) == 0)
            #expect(try await s.browser.post(s.base + "/sections", [("recommendations", "Meer voorlichting op de afdelingen.")]).status == .seeOther)
            #expect(try await s.browser.get(s.base).body.string.contains("Meer voorlichting op de afdelingen."))
        }
    }

    @Test func aSignalBecomesAnAdviceWithoutSmallFigures() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl", name: "Anna de Vries")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            for i in 0..<3 { _ = try await app.makeCase(for: anna, at: org, openedOn: Day(Date()).adding(days: -i * 20), categories: [.intimidation]) }
            let browser = Browser(app)
            try await browser.login(anna)
            let dashboard = try await browser.get("/").body.string
            #expect(dashboard.contains("Signalen") && dashboard.contains("Intimidatie") && dashboard.contains("3 meldingen"))
            let draft = try await browser.get("/organisations/\(org.id!)/advice/new?category=intimidation").body.string
            let letter = String(try #require(draft.firstMatch(of: /<textarea[^>]*>([^<]*)</)).1)
            #expect(letter.contains("meldingen bij mij binnenkwamen") && !letter.contains("minder dan"), "\(letter)")
            // The counsellor is told what the theme gives away to a reader who knows the signal rule.
            #expect(draft.contains("Dit signaal telt minder dan 5 meldingen"))
            #expect(!draft.contains("3 meldingen"))

            let bad = try await browser.post("/organisations/\(org.id!)/advice", [("solicited", "no"), ("subject", "Signaal"),
                                                                               ("body", "Drie collega's meldden intimidatie."), ("day", Day(Date()).iso), ("hours", "1")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("Dit noemt een klein aantal (drie collega&#39;s)") || bad.body.string.contains("Dit noemt een klein aantal (drie collega's)"))
            #expect(bad.body.string.contains("Drie collega&#39;s meldden intimidatie.") || bad.body.string.contains("Drie collega's meldden intimidatie."))
            let missing = try await browser.post("/organisations/\(org.id!)/advice", [("subject", ""), ("body", "")])
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.body.string.contains("Kies of het advies gevraagd of ongevraagd is."))
            #expect(try await count(AdviceRecord.self, app) == 0)

            // A signal of 3 (< k): the theme gives "3 or 4" away to a reader who knows the rule, so
            // the counsellor confirms before it is recorded; the typed letter is kept.
            let unconfirmed = try await browser.post("/organisations/\(org.id!)/advice", [("solicited", "no"), ("subject", "Signaal: intimidatie"),
                                                                                       ("body", "Meldingen over intimidatie. Advies: een workshop grenzen stellen."),
                                                                                       ("day", Day(Date()).iso), ("hours", "1,5"), ("category", "intimidation")])
            #expect(unconfirmed.status == .unprocessableEntity)
            #expect(unconfirmed.body.string.contains("Vink aan dat je het thema toch noemt"))
            #expect(unconfirmed.body.string.contains("Meldingen over intimidatie. Advies: een workshop grenzen stellen."))
            #expect(try await count(AdviceRecord.self, app) == 0)
            let made = try await browser.post("/organisations/\(org.id!)/advice", [("solicited", "no"), ("subject", "Signaal: intimidatie"),
                                                                                ("body", "Meldingen over intimidatie. Advies: een workshop grenzen stellen."),
                                                                                ("day", Day(Date()).iso), ("hours", "1,5"), ("category", "intimidation"), ("smallSignal", "on")])
            #expect(made.status == .seeOther)
            let advice = try #require(try await AdviceRecord.query(on: app.db).first())
            let activity = try #require(try await TimeEntry.query(on: app.db).filter(\.$activityKind == .advice).first())
            #expect(activity.minutes == 90)
            let docx = try await browser.get("/organisations/\(org.id!)/advice/\(advice.id!)/docx")
            #expect(docx.body.readableBytesView.prefix(2).elementsEqual([0x50, 0x4B]))
            #expect(try await browser.post("/organisations/\(org.id!)/advice/\(advice.id!)/response",
                                           [("response", "Workshop ingepland."), ("followUp", "Evaluatie in het voorjaar.")]).status == .seeOther)
            #expect(try await browser.get("/organisations/\(org.id!)/advice/\(advice.id!)").body.string.contains("Workshop ingepland."))
            #expect(try await browser.get("/organisations/\(org.id!)").body.string.contains("Signaal: intimidatie"))
        }
    }

    /// The web page is an output format too: 40 random years, rendered by the same Leaf
    /// templates the organisation sees, never show a number between 1 and k−1.
    @Test func thePrintedPageKeepsTheGuaranteeForRandomYears() async throws {
        try await withVertrouwd { app in
            var rng = DemoPractice.Seeded(state: 4)
            let start = Day(year: 2025, month: 1, day: 1)!
            func randomYear() -> [CaseFacts] {
                (0..<Int.random(in: 0...40, using: &rng)).map { _ in
                    let few = { (n: Int) in Int.random(in: 0..<100, using: &rng) < 70 ? 0 : Int.random(in: 0..<n, using: &rng) }
                    return CaseFacts(kind: CaseKind.allCases[few(CaseKind.allCases.count)],
                                     categories: [CaseCategory.allCases[few(CaseCategory.allCases.count)]],
                                     reporterRole: ReporterRole.allCases[few(ReporterRole.allCases.count)],
                                     channel: IntakeChannel.allCases[few(IntakeChannel.allCases.count)],
                                     regime: few(2) == 1 ? .whistleblower : .confidential, ladder: LadderLevel(rawValue: 1 + few(5))!,
                                     outcome: few(3) == 0 ? nil : Outcome.allCases[few(Outcome.allCases.count)],
                                     referrals: few(4) == 0 ? [] : [ReferralTarget.allCases[few(ReferralTarget.allCases.count)]],
                                     openedOn: start.adding(days: Int.random(in: 0..<365, using: &rng)))
                }
            }
            func numbersOnPage(_ doc: AnnualReportDocument) async throws -> (numbers: [Int], html: String) {
                let html = String(decoding: try await ReportBuilder.render(doc, as: .html, views: app.view), as: UTF8.self)
                var numbers: [Int] = []
                for marker in ["<td class=\"num\">", "class=\"chart-value\">", "<span class=\"big\">", "(vorig jaar "] {
                    for part in html.components(separatedBy: marker).dropFirst() {
                        if let n = Int(part.prefix { $0.isNumber }) { numbers.append(n) }
                    }
                }
                return (numbers, html)
            }
            func document(_ stats: PublishedStatistics) -> AnnualReportDocument {
                AnnualReportDocument(organisation: "Test", periodStart: start, periodEnd: start.adding(months: 12).adding(days: -1),
                                     status: "signed_off", signedOffOn: "2026-01-15", statistics: stats, activities: [],
                                     hours: .init(budget: "40 u", used: "3 u", onActivities: "1 u", percent: 7), advice: [], sections: [])
            }
            // The scanner itself: a small number on the page is found.
            let planted = PublishedStatistics(k: 5, total: 12, fewerThanK: false, previousTotal: nil, tables: [
                .init(id: "t", title: "T", multiValued: false, cells: [.init(key: "a", label: "A", count: 2, status: "published", mergedInto: nil, previous: nil)]),
            ], notes: [])
            #expect(try await numbersOnPage(document(planted)).numbers.contains(2))

            var seen = 0
            for round in 0..<40 {
                let k = 3 + round % 5
                let last = AnnualStatistics.build(cases: randomYear(), start: start.adding(months: -12), end: start.adding(days: -1), k: k).published
                let stats = AnnualStatistics.build(cases: randomYear(), start: start, end: start.adding(months: 12).adding(days: -1),
                                                   k: k, previous: last).published
                let (shown, html) = try await numbersOnPage(document(stats))
                seen += shown.filter { $0 > 0 }.count
                #expect(shown.allSatisfy { $0 == 0 || $0 >= k }, "round \(round), k=\(k): \(shown.filter { $0 > 0 && $0 < k })")
                #expect(!html.contains("<script"))
            }
            #expect(seen > 100, "the random years published too little to test anything")
        }
    }

    @Test func theDatabaseCountsWhatTheFactsCount() async throws {
        try await withVertrouwd { app in
            let today = Day(Date())
            _ = try await DemoPractice.load(app: app, today: today)
            let orgs = try await Organisation.query(on: app.db).all().map(\.id) + [nil]
            var compared = 0
            for orgID in orgs {
                for (from, to) in [(Day(year: today.year - 1, month: 1, day: 1)!, Day(year: today.year - 1, month: 12, day: 31)!),
                                   (Day(year: today.year, month: 1, day: 1)!, today)] {
                    let facts = try await ReportBuilder.facts(organisationID: orgID, from: from, to: to, on: app.db)
                    let tally = try await ReportBuilder.tally(organisationID: orgID, from: from, to: to, on: app.db)
                    #expect(tally == CaseTally(cases: facts), "organisation \(orgID?.uuidString ?? "all") \(from)")
                    compared += facts.count
                }
            }
            #expect(compared >= 80)  // every demo case, once per organisation and once in "all"
        }
    }

    @Test func professionalDevelopmentShowsProgressTowardsTheLVVNorm() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let browser = Browser(app)
            try await browser.login(anna)
            let today = Day(Date()).iso
            #expect(try await browser.post("/account/development", [("kind", "training"), ("day", today), ("hours", "8"), ("what", "Training WBK")]).status == .seeOther)
            #expect(try await browser.post("/account/development", [("kind", "peer_consultation"), ("day", today), ("hours", "3"), ("what", "Intervisie")]).status == .seeOther)
            let page = try await browser.get("/account/development").body.string
            #expect(page.contains("Totaal: 11 u van 72 u"))
            let future = try await browser.post("/account/development", [("kind", "other"), ("day", Day(Date()).adding(days: 5).iso), ("hours", "2"), ("what", "Congres")])
            #expect(future.status == .unprocessableEntity)
            #expect(future.body.string.contains("De datum ligt in de toekomst"))
            #expect(future.body.string.contains("Congres"))
            #expect(try await count(DevelopmentEntry.self, app) == 2)
        }
    }
}
