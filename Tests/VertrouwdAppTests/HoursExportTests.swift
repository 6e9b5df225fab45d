import Fluent
import Foundation
import Testing
import VaporTesting
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

@Suite("Hours statement: the page, the CSV, the rate")
struct HoursExportTests {
    /// The admin logged in; an organisation with a contract year at € 97,50, an hour and a quarter on a case and a
    /// workshop of an hour; and another organisation without a rate.
    func practice(_ app: Application) async throws -> (browser: Browser, anna: TestAccount, org: Organisation) {
        let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
        let anna = try await app.makeAccount("anna@praktijk.nl")
        let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
        let other = try await app.makeOrganisation("de-regenboog", counsellors: [anna])
        let browser = Browser(app)
        try await browser.login(admin)
        let start = Day(iso: "2026-01-01")!
        let added = try await browser.post(
            "/organisations/\(org.id!)/contract-years", [("start", start.iso), ("hours", "40"), ("rate", "97,50")])
        #expect(added.status == .seeOther)
        #expect(try await ContractYear.query(on: app.db).first()?.hourlyRateCents == 9750)
        let onCase = try await app.makeCase(for: anna, at: org, summary: "Geheim verhaal")
        for (orgID, caseID, minutes, kind) in [
            (org.id!, onCase.id, 75, ActivityKind?.none), (org.id!, nil, 60, .workshop),
            (other.id!, nil, 30, .informationSession),
        ] {
            let entry = TimeEntry(organisationID: orgID, userID: anna.id, on: Day(iso: "2026-03-10")!, minutes: minutes, description: "")
            entry.activityKind = kind
            if let caseID { entry.caseID = caseID }
            try await entry.create(on: app.db)
        }
        return (browser, anna, org)
    }

    @Test func anAdminSeesTheStatementAndDownloadsItForExcel() async throws {
        try await withVertrouwd { app in
            let (browser, _, _) = try await practice(app)
            let page = try await browser.get("/admin/hours?from=2026-03-01&to=2026-03-31")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("Casuïstiek (gesprekken en meldingen)") && html.contains("1,25 u"))
            #expect(html.contains("€ 97,50") && html.contains("€ 121,88") && html.contains("€ 97,50</td>"))
            #expect(html.contains("buiten een contractjaar") && html.contains("geen tarief"))
            // Per organisation, for its invoice: het-baken 2,25 u = € 219,38; de-regenboog has no rate.
            #expect(html.contains("<td class=\"num\">2,25 u</td><td class=\"num\">€ 219,38</td>"))
            #expect(html.contains("href=\"/admin/hours/csv?from=2026-03-01&amp;to=2026-03-31\""))
            let csv = try await browser.get("/admin/hours/csv?from=2026-03-01&to=2026-03-31")
            #expect(csv.status == .ok)
            #expect(csv.headers.contentType?.description.hasPrefix("text/csv") == true)
            #expect(csv.headers.first(name: .contentDisposition)?.contains("uren-2026-03-01-2026-03-31.csv") == true)
            let text = csv.body.string
            // Nothing of the case: no reference, no story, no day, no counsellor.
            let onCase = try #require(try await Case.query(on: app.db).first())
            for secret in [onCase.reference, "Geheim", "10-03-2026", "anna", "Test Persoon"] {
                #expect(!text.contains(secret), "\(secret) is not in the CSV")
            }
            #expect(text.hasPrefix("\u{FEFF}Organisatie;Code;Contractjaar;Soort werk;Uren;Tarief per uur;Bedrag\r\n"))
            #expect(text.contains("het-baken;01-01-2026 t/m 31-12-2026;Casuïstiek (gesprekken en meldingen);1,25;97,50;121,88\r\n"))
            #expect(text.contains("het-baken;01-01-2026 t/m 31-12-2026;Workshop;1;97,50;97,50\r\n"))
            #expect(text.contains("de-regenboog;buiten een contractjaar;Voorlichting;0,5;;\r\n"))
            #expect(text.hasSuffix("Totaal;;01-03-2026 t/m 31-03-2026;;2,75;;219,38\r\n"))
            // A HEAD request carries no file and leaves no record.
            let head = try await browser.send(.HEAD, "/admin/hours/csv?from=2026-03-01&to=2026-03-31", body: nil)
            #expect(head.status == .ok)
            // The download is on record; looking at the page is not.
            let exports = try await AuditEvent.query(on: app.db).filter(\.$action == "hours.export").all()
            #expect(exports.count == 1 && exports[0].detail == "2026-03-01..2026-03-31")
            // Nothing outside the period.
            let april = try await browser.get("/admin/hours?from=2026-04-01&to=2026-04-30").body.string
            #expect(april.contains("Geen uren geschreven in deze periode."))
        }
    }

    @Test func wrongMissingOversizedAndHostilePeriodsAreRefusedInDutchKeepingWhatWasTyped() async throws {
        try await withVertrouwd { app in
            let (browser, _, _) = try await practice(app)
            let cases: [(String, String)] = [
                ("from=2026-03-31&to=2026-03-01", "De laatste dag ligt vóór de eerste dag."),
                ("from=gisteren&to=2026-03-01", "gisteren"),
                ("from=2026-02-30&to=2026-03-01", "2026-02-30"),
                ("from=&to=2026-03-01", "Vul de eerste dag in."),
                ("from=2000-01-01&to=2026-03-01", "Kies een periode van hoogstens tien jaar."),
                ("from=" + String(repeating: "9", count: 5000) + "&to=2026-03-01", "Vul een datum in als 31-12-2026."),
                ("from=%3Cscript%3Ealert(1)%3C%2Fscript%3E&to=2026-03-01", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ]
            for (query, expected) in cases {
                for path in ["/admin/hours", "/admin/hours/csv"] {
                    let answer = try await browser.get("\(path)?\(query)")
                    #expect(answer.status == .unprocessableEntity, "\(path)?\(query)")
                    #expect(answer.body.string.contains(expected), "\(path)?\(query): \(expected)")
                    #expect(!answer.body.string.contains("<script>alert"))
                    #expect(!answer.body.string.contains("Organisatie;Code"))
                }
            }
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "hours.export").count() == 0)
            // No period at all: last month, filled in.
            let plain = try await browser.get("/admin/hours")
            #expect(plain.status == .ok && plain.body.string.contains("name=\"from\" value=\"20"))
        }
    }

    @Test func onlyAnAdminSeesTheHours() async throws {
        try await withVertrouwd { app in
            let (_, anna, _) = try await practice(app)
            let counsellor = Browser(app)
            try await counsellor.login(anna)
            #expect(try await counsellor.get("/admin/hours?from=2026-03-01&to=2026-03-31").status == .forbidden)
            #expect(try await counsellor.get("/admin/hours/csv?from=2026-03-01&to=2026-03-31").status == .forbidden)
            let stranger = Browser(app)
            let answer = try await stranger.get("/admin/hours/csv?from=2026-03-01&to=2026-03-31")
            #expect(answer.status == .seeOther && !answer.body.string.contains("Organisatie;"))
        }
    }

    @Test func theRateIsCheckedKeptOnAnErrorAndCorrectedWithAReason() async throws {
        try await withVertrouwd { app in
            let (browser, _, org) = try await practice(app)
            for (rate, shown) in [("97,5 euro", "97,5 euro"), ("-3", "-3"), ("100000", "100000"), ("<b>9</b>", "&lt;b&gt;9&lt;/b&gt;")] {
                let bad = try await browser.post(
                    "/organisations/\(org.id!)/contract-years", [("start", "2027-01-01"), ("hours", "40"), ("rate", rate)])
                #expect(bad.status == .unprocessableEntity)
                #expect(bad.body.string.contains("Vul het uurtarief in euro in, bijvoorbeeld 95 of 97,50 (hoogstens 10000)."))
                #expect(bad.body.string.contains("value=\"\(shown)\""), "\(rate) is kept")
            }
            let long = try await browser.post(
                "/organisations/\(org.id!)/contract-years", [("start", "2027-01-01"), ("hours", "40"), ("rate", String(repeating: "9", count: 10_000))])
            #expect(long.status == .unprocessableEntity && long.body.string.contains("te lang"))
            #expect(try await ContractYear.query(on: app.db).count() == 1)
            // A year without a rate is fine; a correction sets one and says so in the audit log.
            #expect(try await browser.post("/organisations/\(org.id!)/contract-years", [("start", "2027-01-01"), ("hours", "40")]).status == .seeOther)
            let next = try #require(try await ContractYear.query(on: app.db).filter(\.$startsOn == Day(iso: "2027-01-01")!).first())
            #expect(next.hourlyRateCents == nil)
            let path = "/organisations/\(org.id!)/correct/contract-year/\(next.id!)"
            #expect(try await browser.get(path).body.string.contains("name=\"rate\" value=\"\""))
            let corrected = try await browser.post(
                path, [("start", "2027-01-01"), ("end", "2027-12-31"), ("hours", "40"), ("rate", "99"), ("reason", "agreed"), ("note", "Tarief 2027 afgesproken")])
            #expect(corrected.status == .seeOther)
            #expect(try await ContractYear.find(next.id, on: app.db)?.hourlyRateCents == 9900)
            let entry = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "correction.change").first())
            #expect(entry.detail.contains("rate:none->9900"))
        }
    }
}
