import Fluent
import Foundation
import Testing
import VaporTesting
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

@Suite("Organisations imported from the practice's spreadsheet")
struct OrganisationImportTests {
    static let example = try! Data(
        contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/examples/organisations.csv"))

    /// The demo's two counsellors (the example names them) and a logged-in admin.
    func practice(_ app: Application) async throws -> Browser {
        let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
        _ = try await app.makeAccount("anna@demo.vertrouwd.nl", name: "Anna de Vries")
        _ = try await app.makeAccount("youssef@demo.vertrouwd.nl", name: "Youssef El Amrani")
        let browser = Browser(app)
        try await browser.login(admin)
        return browser
    }

    func counts(_ app: Application) async throws -> [Int] {
        [
            try await Organisation.query(on: app.db).count(), try await OrganisationContact.query(on: app.db).count(),
            try await ContractYear.query(on: app.db).count(), try await OrganisationCounsellor.query(on: app.db).count(),
        ]
    }

    /// Uploads, checks the preview, confirms with what the preview carried.
    func importFile(_ data: Data, _ browser: Browser) async throws -> (preview: HTTPAnswer, done: HTTPAnswer?) {
        let preview = try await browser.postMultipart(
            "/organisations/import", [], files: [(field: "file", filename: "organisaties.csv", data: data)])
        guard let range = preview.body.string.range(of: "name=\"content\" value=\"") else { return (preview, nil) }
        let content = String(preview.body.string[range.upperBound...].prefix { $0 != "\"" })
        return (preview, try await browser.post("/organisations/import/confirm", [("content", content)]))
    }

    @Test func theExampleLoadsTwiceWithoutDuplicatesAndEveryPublicPageAnswers() async throws {
        try await withVertrouwd { app in
            let browser = try await practice(app)
            // Nothing is written by a preview.
            _ = try await browser.postMultipart(
                "/organisations/import", [], files: [(field: "file", filename: "organisaties.csv", data: Self.example)])
            #expect(try await counts(app) == [0, 0, 0, 0])
            let first = try await importFile(Self.example, browser)
            #expect(first.preview.status == .ok)
            let html = first.preview.body.string
            #expect(html.contains("Organisaties in het bestand: 6. Nieuw: 6, bijgewerkt: 0, ongewijzigd: 0. Gelezen als UTF-8, puntkomma&#39;s."))
            #expect(html.contains("contractjaar 01-03-2026 t/m 28-02-2027: 48 u, € 99,00 per uur"))
            #expect(first.done?.status == .seeOther)
            #expect(try await counts(app) == [6, 4, 5, 7])
            let linde = try #require(try await Organisation.query(on: app.db).filter(\.$slug == "thuiszorg-de-linde").first())
            #expect(linde.sector == "care" && linde.employees == 410 && linde.whistleblowerChannel)
            #expect(linde.departmentList == ["Wijkteams Noord", "Wijkteams Zuid", "Planning; roosters"])
            let year = try #require(try await ContractYear.query(on: app.db).filter(\.$organisation.$id == linde.id!).first())
            #expect(year.budgetMinutes == 40 * 60 && year.hourlyRateCents == 9500 && year.endsOn == Day(iso: "2026-12-31"))
            for slug in ["soo-eemland", "thuiszorg-de-linde", "heuvelrug-oost", "het-vlindertje", "woonstichting-kade", "welzijn-rivierenland"] {
                let page = try await Browser(app).get("/o/\(slug)")
                #expect(page.status == .ok, "/o/\(slug)")
            }
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "organisation.import").count() == 6)

            // Again: the same file changes nothing and writes nothing.
            let second = try await importFile(Self.example, browser)
            #expect(second.preview.body.string.contains("Nieuw: 0, bijgewerkt: 0, ongewijzigd: 6."))
            #expect(second.done?.status == .seeOther)
            #expect(try await counts(app) == [6, 4, 5, 7])
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "organisation.import").count() == 6)
        }
    }

    @Test func aChangedRowUpdatesByCodeAndSaysWhat() async throws {
        try await withVertrouwd { app in
            let browser = try await practice(app)
            _ = try await importFile(Self.example, browser)
            let changed = """
                naam,code,sector,medewerkers,vertrouwenspersonen,contract_begin,contract_uren,contract_tarief
                Thuiszorg De Linde,thuiszorg-de-linde,zorg,450,youssef@demo.vertrouwd.nl,2026-01-01,50,"96,50"

                """
            let result = try await importFile(Data(changed.utf8), browser)
            let html = result.preview.body.string
            #expect(html.contains("Nieuw: 0, bijgewerkt: 1, ongewijzigd: 0. Gelezen als UTF-8, komma&#39;s."))
            #expect(html.contains("gewijzigd: medewerkers"))
            #expect(html.contains("vertrouwenspersonen: Youssef El Amrani"))
            #expect(html.contains("contractjaar 01-01-2026 t/m 31-12-2026: 50 u, € 96,50 per uur"))
            #expect(result.done?.status == .seeOther)
            let linde = try #require(try await Organisation.query(on: app.db).filter(\.$slug == "thuiszorg-de-linde").first())
            // Columns the file leaves out keep what was there.
            #expect(linde.employees == 450 && linde.phone == "0318-555000" && linde.whistleblowerChannel)
            let years = try await ContractYear.query(on: app.db).filter(\.$organisation.$id == linde.id!).all()
            #expect(years.count == 1 && years[0].budgetMinutes == 50 * 60 && years[0].hourlyRateCents == 9650)
            let links = try await OrganisationCounsellor.query(on: app.db).filter(\.$organisation.$id == linde.id!).count()
            #expect(links == 1)
            // The audit entry names what changed, not what stayed.
            let entry = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "organisation.import")
                .filter(\.$subject == "organisation:\(linde.id!)").sort(\.$id, .descending).first())
            #expect(entry.detail == "fields:medewerkers,counsellors,contract_year:2026-01-01", "\(entry.detail)")

            // Leaving the rate and the end out keeps them; an empty whistleblowing cell is "nee".
            let fewer = """
                naam;code;sector;medewerkers;klokkenluidersmeldpunt;contract_begin;contract_einde
                Thuiszorg De Linde;thuiszorg-de-linde;Zorg;450;;2026-01-01;

                """
            let third = try await importFile(Data(fewer.utf8), browser)
            #expect(third.preview.body.string.contains("gewijzigd: klokkenluidersmeldpunt"))
            #expect(!third.preview.body.string.contains("contractjaar 01-01-2026"))
            #expect(third.done?.status == .seeOther)
            let after = try #require(try await ContractYear.query(on: app.db).filter(\.$organisation.$id == linde.id!).first())
            #expect(after.hourlyRateCents == 9650 && after.budgetMinutes == 50 * 60 && after.endsOn == Day(iso: "2026-12-31"))
            #expect(try await Organisation.find(linde.id, on: app.db)?.whistleblowerChannel == false)
        }
    }

    @Test func twoConfirmationsAtOnceWriteOnce() async throws {
        try await withVertrouwd { app in
            let first = try await practice(app)
            let other = try await app.makeAccount("tweede@praktijk.nl", admin: true, counsellor: false)
            let second = Browser(app)
            try await second.login(other)
            _ = try await importFile(Self.example, first)
            let contacts = """
                naam;code;sector;medewerkers;contactpersoon;contactrol;contact_email
                Thuiszorg De Linde;thuiszorg-de-linde;Zorg;410;Nieuwe Collega;HR;nieuw@delinde.nl
                Welzijn Rivierenland;welzijn-rivierenland;Welzijn;95;Andere Collega;Directie;ander@welzijn.nl

                """
            let content = Data(contacts.utf8).base64EncodedString()
            async let a = first.post("/organisations/import/confirm", [("content", content)])
            async let b = second.post("/organisations/import/confirm", [("content", content)])
            let answers = try await [a, b]
            #expect(answers.allSatisfy { $0.status == .seeOther }, "\(answers.map(\.status))")
            for name in ["Nieuwe Collega", "Andere Collega"] {
                #expect(try await OrganisationContact.query(on: app.db).filter(\.$name == name).count() == 1, "\(name)")
            }
            // One of the two wrote; the other found the rows unchanged and wrote nothing.
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "organisation.import").count() == 6 + 2)
        }
    }

    @Test func badRowsAreNamedByLineInDutchAndNothingIsImported() async throws {
        try await withVertrouwd { app in
            let browser = try await practice(app)
            let bad = """
                naam;code;sector;medewerkers;vertrouwenspersonen;contactpersoon;contactrol;contract_begin;contract_uren;contract_tarief
                Goede Stichting;goede-stichting;Zorg;100;anna@demo.vertrouwd.nl;;;2026-01-01;40;95
                <script>alert(1)</script>;Foute Code!;Ruimtevaart;veel;niemand@elders.nl;Jan;Baas;31-02-2026;0,3;-5
                Dubbel;goede-stichting;Zorg;10;;;;;;
                ;zonder-naam;Zorg;10;;;;;;

                """
            let (preview, done) = try await importFile(Data(bad.utf8), browser)
            #expect(preview.status == .unprocessableEntity && done == nil)
            let html = preview.body.string
            #expect(html.contains("Niets geïmporteerd: verbeter de regels met een fout"))
            #expect(!html.contains("name=\"content\""))
            for expected in [
                "code: Gebruik alleen kleine letters", "sector: Kies een sector uit de lijst. (Onderwijs, Zorg",
                "medewerkers: Het aantal medewerkers moet een heel getal zijn",
                "vertrouwenspersonen: geen vertrouwenspersoon met het e-mailadres &#39;niemand@elders.nl&#39;",
                "contactrol: Kies een rol uit de lijst. (Directie, HR, OR, Interne vertrouwenspersoon)",
                "contract_begin:", "contract_uren: Vul het tegoed in hele uren of kwartieren in",
                "contract_tarief: Vul het uurtarief in euro in", "code: &#39;goede-stichting&#39; staat al op regel 2",
                "naam: Vul de naam in.", "&lt;script&gt;alert(1)&lt;/script&gt;",
            ] {
                #expect(html.contains(expected), "\(expected)")
            }
            #expect(!html.contains("<script>alert"))
            // Each problem is on the row of its line.
            #expect(html.contains("<td data-label=\"Regel\">3</td>") && html.contains("<td data-label=\"Regel\">5</td>"))
            #expect(try await counts(app) == [0, 0, 0, 0])
        }
    }

    @Test func filesThatAreNoOrganisationListAreRefusedWithAReason() async throws {
        try await withVertrouwd { app in
            let browser = try await practice(app)
            let files: [(Data, String)] = [
                (Data(), "Kies een CSV-bestand met de organisaties."),
                (Data("naam;code;sector\nA;a;Zorg\n".utf8), "De eerste regel mist de kolom &#39;medewerkers&#39;."),
                (Data("naam;code;sector;medewerkers;kleur\nA;a;Zorg;5;rood\n".utf8), "Kolom 5 heet &#39;kleur&#39;"),
                (Data("naam;code;sector;medewerkers;naam\n".utf8), "De kolom &#39;naam&#39; staat twee keer"),
                (Data("naam;code;sector;medewerkers\n\n;;;\n".utf8), "geen organisaties onder de eerste regel"),
                (Data([0x00, 0x01, 0xFF, 0xFE, 0x00]), "Het bestand is geen tekst."),
                (Data(repeating: 0x41, count: 300 * 1024), "Het bestand is te groot: hoogstens 256 KB."),
            ]
            for (data, expected) in files {
                let (preview, done) = try await importFile(data, browser)
                #expect(preview.status == .unprocessableEntity, "\(expected)")
                #expect(preview.body.string.contains(expected), "\(expected)")
                #expect(done == nil)
            }
            // A forged confirmation: not base64, or another file than the one previewed.
            #expect(try await browser.post("/organisations/import/confirm", [("content", "%%%")]).body.string
                .contains("Het bestand kwam niet mee."))
            let forged = Data("naam;code;sector;medewerkers\nX;Foute Code;Zorg;5\n".utf8).base64EncodedString()
            let answer = try await browser.post("/organisations/import/confirm", [("content", forged)])
            #expect(answer.status == .unprocessableEntity && answer.body.string.contains("Gebruik alleen kleine letters"))
            #expect(try await counts(app) == [0, 0, 0, 0])
        }
    }

    @Test func excelsOwnWindowsFileAndACommaFileWithoutBOMAreRead() async throws {
        try await withVertrouwd { app in
            let browser = try await practice(app)
            let windows = "naam;code;sector;medewerkers\r\nCafé Zoë;cafe-zoe;Profit;12\r\n".data(using: .windowsCP1252)!
            #expect(String(data: windows, encoding: .utf8) == nil)
            let (preview, done) = try await importFile(windows, browser)
            #expect(preview.body.string.contains("Gelezen als Windows-1252 (Excel), puntkomma&#39;s."))
            #expect(done?.status == .seeOther)
            #expect(try await Organisation.query(on: app.db).first()?.name == "Café Zoë")
        }
    }

    @Test func onlyAnAdminImports() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let browser = Browser(app)
            try await browser.login(anna)
            #expect(try await browser.get("/organisations/import").status == .forbidden)
            let upload = try await browser.postMultipart(
                "/organisations/import", [], files: [(field: "file", filename: "o.csv", data: Self.example)])
            #expect(upload.status == .forbidden)
            let forged = Self.example.base64EncodedString()
            #expect(try await browser.post("/organisations/import/confirm", [("content", forged)]).status == .forbidden)
            #expect(try await count(Organisation.self, app) == 0)
        }
    }
}
