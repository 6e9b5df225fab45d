import Fluent
import Foundation
import Testing
import VaporTesting
import ZIPFoundation
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdReports
import VertrouwdStore

/// What the organisation and its employees read: versioned policy documents, the poster and
/// mailing with a QR code, and the public texts the law asks for.
@Suite("Policy documents, poster and mailing, and the public texts")
struct PolicyTests {
    /// The entries of a Word file (a ZIP), by path.
    func entries(_ data: ByteBuffer) throws -> [String: Data] {
        let archive = try Archive(data: Data(data.readableBytesView), accessMode: .read)
        var out: [String: Data] = [:]
        for entry in archive {
            var bytes = Data()
            _ = try archive.extract(entry) { bytes.append($0) }
            out[entry.path] = bytes
        }
        return out
    }

    @Test func aPolicyDocumentGoesFromTemplateToDraftToAdoptedAndStaysReadable() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl", name: "Anna de Vries")
            let org = try await app.makeOrganisation("het-baken", employees: 640, counsellors: [anna])
            let browser = Browser(app, over: .socket)
            try await browser.login(anna)
            let base = "/organisations/\(org.id!)/policy/whistleblower"

            let organisationPage = try await browser.get("/organisations/\(org.id!)").body.string
            #expect(organisationPage.contains("Meldregeling vermoeden van een misstand") && organisationPage.contains("nog niet vastgesteld"))
            #expect(try await browser.get(base).body.string.contains("Nog niet vastgesteld"))

            // A draft from the practice's template, with the organisation's facts filled in; the
            // public address is filled in when shown (it comes from the settings).
            #expect(try await browser.post(base, []).status == .seeOther)
            #expect(try await browser.post(base, []).status == .seeOther, "a second click makes no second draft")
            let drafts = try await PolicyDocument.query(on: app.db).all()
            let draft = try #require(drafts.first)
            #expect(drafts.count == 1 && draft.version == 1 && draft.status == .draft)
            #expect(draft.body.contains("Organisatie het-baken") && draft.body.contains("Anna de Vries"))
            #expect(draft.body.contains("{{meldadres}}"))
            #expect(try await browser.get(base).body.string.contains("/o/het-baken"))
            #expect(!draft.body.contains("{{organisatie}}") && draft.body.contains("{{vastgesteld_op}}"),
                    "organisation facts are frozen into the draft; adoption facts are filled in per version")
            #expect(draft.body.contains("zeven dagen") && draft.body.contains("Huis voor Klokkenluiders"))

            // Editing: a wrong placeholder or no title is refused, what was typed comes back.
            for (body, message) in [("# Meldregeling\n\nNaar {{directeur}}.", "Onbekende invulplek: {{directeur}}"),
                                    ("Zonder titel", "Begin met een titel"), ("", "Vul de tekst in")] {
                let refused = try await browser.post("\(base)/1", [("body", body)])
                #expect(refused.status == .unprocessableEntity, "\(body)")
                #expect(refused.body.string.contains(message), "\(body)")
                if !body.isEmpty { #expect(refused.body.string.contains(body.components(separatedBy: "\n").last!)) }
            }
            #expect(try await PolicyDocument.query(on: app.db).first()?.body == draft.body)
            let adapted = draft.body + "\n\n## Eigen afspraak\n\nMeldingen over de directie gaan naar de **raad van toezicht**."
            #expect(try await browser.post("\(base)/1", [("body", adapted)]).status == .seeOther)

            // Adopting needs a date (not in the future), who, and the works council's consent before it.
            let tomorrow = Day(Date()).adding(days: 1).iso, today = Day(Date()).iso, yesterday = Day(Date()).adding(days: -1).iso
            for fields in [[("adoptedBy", "de directie"), ("consentOn", yesterday)],
                           [("adoptedOn", tomorrow), ("adoptedBy", "de directie"), ("consentOn", yesterday)],
                           [("adoptedOn", today), ("consentOn", yesterday)],
                           [("adoptedOn", today), ("adoptedBy", "de directie")],
                           [("adoptedOn", yesterday), ("adoptedBy", "de directie"), ("consentOn", today)]] {
                let refused = try await browser.post("\(base)/1/adopt", fields)
                #expect(refused.status == .unprocessableEntity, "\(fields)")
            }
            #expect(try await PolicyDocument.query(on: app.db).first()?.status == .draft)
            #expect(try await browser.post("\(base)/1/adopt", [("adoptedOn", today), ("adoptedBy", "de directie"), ("consentOn", yesterday)]).status == .seeOther)

            // Adopted: never written again. Text saved to it meanwhile becomes the next draft; with a
            // draft already there it comes back, kept, with a message.
            let late = try await browser.post("\(base)/1", [("body", "# Meldregeling\n\nLaat bewaard.")])
            #expect(late.status == .seeOther)
            #expect(try await browser.get(base).body.string.contains("opgeslagen als een nieuw concept"))
            let second = try await browser.post("\(base)/1", [("body", "# Meldregeling\n\nNog later.")])
            #expect(second.status == .conflict)
            #expect(second.body.string.contains("al een nieuw concept") && second.body.string.contains("Nog later."))
            #expect(try await browser.post(base, []).status == .seeOther, "no second draft")
            let versions = try await PolicyDocument.query(on: app.db).sort(\.$version).all()
            #expect(versions.map(\.version) == [1, 2] && versions.map(\.status) == [.adopted, .draft])
            #expect(versions[0].body == adapted && versions[1].body == "# Meldregeling\n\nLaat bewaard.")
            let printed = try await browser.get("\(base)/1")
            #expect(printed.status == .ok)
            #expect(printed.body.string.contains("<strong>raad van toezicht</strong>"))
            #expect(printed.body.string.contains("De ondernemingsraad heeft op \(Day(Date()).adding(days: -1).dutch) ingestemd"))
            #expect(printed.headers.first(name: "Content-Security-Policy")?.contains("default-src 'none'") == true)
            let docx = try await browser.get("\(base)/1/docx")
            #expect(docx.headers.first(name: .contentDisposition)?.contains("meldregeling-het-baken-v1.docx") == true)
            let document = String(decoding: try #require(try entries(docx.body)["word/document.xml"]), as: UTF8.self)
            #expect(document.contains("Meldregeling") && document.contains("<w:b/>") && document.contains("Organisatie het-baken"))
            let page = try await browser.get(base).body.string
            #expect(page.contains("Vastgesteld: versie 1") && page.contains("Concept: versie 2"))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action ~~ ["policy.draft", "policy.edit", "policy.adopt"]).count() == 4)

            // Another kind: the works council is optional there, "no works council" excludes a date;
            // a new draft starts from the adopted text, and a later adoption cannot predate it.
            let psa = "/organisations/\(org.id!)/policy/psa"
            #expect(try await browser.post(psa, []).status == .seeOther)
            let both = try await browser.post("\(psa)/1/adopt", [("adoptedOn", today), ("adoptedBy", "de directie"),
                                                                  ("consentOn", yesterday), ("noWorksCouncil", "on")])
            #expect(both.status == .unprocessableEntity && both.body.string.contains("Kies één van beide"))
            #expect(try await browser.post("\(psa)/1/adopt", [("adoptedOn", today), ("adoptedBy", "de directie"), ("noWorksCouncil", "on")]).status == .seeOther)
            #expect(try await browser.post(psa, []).status == .seeOther)
            let psaVersions = try await PolicyDocument.query(on: app.db).filter(\.$kind == .psa).sort(\.$version).all()
            #expect(psaVersions.count == 2 && psaVersions[1].body == psaVersions[0].body && psaVersions[0].noWorksCouncil)
            #expect(try await browser.post("\(psa)/2/adopt", [("adoptedOn", yesterday), ("adoptedBy", "de directie")]).status == .unprocessableEntity)
            #expect(try await browser.get(psa).body.string.contains("geen OR"), "the version list says there is no works council")
        }
    }

    /// A draft read before a colleague adopted it is not written over: the write checks the status
    /// in the same statement.
    @Test func aVersionAdoptedBetweenReadingAndWritingIsNotWrittenOver() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let browser = Browser(app)
            try await browser.login(anna)
            #expect(try await browser.post("/organisations/\(org.id!)/policy/complaints", []).status == .seeOther)
            let stale = try #require(try await PolicyDocument.query(on: app.db).first())
            #expect(try await PolicyController.writeDraft(stale, [("body", "# Eerste")], on: app.db))
            try await PolicyDocument.query(on: app.db).set(\.$status, to: .adopted).update()
            #expect(try await PolicyController.writeDraft(stale, [("body", "# Te laat")], on: app.db) == false)
            #expect(try await PolicyDocument.query(on: app.db).first()?.body == "# Eerste")
        }
    }

    @Test func onlyTheOrganisationsCounsellorsAndAdminsSeeItsPolicyAndPoster() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let bram = try await app.makeAccount("bram@praktijk.nl")
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let other = Browser(app)
            try await other.login(bram)
            for path in ["/organisations/\(org.id!)/policy/psa", "/organisations/\(org.id!)/poster", "/organisations/\(org.id!)/mailing",
                         "/organisations/\(org.id!)/poster.docx"] {
                #expect(try await other.get(path).status == .notFound, "\(path)")
            }
            #expect(try await other.post("/organisations/\(org.id!)/policy/psa", []).status == .notFound)
            #expect(try await count(PolicyDocument.self, app) == 0)
            let beheer = Browser(app)
            try await beheer.login(admin)
            #expect(try await beheer.get("/organisations/\(org.id!)/policy/psa").status == .ok)
            #expect(try await beheer.get("/organisations/\(org.id!)/policy/onzin").status == .notFound)
        }
    }

    @Test func thePracticeEditsItsTemplatesAndNewDraftsStartFromThem() async throws {
        try await withVertrouwd { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let beheer = Browser(app, over: .socket)
            try await beheer.login(admin)
            #expect(try await beheer.get("/admin/policy").body.string.contains("standaardtekst"))
            #expect(try await beheer.get("/admin/policy/psa").body.string.contains("PSA"))
            let refused = try await beheer.post("/admin/policy/psa", [("body", "# PSA\n\nVoor {{bedrijf}}.")])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("Voor {{bedrijf}}."))
            #expect(try await count(PolicyTemplate.self, app) == 0)
            #expect(try await beheer.post("/admin/policy/psa", [("body", "# PSA-beleid {{organisatie}}\n\nEigen tekst van de praktijk.")]).status == .seeOther)
            #expect(try await beheer.get("/admin/policy").body.string.contains("aangepast op"))

            let browser = Browser(app)
            try await browser.login(anna)
            #expect(try await browser.post("/organisations/\(org.id!)/policy/psa", []).status == .seeOther)
            #expect(try await PolicyDocument.query(on: app.db).first()?.body == "# PSA-beleid Organisatie het-baken\n\nEigen tekst van de praktijk.")
            // Empty restores the built-in template.
            #expect(try await beheer.post("/admin/policy/psa", [("body", "")]).status == .seeOther)
            #expect(try await count(PolicyTemplate.self, app) == 0)
            #expect(try await browser.get("/admin/policy").status == .forbidden)
            #expect(try await browser.post("/admin/policy/psa", [("body", "# Van een vertrouwenspersoon")]).status == .forbidden)
            #expect(try await count(PolicyTemplate.self, app) == 0)
        }
    }

    @Test func thePosterAndMailingCarryAQRCodeToThePublicPageAndSendingIsAnActivity() async throws {
        try await withVertrouwd({ $0.publicURL = "https://vertrouwd.example.nl" }) { app in
            let anna = try await app.makeAccount("anna@praktijk.nl", name: "Anna de Vries")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            org.phone = "06-1234 5678"; org.email = "vp@baken.nl"
            try await org.save(on: app.db)
            let browser = Browser(app, over: .socket)
            try await browser.login(anna)
            let poster = try await browser.get("/organisations/\(org.id!)/poster")
            #expect(poster.status == .ok)
            #expect(poster.body.string.contains("<svg") && poster.body.string.contains("QR-code naar https://vertrouwd.example.nl/o/het-baken"))
            #expect(poster.body.string.contains("Anna de Vries") && poster.body.string.contains("niet in dienst van Organisatie het-baken"))
            #expect(poster.body.string.contains("href=\"/organisations/\(org.id!)/mailing\">← Terug naar poster en mailing"), "a way back")
            #expect(poster.headers.first(name: "Content-Security-Policy")?.contains("script-src 'self'") == true, "only our print button runs")
            let english = try await browser.get("/organisations/\(org.id!)/poster?lang=en").body.string
            #expect(english.contains("lang=\"en\"") && english.contains("QR code to https://vertrouwd.example.nl/o/het-baken"))
            #expect(english.contains("Phone 06-1234 5678.") && english.contains("Email vp@baken.nl."))
            // One number for calls and WhatsApp: said once, with both.
            org.whatsapp = "0612345678"
            try await org.save(on: app.db)
            let same = try await browser.get("/organisations/\(org.id!)/poster").body.string
            #expect(same.contains("Telefoon en WhatsApp 06-1234 5678.") && !same.contains("WhatsApp 0612345678"))
            org.whatsapp = "06-8765 4321"
            try await org.save(on: app.db)
            let other = try await browser.get("/organisations/\(org.id!)/poster?lang=en").body.string
            #expect(other.contains("Phone 06-1234 5678.") && other.contains("WhatsApp 06-8765 4321."))
            for dutch in ["Telefoon", "E-mail", "vertrouwenspersoon", " van "] { #expect(!english.contains(dutch), "\(dutch)") }

            let docx = try entries(try await browser.get("/organisations/\(org.id!)/poster.docx").body)
            let png = try #require(docx["word/media/qr.png"])
            #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            #expect(String(decoding: try #require(docx["word/_rels/document.xml.rels"]), as: UTF8.self).contains("media/qr.png"))
            #expect(String(decoding: try #require(docx["word/document.xml"]), as: UTF8.self).contains("r:embed=\"rId2\""))

            let mailing = try await browser.get("/organisations/\(org.id!)/mailing").body.string
            #expect(!mailing.contains("VERTROUWD_PUBLIC_URL is niet ingesteld"))
            #expect(mailing.contains("Beste collega") && mailing.contains("https://vertrouwd.example.nl/o/het-baken"))
            #expect(mailing.contains("value=\"material\" selected"))
            #expect(try await browser.get("/organisations/\(org.id!)/mailing?lang=en").body.string.contains("Dear colleague"))
            #expect(try await browser.post("/organisations/\(org.id!)/time", [("kind", "material"), ("what", "Poster en mailing verstuurd"),
                                                                         ("day", Day(Date()).iso), ("hours", "0,5")]).status == .seeOther)
            #expect(try await TimeEntry.query(on: app.db).filter(\.$activityKind == .material).count() == 1)
        }
    }

    @Test func withoutAPublicAddressTheMailingPageWarnsBeforeThePosterIsSpread() async throws {
        try await withVertrouwd({ $0.publicURL = nil }) { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let browser = Browser(app)
            try await browser.login(anna)
            #expect(try await browser.get("/organisations/\(org.id!)/mailing").body.string.contains("VERTROUWD_PUBLIC_URL is niet ingesteld"))
        }
    }

    @Test func theWhistleblowerTickIsOfferedOnlyWhereTheCounsellorIsTheChannelAndOnlyForWrongdoing() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let channel = try await app.makeOrganisation("het-baken", counsellors: [anna], whistleblowerChannel: true)
            let small = try await app.makeOrganisation("de-regenboog", counsellors: [anna], whistleblowerChannel: false)
            let reporter = Browser(app, over: .socket)
            #expect(try await reporter.get("/o/het-baken/melden").body.string.contains("name=\"whistleblower\""))
            #expect(!(try await reporter.get("/o/de-regenboog/melden").body.string.contains("name=\"whistleblower\"")))
            #expect(try await reporter.get("/o/het-baken").body.string.contains("Huis voor Klokkenluiders"))
            #expect(!(try await reporter.get("/o/de-regenboog").body.string.contains("Huis voor Klokkenluiders")))

            let refused = try await reporter.post("/o/het-baken/melden", [("counsellor", anna.id.uuidString), ("topic", "bullying"),
                                                                          ("story", "Mijn collega pest mij."), ("whistleblower", "on")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("gaat over een vermoeden van een misstand"))
            #expect(refused.body.string.contains("Mijn collega pest mij."))
            #expect(try await count(Case.self, app) == 0)

            // An old page's tick at an organisation that is not a WBK channel: a confidential report.
            _ = try await reporter.post("/o/de-regenboog/melden", [("counsellor", anna.id.uuidString), ("topic", "wrongdoing"),
                                                                   ("story", "Er wordt gefraudeerd."), ("whistleblower", "on")])
            #expect(try await Case.query(on: app.db).filter(\.$organisation.$id == small.id!).first()?.regime == .confidential)
            let english = Browser(app)
            _ = try await english.post("/o/het-baken/melden?lang=en", [("counsellor", anna.id.uuidString), ("topic", "wrongdoing"),
                                                                       ("story", "Invoices are faked."), ("whistleblower", "on")])
            let reported = try #require(try await Case.query(on: app.db).filter(\.$organisation.$id == channel.id!).first())
            #expect(reported.regime == .whistleblower)
            #expect(reported.reporterLanguageSealed.hasPrefix("v1."), "sealed, not plain")
            let opened = try OpenCase(record: reported, key: try app.keys.caseKey(of: reported), isOwner: true)
            #expect(CaseMailboxActions.reporterLanguage(opened) == .en)

            // The acknowledgement is offered in the reporter's language, with assessment and follow-up.
            let staff = Browser(app)
            try await staff.login(anna)
            let casePage = try await staff.get("/cases/\(reported.id!)").body.string
            #expect(casePage.contains("will be assessed and, where appropriate, followed up"))
            #expect(casePage.contains("Dutch Whistleblowers Authority"))
            #expect(CaseMailboxActions.acknowledgementText(.nl).contains("beoordeeld en, voor zover van toepassing, opgevolgd"))
        }
    }

    @Test(arguments: [Language.nl, .en])
    func thePublicPageSaysWhatTheLawAndTheSeedsAsk(language: Language) async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            org.complaintsCommittee = "Klachtencommissie Zorg, Postbus 1, 1000 AA Amsterdam"
            try await org.save(on: app.db)
            let contact = OrganisationContact()
            contact.$organisation.id = org.id!; contact.role = .internalCounsellor
            contact.name = "Petra Intern"; contact.email = "petra@baken.nl"; contact.phone = ""
            try await contact.create(on: app.db)
            let practice = try #require(try await Practice.find(Practice.singletonID, on: app.db))
            practice.responseWorkdays = 3
            try await practice.save(on: app.db)

            let reporter = Browser(app, over: .socket)
            let page = try await reporter.get("/o/het-baken?lang=\(language.rawValue)").body.string
            let request = try await reporter.get("/o/het-baken/gesprek").body.string
            let expected: [String] = language == .nl
                ? ["onafhankelijk en niet in dienst van je organisatie", "als de wet het eist, of als er ernstig gevaar is",
                   "jaarverslag, signalen en adviezen, zonder namen", "Geen onderzoek", "Geen oordeel",
                   "oud-medewerkers, stagiairs, uitzendkrachten", "Het kost je niets", "Petra Intern",
                   "Klachtencommissie Zorg, Postbus 1", "alleen eigen, noodzakelijke cookies", "Huis voor Klokkenluiders"]
                : ["independent and not employed by your organisation", "if the law requires it, or if there is serious danger",
                   "yearly report, signals and advice, without names", "No investigation", "No judgement",
                   "former employees, interns, temporary workers", "It costs you nothing", "Petra Intern",
                   "Klachtencommissie Zorg, Postbus 1", "only uses its own necessary cookies", "Dutch Whistleblowers Authority"]
            for text in expected { #expect(page.contains(text), "\(language): \(text)") }
            for wrong in ["Die werkt niet voor je organisatie", "does not work for your organisation", "hoogstens", "Hoogstens"] {
                #expect(!page.contains(wrong) && !request.contains(wrong))
            }
            #expect(request.contains(language == .nl ? "meestal binnen 3 werkdagen" : "usually within 3 working days"))
            let report = try await reporter.get("/o/het-baken/melden").body.string
            #expect(!report.contains("Je mag dit overslaan") && !report.contains("You may skip this"))
        }
    }

    /// Issue 25: what the public page, the report form, the acknowledgement, the reporter's rights,
    /// the poster and the mailing promise holds: nothing absolute that consent or the law undoes.
    @Test(arguments: [Language.nl, .en])
    func thePublicTextsPromiseOnlyWhatHolds(language: Language) async throws {
        try await withVertrouwd({ $0.publicURL = "https://vertrouwd.example.nl" }) { app in
            let anna = try await app.makeAccount("anna@praktijk.nl", name: "Anna de Vries")
            let bram = try await app.makeAccount("bram@praktijk.nl", name: "Bram Bos")
            anna.user.introduction = "Ik werk al twintig jaar als vertrouwenspersoon."
            try await anna.user.save(on: app.db)
            let wbk = try await app.makeOrganisation("het-baken", counsellors: [anna, bram])
            wbk.whistleblowerChannel = true; wbk.availability = "Werkdagen van 9 tot 17 uur"
            try await wbk.save(on: app.db)
            let small = try await app.makeOrganisation("klein-geluk", counsellors: [anna])
            small.whistleblowerChannel = false
            try await small.save(on: app.db)
            let nl = language == .nl
            let reporter = Browser(app, over: .socket)
            let page = try await reporter.get("/o/het-baken?lang=\(language.rawValue)").body.string
            let expected = nl
                ? ["Er zijn twee uitzonderingen: als de wet het eist, of als er ernstig gevaar is",
                   "Zonder jouw toestemming hoort je organisatie niet dat je contact hebt gehad.",
                   "zonder namen en zonder kleine aantallen", "dan weet die het wel: dat gebeurt alleen als jij dat wilt",
                   "als zzp&#39;er, sollicitant, bestuurder, toezichthouder of aandeelhouder",
                   "leverancier of (onder)aannemer van Organisatie het-baken",
                   "gaat die melding wél naar de organisatie, want die moet het onderzoeken. Je naam blijft geheim",
                   "een overheidsdienst die zulke meldingen mag onderzoeken"]
                : ["There are two exceptions: if the law requires it, or if there is serious danger",
                   "Without your permission, your organisation does not hear that you were in contact.",
                   "without names and without small numbers", "then that person does know: that only happens if you want it",
                   "as a self-employed contractor, job applicant, director, supervisory board member or shareholder",
                   "supplier or (sub)contractor of Organisatie het-baken",
                   "that report does go to the organisation, because it has to investigate it. Your name stays secret",
                   "a public body that may investigate such reports"]
            for text in expected { #expect(page.contains(text), "\(language): \(text)") }
            for wrong in ["één uitzondering", "one exception", "Niemand kan daaruit afleiden", "Nobody can tell"] {
                #expect(!page.contains(wrong), "\(wrong)")
            }
            // The counsellor's own words and the availability are Dutch: marked so on the English page.
            #expect(page.contains("<p lang=\"nl\">Ik werk al twintig jaar") == !nl)
            #expect(page.contains("<dd lang=\"nl\">Werkdagen van 9 tot 17 uur</dd>") == !nl)
            // Where the counsellor is not the channel, nothing about who else may report wrongdoing.
            let other = try await reporter.get("/o/klein-geluk?lang=\(language.rawValue)").body.string
            #expect(!other.contains(nl ? "zzp&#39;er" : "self-employed") && !other.contains(nl ? "want die moet het onderzoeken" : "has to investigate"))

            let form = try await reporter.get("/o/het-baken/melden").body.string
                + (try await reporter.get("/o/het-baken/gesprek").body.string)
            for text in nl
                ? ["Alleen de vertrouwenspersoon ziet dit, of een collega-vertrouwenspersoon die hem of haar vervangt.",
                   "iets wat fout gaat en ook anderen of de samenleving raakt",
                   "een ontvangstbevestiging (een bericht dat je melding binnen is), en binnen 3 maanden daarna"]
                : ["Only the counsellor sees this, or a fellow counsellor standing in for them.",
                   "something that goes wrong and also affects others or society",
                   "an acknowledgement (a message that your report has arrived) within 7 days, and within 3 months after that"]
            {
                #expect(form.contains(text), "\(language): \(text)")
            }

            let acknowledgement = CaseMailboxActions.acknowledgementText(language)
            #expect(acknowledgement.contains(nl ? "Je hebt haar gedaan als melding onder de Wet bescherming klokkenluiders."
                                                : "You made it as a report under the Dutch Whistleblower Protection Act"))
            #expect(!acknowledgement.contains(nl ? "valt onder de Wet" : "falls under"))

            let rights = nl ? ReporterRights.Text.nl : ReporterRights.Text.en
            #expect(rights.intro.contains(nl ? "vragen om het te verbeteren of te verwijderen" : "ask for it to be corrected or deleted"))
            #expect(rights.intro.contains(nl ? "beslist binnen een maand" : "decides within one month"))
            #expect(rights.deletionTitle == (nl ? "Vragen om je dossier te verwijderen" : "Ask for your file to be deleted"))

            let staff = Browser(app)
            try await staff.login(anna)
            let poster = try await staff.get("/organisations/\(wbk.id!)/poster?lang=\(language.rawValue)").body.string
            #expect(poster.contains(nl ? "Niets gebeurt zonder jouw toestemming, behalve als de wet het eist of bij ernstig gevaar"
                                       : "Nothing happens without your permission, unless the law requires it or there is serious danger"))
            #expect(!poster.contains("Jij beslist") && !poster.contains("You decide"))
            let mailing = try await staff.get("/organisations/\(wbk.id!)/mailing?lang=\(language.rawValue)").body.string
            #expect(mailing.contains(nl ? "bij een externe vertrouwenspersoon van" : "to an external confidential counsellor of"))
            #expect(mailing.contains(nl ? "(Anna de Vries en Bram Bos)" : "(Anna de Vries and Bram Bos)"))
            #expect(!mailing.contains("onze externe vertrouwenspersoon:") && !mailing.contains("our external confidential counsellor:"))
            #expect(mailing.contains(nl ? "Er zijn twee grenzen." : "There are two limits."))
            #expect(mailing.contains(nl ? "Zonder jouw toestemming hoort Organisatie het-baken niet" : "Without your consent, Organisatie het-baken is not told"))
        }
    }
}
