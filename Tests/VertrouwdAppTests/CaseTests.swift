import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

@Suite("Cases: intake, access, consent, encryption, audit")
struct CaseTests {
    func intakeFields(_ org: Organisation, summary: String = "Mijn leidinggevende schreeuwt elke week tegen mij.") -> [(String, String)] {
        [("organisation", org.id!.uuidString), ("kind", "personal_integrity"), ("categories[]", "bullying"), ("categories[]", "intimidation"),
         ("reporterRole", "affected_employee"), ("channel", "phone"), ("openedOn", Day(Date()).iso), ("department", "zorg"),
         ("relation", "manager"), ("regime", "confidential"), ("summary", summary), ("reporterName", "Fatima K."),
         ("reporterContact", "06-12345678"), ("accused", "Teamleider B.")]
    }

    @Test func aCounsellorOpensACaseWithAReferenceAndItsStoryEncryptedAtRest() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let browser = Browser(app)
            try await browser.login(anna)
            let secretStory = "Uniek-verhaal-7731 over pesten op de afdeling"
            let response = try await browser.post("/cases", intakeFields(org, summary: secretStory))
            #expect(response.status == .seeOther)
            let record = try #require(try await Case.query(on: app.db).with(\.$categories).first())
            #expect(record.reference == "\(Day(Date()).year)-0001")
            #expect(record.department == "Zorg")
            #expect(Set(record.categories.map(\.category)) == [.bullying, .intimidation])
            let location = try #require(response.headers.first(name: .location))
            #expect(location == "/cases/\(record.id!)")
            let page = try await browser.get(location).body.string
            #expect(page.contains(secretStory))
            #expect(!page.contains("Fatima K."), "identity is kept off the case page")

            // What the database holds: no story, name, contact or accused in plain text.
            let rows = try await (app.db as! any SQLDatabase).raw("SELECT * FROM cases").all()
            let dump = rows.map { "\($0)" }.joined()
            for plain in ["Uniek-verhaal-7731", "Fatima", "06-12345678", "Teamleider"] {
                #expect(!dump.contains(plain))
            }
            #expect(record.summarySealed.hasPrefix("v1."))
        }
    }

    @Test func theIntakeFormRefusesBadInputKeepsWhatWasTypedAndSavesNothing() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let browser = Browser(app)
            try await browser.login(anna)
            var fields = intakeFields(org, summary: "<img src=x onerror=alert(1)> mijn verhaal")
            fields.removeAll { $0.0 == "kind" || $0.0 == "openedOn" || $0.0 == "department" }
            fields += [("openedOn", "2026-02-30"), ("department", "Kelder")]
            let response = try await browser.post("/cases", fields)
            #expect(response.status == .unprocessableEntity)
            let html = response.body.string
            #expect(html.contains("Kies de soort."))
            #expect(html.contains("is geen geldige datum"))
            #expect(html.contains("Kies een afdeling zoals vastgelegd bij de organisatie: Zorg, Staf."))
            #expect(html.contains("&lt;img src=x onerror=alert(1)&gt; mijn verhaal"))
            #expect(html.contains("value=\"Fatima K.\""))
            #expect(try await count(Case.self, app) == 0)
        }
    }

    @Test func anOversizedStoryIsRefusedWithItsLength() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let browser = Browser(app)
            try await browser.login(anna)
            let response = try await browser.post("/cases", intakeFields(org, summary: String(repeating: "a", count: 20_001)))
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("maximaal 20000 tekens (nu 20001)"))
            #expect(try await count(Case.self, app) == 0)
        }
    }

    @Test func aBodyThatIsNotValidUTF8GetsAMessageNotACrash() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let browser = Browser(app)
            try await browser.login(anna)
            let csrf = try await browser.csrfToken()
            let response = try await browser.postRaw("/cases", body: ByteBuffer(string: "_csrf=\(csrf)&summary=%C3%28%FF&kind=personal_integrity"))
            #expect(response.status.code < 500)
            #expect(try await count(Case.self, app) == 0)
        }
    }

    @Test func aCounsellorCannotCreateACaseForAnOrganisationTheyDoNotServe() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let other = try await app.makeOrganisation("elders")
            let browser = Browser(app)
            try await browser.login(anna)
            let response = try await browser.post("/cases", intakeFields(other))
            #expect(response.status == .unprocessableEntity)
            #expect(try await count(Case.self, app) == 0)
        }
    }

    @Test func counsellorBCannotOpenTheCaseOfCounsellorA() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let bram = try await app.makeAccount("bram@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna, bram])
            let annasCase = try await app.makeCase(for: anna, at: org, summary: "Alleen voor Anna")
            let browser = Browser(app)
            try await browser.login(bram)
            let response = try await browser.get("/cases/\(annasCase.id!)")
            #expect(response.status == .notFound)
            #expect(!response.body.string.contains("Alleen voor Anna"))
            #expect(try await browser.get("/cases/\(annasCase.id!)/identity").status == .notFound)
            #expect(try await browser.post("/cases/\(annasCase.id!)/notes", [("body", "inbraak")]).status == .notFound)
            #expect(try await count(CaseNote.self, app) == 0)
            #expect(!(try await browser.get("/cases").body.string.contains(annasCase.reference)))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.denied").count() >= 1)
        }
    }

    @Test func anAdminCannotReadACaseNorSeeItsContentAnywhere() async throws {
        try await withVertrouwd { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let c = try await app.makeCase(for: anna, at: org, summary: "Geheim-verhaal-4242")
            let browser = Browser(app)
            try await browser.login(admin)
            #expect(try await browser.get("/cases/\(c.id!)").status == .notFound)
            for page in ["/", "/organisations", "/organisations/\(org.id!)", "/cases"] {
                let html = try await browser.get(page).body.string
                #expect(!html.contains("Geheim-verhaal-4242"))
                #expect(!html.contains("Jan Melder"))
            }
            // Not even a count: the admin serves no organisation, and a live count read day by day
            // would show each new report arrive (issue 23).
            let orgPage = try await browser.get("/organisations/\(org.id!)").body.string
            #expect(!orgPage.contains("Lopende meldingen"), "\(orgPage.suffix(3000))")
        }
    }

    @Test func aSubstituteCanReadASharedCaseAndTheGrantIsRecorded() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let bram = try await app.makeAccount("bram@praktijk.nl", name: "Bram")
            let carla = try await app.makeAccount("carla@praktijk.nl", name: "Carla")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna, bram])
            _ = try await app.makeOrganisation("de-linde", counsellors: [carla])
            let c = try await app.makeCase(for: anna, at: org, summary: "Voor de vervanger")
            let annas = Browser(app)
            try await annas.login(anna)
            // only to a counsellor of the case's organisation
            let stranger = try await annas.post("/cases/\(c.id!)/shares", [("user", carla.id.uuidString), ("reason", "Vakantie")])
            #expect(stranger.status == .unprocessableEntity && stranger.body.string.contains("Kies een vertrouwenspersoon uit de lijst."))
            #expect(!(try await annas.get("/cases/\(c.id!)").body.string.contains("Carla")), "not offered either")
            let refused = try await annas.post("/cases/\(c.id!)/shares", [("user", bram.id.uuidString), ("reason", "")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Vul de reden in."))
            #expect(try await annas.post("/cases/\(c.id!)/shares", [("user", bram.id.uuidString), ("reason", "Vakantie week 30")]).status == .seeOther)
            let brams = Browser(app)
            try await brams.login(bram)
            let page = try await brams.get("/cases/\(c.id!)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Voor de vervanger"))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.share").count() == 1)
            // A substitute cannot pass the case on, nor end shares.
            #expect(try await brams.post("/cases/\(c.id!)/shares", [("user", anna.id.uuidString), ("reason", "x")]).status == .forbidden)
            #expect(try await brams.post("/cases/\(c.id!)/unshare", [("user", bram.id.uuidString)]).status == .forbidden)
            // The owner ends the share: recorded, and the substitute no longer opens the case.
            let ended = try await annas.post("/cases/\(c.id!)/unshare", [("user", bram.id.uuidString)])
            #expect(ended.status == .seeOther)
            #expect(try await brams.get("/cases/\(c.id!)").status != .ok)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.unshare").count() == 1)
        }
    }

    @Test func aShareWithAnEndDateStopsOpeningTheCaseAfterItsLastDay() async throws {
        try await withVertrouwd { app in
            // setup
            let today = Day(Date())
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let bram = try await app.makeAccount("bram@praktijk.nl", name: "Bram")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna, bram])
            let c = try await app.makeCase(for: anna, at: org, summary: "Tijdens de vakantie")
            let annas = Browser(app, over: .from("127.0.0.2"))
            try await annas.login(anna)
            let brams = Browser(app, over: .from("127.0.0.3"))
            try await brams.login(bram)

            // unhappy: an end in the past, a date that is no date; nothing shared, the form keeps what was typed
            for (ends, message) in [(today.adding(days: -1).iso, "in het verleden"), ("31-02-2026", "geen geldige datum")] {
                let refused = try await annas.post("/cases/\(c.id!)/shares", [("user", bram.id.uuidString), ("reason", "Vakantie"), ("ends", ends)])
                #expect(refused.status == .unprocessableEntity && refused.body.string.contains(message) && refused.body.string.contains("value=\"\(ends)\""))
            }
            #expect(try await count(CaseShare.self, app) == 0)

            // MUT: shared until today
            let shared = try await annas.post("/cases/\(c.id!)/shares", [("user", bram.id.uuidString), ("reason", "Vakantie"), ("ends", today.iso)])

            // validate: open today, listed; after the last day neither, and the case says it ended
            #expect(shared.status == .seeOther)
            #expect(try await brams.get("/cases/\(c.id!)").status == .ok)
            #expect(try await brams.get("/cases").body.string.contains(c.reference))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.share").first()?.detail == "user:\(bram.id) until:\(today.iso)")
            let share = try #require(try await CaseShare.query(on: app.db).first())
            share.endsOn = today.adding(days: -1)
            try await share.save(on: app.db)
            #expect(try await brams.get("/cases/\(c.id!)").status == .notFound)
            #expect(!(try await brams.get("/cases").body.string.contains(c.reference)))
            #expect(!(try await brams.get("/").body.string.contains(c.reference)))
            let page = try await annas.get("/cases/\(c.id!)").body.string
            #expect(page.contains("tot en met \(today.adding(days: -1).dutch)") && page.contains("afgelopen"))
            // sharing again makes way for the ended share
            #expect(try await annas.post("/cases/\(c.id!)/shares", [("user", bram.id.uuidString), ("reason", "Weer vakantie")]).status == .seeOther)
            #expect(try await brams.get("/cases/\(c.id!)").status == .ok)
            #expect(try await count(CaseShare.self, app) == 1)
        }
    }

    @Test func theOwnerPrintsTheCaseFileWithoutTheReportersIdentityAndItIsAudited() async throws {
        try await withVertrouwd { app in
            // setup: a case with a note, shared with Bram
            let (c, anna) = try await app.counsellorWithCase(summary: "Het verhaal voor het dossier", over: .from("127.0.0.2"))
            let bram = try await app.makeAccount("bram@praktijk.nl", name: "Bram")
            try await Organisation.find(c.$organisation.id, on: app.db)!.$counsellors.attach(bram.user, on: app.db)
            #expect(try await anna.post("/cases/\(c.id!)/notes", [("body", "Gesprek gevoerd <script>x</script>")]).status == .seeOther)
            #expect(try await anna.post("/cases/\(c.id!)/shares", [("user", bram.id.uuidString), ("reason", "Vakantie")]).status == .seeOther)
            #expect(try await anna.get("/cases/\(c.id!)").body.string.contains("/cases/\(c.id!)/file"))

            // MUT
            let file = try await anna.get("/cases/\(c.id!)/file")

            // validate
            let html = file.body.string
            #expect(file.status == .ok && html.contains("Dossier melding \(c.reference)") && html.contains("Het verhaal voor het dossier"))
            #expect(html.contains("Gesprek gevoerd &lt;script&gt;") && !html.contains("<script>x"), "contents are escaped")
            #expect(!html.contains("Jan Melder") && !html.contains("06-11111111"), "no identity of the reporter")
            #expect(!html.contains("<form"), "nothing to change in a file")
            #expect(file.headers.first(name: "Content-Security-Policy")?.contains("default-src 'none'") == true)
            // a substitute reads the case, not its file, and a refused file is no export
            let brams = Browser(app, over: .from("127.0.0.3"))
            try await brams.login(bram)
            #expect(try await brams.get("/cases/\(c.id!)").status == .ok)
            #expect(try await brams.get("/cases/\(c.id!)/file").status == .notFound)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.export").filter(\.$subject == "case:\(c.id!)").count() == 1)
        }
    }

    @Test func escalatingWithoutConsentIsRefusedAndTheLadderStays() async throws {
        try await withVertrouwd { app in
            let (c, browser) = try await app.counsellorWithCase()
            let today = Day(Date()).iso
            let refused = try await browser.post("/cases/\(c.id!)/escalations", [("level", "3"), ("day", today), ("note", "Gesprek met afdelingshoofd")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Leg eerst vast wanneer en hoe de melder toestemming gaf"))
            #expect(refused.body.string.contains("Gesprek met afdelingshoofd"))
            #expect(try await Case.find(c.id, on: app.db)?.ladderLevel == .adviceToReporter)
            #expect(try await count(CaseEscalation.self, app) == 0)

            let legalDutyWithoutReason = try await browser.post("/cases/\(c.id!)/escalations", [("level", "5"), ("day", today), ("consentBasis", "legal_duty")])
            #expect(legalDutyWithoutReason.body.string.contains("Geef bij een wettelijke plicht de reden op."))
            #expect(try await count(CaseConsent.self, app) == 0)

            let allowed = try await browser.post("/cases/\(c.id!)/escalations", [("level", "3"), ("day", today), ("consentBasis", "consent"),
                                                                                   ("consentOn", today), ("consentMethod", "oral"), ("consentRemark", "Na het tweede gesprek")])
            #expect(allowed.status == .seeOther)
            #expect(try await Case.find(c.id, on: app.db)?.ladderLevel == .withHigherManager)
            let consent = try #require(try await CaseConsent.query(on: app.db).first())
            #expect(consent.step == "escalation:3" && consent.basis == "consent" && consent.method == .oral)
            #expect(!consent.remarkSealed.contains("tweede gesprek"))
            #expect(try await browser.get("/cases/\(c.id!)").body.string.contains("Na het tweede gesprek"))
        }
    }

    @Test func aReferralPassingOnPersonalDataNeedsConsentButAPlainOneDoesNot() async throws {
        try await withVertrouwd { app in
            let (c, browser) = try await app.counsellorWithCase()
            let today = Day(Date()).iso
            #expect(try await browser.post("/cases/\(c.id!)/referrals", [("target", "mediator"), ("day", today), ("passesPersonalData", "on")]).status == .unprocessableEntity)
            #expect(try await browser.post("/cases/\(c.id!)/referrals", [("target", "mediator"), ("day", today)]).status == .seeOther)
            #expect(try await browser.post("/cases/\(c.id!)/referrals", [("target", "nasa"), ("day", today)]).status == .unprocessableEntity)
            #expect(try await count(CaseReferral.self, app) == 1)
        }
    }

    @Test func reportingOnBehalfIsOnlyForBusinessIntegrityAndAlwaysNeedsConsent() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let personal = try await app.makeCase(for: anna, at: org)
            let business = try await app.makeCase(for: anna, at: org, kind: .businessIntegrity)
            let browser = Browser(app)
            try await browser.login(anna)
            let today = Day(Date()).iso
            #expect(try await browser.post("/cases/\(personal.id!)/report-on-behalf", [("day", today)]).status == .notFound)
            #expect(try await browser.post("/cases/\(business.id!)/report-on-behalf", [("day", today), ("anonymous", "on")]).status == .unprocessableEntity)
            let consented = [("day", today), ("anonymous", "on"), ("consentBasis", "consent"), ("consentOn", today), ("consentMethod", "written")]
            // Seed 001 §5 step 4: in the first place the reporter reports themselves.
            let notConsidered = try await browser.post("/cases/\(business.id!)/report-on-behalf", consented)
            #expect(notConsidered.status == .unprocessableEntity)
            #expect(notConsidered.body.string.contains("zelf kan melden bij het management"))
            #expect(try await count(CaseReportOnBehalf.self, app) == 0)
            #expect(try await browser.post("/cases/\(business.id!)/report-on-behalf", consented + [("selfReportConsidered", "on")]).status == .seeOther)
            #expect(try await count(CaseReportOnBehalf.self, app) == 1)
        }
    }

    @Test func whistleblowerDeadlinesShowAndAcknowledgementIsRecorded() async throws {
        try await withVertrouwd { app in
            let opened = Day(Date()).adding(days: -10)
            let (c, browser) = try await app.counsellorWithCase(kind: .businessIntegrity, regime: .whistleblower, openedOn: opened)
            let dashboard = try await browser.get("/").body.string
            #expect(dashboard.contains("te laat: was \(opened.adding(days: 7).dutch)"))
            let early = try await browser.post("/cases/\(c.id!)/wbk", [("acknowledgedOn", opened.adding(days: -1).iso)])
            #expect(early.status == .unprocessableEntity)
            #expect(try await browser.post("/cases/\(c.id!)/wbk", [("acknowledgedOn", opened.adding(days: 3).iso)]).status == .seeOther)
            #expect(try await Case.find(c.id, on: app.db)?.acknowledgedOn == opened.adding(days: 3))
            #expect(!(try await browser.get("/").body.string.contains("te laat")))
        }
    }

    @Test func aConversationBecomesAWhistleblowerReportOnlyWithTheReportersConsent() async throws {
        try await withVertrouwd { app in
            let (c, browser) = try await app.counsellorWithCase(kind: .businessIntegrity, openedOn: Day(Date()).adding(days: -40))
            let today = Day(Date()).iso
            let details: [(String, String)] = [("categories[]", "fraud"), ("reporterRole", "witness"), ("channel", "phone"),
                                               ("relation", "manager"), ("regime", "whistleblower"), ("summary", "Facturen kloppen niet")]
            let refused = try await browser.post("/cases/\(c.id!)/details", details)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("alleen met toestemming van de melder"))
            #expect(refused.body.string.contains("Facturen kloppen niet"))
            #expect(try await Case.find(c.id, on: app.db)?.regime == .confidential)
            let legalDuty = try await browser.post("/cases/\(c.id!)/details", details + [("consentBasis", "legal_duty"), ("consentRemark", "x")])
            #expect(legalDuty.status == .unprocessableEntity)
            #expect(try await browser.post("/cases/\(c.id!)/details", details + [("consentBasis", "consent"), ("consentOn", today), ("consentMethod", "written")]).status == .seeOther)
            let converted = try #require(try await Case.find(c.id, on: app.db))
            #expect(converted.regime == .whistleblower)
            // The clocks start at the conversion, not at the first conversation 40 days ago.
            #expect(converted.whistleblowerClock?.acknowledgementDue == Day(Date()).adding(days: 7))
            #expect(try await CaseConsent.query(on: app.db).filter(\.$step == "regime:whistleblower").count() == 1)
        }
    }

    @Test func theWhistleblowerRegimeIsRefusedWhereTheCounsellorIsNotTheChannel() async throws {
        try await withVertrouwd { app in
            let (c, browser) = try await app.counsellorWithCase(kind: .businessIntegrity)
            let org = try #require(try await Organisation.find(c.$organisation.id, on: app.db))
            org.whistleblowerChannel = false
            try await org.save(on: app.db)
            let today = Day(Date()).iso
            let details: [(String, String)] = [("categories[]", "fraud"), ("reporterRole", "witness"), ("channel", "phone"),
                                               ("relation", "manager"), ("regime", "whistleblower"), ("summary", "Facturen kloppen niet")]
            let consent = [("consentBasis", "consent"), ("consentOn", today), ("consentMethod", "written")]
            let refused = try await browser.post("/cases/\(c.id!)/details", details + consent)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("is de vertrouwenspersoon geen meldkanaal onder de Wet bescherming klokkenluiders"))
            #expect(refused.body.string.contains("Facturen kloppen niet"))
            #expect(try await Case.find(c.id, on: app.db)?.regime == .confidential)
            let made = try await browser.post("/cases", [("organisation", org.id!.uuidString), ("kind", "business_integrity"),
                                                         ("openedOn", today)] + details)
            #expect(made.status == .unprocessableEntity && made.body.string.contains("geen meldkanaal"))
            #expect(try await count(Case.self, app) == 1)
            // Where the counsellor is the channel, the same conversion goes through.
            org.whistleblowerChannel = true
            try await org.save(on: app.db)
            #expect(try await browser.post("/cases/\(c.id!)/details", details + consent).status == .seeOther)
            #expect(try await Case.find(c.id, on: app.db)?.regime == .whistleblower)
        }
    }

    @Test func stepsTimeNotesAndClosureWorkAndAClosedCaseTakesNoMoreChanges() async throws {
        try await withVertrouwd { app in
            let (c, browser) = try await app.counsellorWithCase()
            let today = Day(Date()).iso
            #expect(try await browser.post("/cases/\(c.id!)/steps", [("step", "p1"), ("day", today)]).status == .seeOther)
            #expect(try await browser.post("/cases/\(c.id!)/steps", [("step", "z4"), ("day", today)]).status == .badRequest)
            #expect(try await browser.post("/cases/\(c.id!)/steps", [("step", "p2"), ("day", Day(Date()).adding(days: 2).iso)]).status == .unprocessableEntity)
            #expect(try await count(CaseStep.self, app) == 1)
            #expect(try await browser.post("/cases/\(c.id!)/time", [("day", today), ("hours", "1,5")]).status == .seeOther)
            let badHours = try await browser.post("/cases/\(c.id!)/time", [("day", today), ("hours", "0,1")])
            #expect(badHours.body.string.contains("Schrijf uren in kwartieren"))
            #expect(try await TimeEntry.query(on: app.db).all(\.$minutes).reduce(0, +) == 90)
            #expect(try await browser.post("/cases/\(c.id!)/notes", [("body", "Notitie-9911")]).status == .seeOther)
            #expect(!(try await CaseNote.query(on: app.db).first()!.bodySealed.contains("Notitie-9911")))
            // steps still open: closing asks first, names them, and changes nothing
            let asked = try await browser.post("/cases/\(c.id!)/close", [("outcome", "informal_solution"), ("closedOn", today), ("closingNote", "Opgelost")])
            #expect(asked.status == .unprocessableEntity && asked.body.string.contains("Er staan nog stappen open") && asked.body.string.contains("Niet afgevinkt: 2."))
            #expect(asked.body.string.contains(">Opgelost</textarea>"), "what was typed stays")
            #expect(try await Case.find(c.id, on: app.db)?.status == .open)
            #expect(try await browser.post("/cases/\(c.id!)/close", [("outcome", "informal_solution"), ("closedOn", today), ("openSteps", "on")]).status == .seeOther)
            let closed = try #require(try await Case.find(c.id, on: app.db))
            #expect(closed.status == .closed && closed.outcome == .informalSolution)
            let late = try await browser.post("/cases/\(c.id!)/notes", [("body", "na afsluiten")])
            #expect(late.status == .unprocessableEntity)
            #expect(late.body.string.contains("afgesloten"))
            #expect(try await count(CaseNote.self, app) == 1)
        }
    }

    @Test func everyReadAndChangeIsAuditedInAnUnbrokenChainAndTamperingIsFound() async throws {
        try await withVertrouwd { app in
            let (c, browser) = try await app.counsellorWithCase()
            try await browser.get("/cases/\(c.id!)")
            try await browser.get("/cases/\(c.id!)/identity")
            try await browser.post("/cases/\(c.id!)/notes", [("body", "x")])
            let actions = try await AuditEvent.query(on: app.db).filter(\.$subject == "case:\(c.id!)").all().map(\.action)
            #expect(actions.contains("case.read"))
            #expect(actions.contains("case.read_identity"))
            #expect(actions.contains("case.note"))
            let (entries, broken) = try await Audit.verify(db: app.db, key: app.keys.auditChainKey)
            #expect(broken == nil)
            #expect(entries >= 5)
            try await (app.db as! any SQLDatabase).raw("UPDATE audit_events SET actor = 'user:iemand-anders' WHERE seq = 2").run()
            #expect(try await Audit.verify(db: app.db, key: app.keys.auditChainKey).broken == .wrongHash(sequence: 2))
        }
    }

    @Test func theCalendarFeedCarriesTimesButNoCaseContent() async throws {
        try await withVertrouwd { app in
            let (c, browser) = try await app.counsellorWithCase()
            let when = "\(Day(Date()).adding(days: 2).iso)T14:30"
            #expect(try await browser.post("/cases/\(c.id!)/appointments", [("startsAt", when), ("duration", "45"), ("mode", "in_person"),
                                                                              ("place", "Bibliotheek-Zuid-Geheim")]).status == .seeOther)
            let bad = try await browser.post("/cases/\(c.id!)/appointments", [("startsAt", "morgen"), ("duration", "9999"), ("mode", "telepathie")])
            #expect(bad.status == .unprocessableEntity)
            #expect(try await count(CaseAppointment.self, app) == 1)
            let page = try await browser.post("/calendar-feed", []).body.string
            let feedPath = try #require(page.range(of: "/calendar/").map { String(page[$0.lowerBound...].prefix { $0 != "<" }) })
            let feed = try await Browser(app).get(feedPath)
            #expect(feed.status == .ok)
            let ics = feed.body.string
            #expect(ics.contains("BEGIN:VEVENT"))
            #expect(ics.contains("DTSTART;TZID=Europe/Amsterdam:\(when.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: ""))00"))
            #expect(!ics.contains("Bibliotheek"))
            #expect(!ics.contains(c.reference))
            #expect(!ics.contains("Jan Melder"))
            #expect(try await Browser(app).get("/calendar/niet-geldig.ics").status == .notFound)
        }
    }
}
