import Fluent
import Foundation
import Testing
import Vapor
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

/// Hours, activities, contacts, phases, contract years and an advice's text could only be added:
/// a typo stayed in the annual report. Each can now be changed or removed, with a reason in the
/// audit log, unless a signed-off annual report (or, for an advice, management) already has it.
@Suite("Corrections")
struct CorrectionTests {
    /// A contract year around `day` and, when `signedOn` is given, its signed-off annual report.
    static func year(_ org: Organisation, around day: Day, budgetHours: Int = 40, signedOn: Day? = nil, on app: Application) async throws -> ContractYear {
        let year = ContractYear()
        year.$organisation.id = org.id!
        year.startsOn = day.adding(days: -30); year.endsOn = day.adding(days: 30)
        year.budgetMinutes = budgetHours * 60; year.focusPoints = ""
        try await year.create(on: app.db)
        if let signedOn {
            let report = AnnualReportRecord()
            report.$contractYear.id = year.id!
            report.roleText = ""; report.recommendations = ""; report.focusNext = ""
            report.signedOffOn = signedOn.iso; report.snapshot = "{}"
            try await report.create(on: app.db)
        }
        return year
    }

    static func audits(_ action: String, _ app: Application) async throws -> [AuditEvent] {
        try await AuditEvent.query(on: app.db).filter(\.$action == action).all()
    }

    @Test func anHourOnACaseIsCorrectedAndRemovedWithAReasonOverASocket() async throws {
        try await withVertrouwd { app in
            // setup: Anna wrote 1,5 hours on her case yesterday
            let today = Day(Date())
            let (c, anna) = try await app.counsellorWithCase(over: .from("127.0.0.2"))
            #expect(try await anna.post("/cases/\(c.id!)/time", [("day", today.adding(days: -1).iso), ("hours", "1,5")]).status == .seeOther)
            let entry = try #require(try await TimeEntry.query(on: app.db).filter(\.$caseID == c.id!).first())
            let page = try await anna.get("/cases/\(c.id!)").body.string
            #expect(page.contains("/cases/\(c.id!)/time/\(entry.id!)"), "the case page links each hour to its correction")
            let form = try await anna.get("/cases/\(c.id!)/time/\(entry.id!)")
            #expect(form.status == .ok && form.body.string.contains("value=\"1,5\"") && form.body.string.contains("Reden"))

            // unhappy: no reason, a reason too long, a reason with control characters, hours not in quarters, nothing changed
            let url = "/cases/\(c.id!)/time/\(entry.id!)"
            let refusals: [([(String, String)], String)] = [
                ([("day", today.iso), ("hours", "2"), ("reason", "")], "Kies een reden."),
                ([("day", today.iso), ("hours", "2"), ("reason", "Jan Jansen pest haar")], "Kies een reden uit de lijst."),
                ([("day", today.iso), ("hours", "1,1"), ("reason", "typo")], "Schrijf uren in kwartieren"),
                ([("day", today.adding(days: 3).iso), ("hours", "2"), ("reason", "typo")], "toekomst"),
                ([("day", today.adding(days: -1).iso), ("hours", "1,5"), ("reason", "typo")], "Er is niets veranderd"),
            ]
            for (fields, message) in refusals {
                let refused = try await anna.post(url, fields)
                #expect(refused.status == .unprocessableEntity, "\(message)")
                #expect(refused.body.string.contains(message), "\(message)")
                #expect(refused.body.string.contains("value=\"\(fields[1].1)\""), "what was typed stays: \(message)")
            }
            #expect(try await TimeEntry.find(entry.id, on: app.db)?.minutes == 90, "nothing changed")
            #expect(try await Self.audits("correction.change", app).isEmpty)

            // MUT: the change (a case's row takes no free text: a note sent anyway goes nowhere)
            let changed = try await anna.post(url, [("day", today.adding(days: -2).iso), ("hours", "0,75"), ("reason", "duplicate"),
                                                    ("note", "Jan Jansen, afdeling Zorg")])

            // validate
            #expect(changed.status == .seeOther && changed.headers.first(name: .location) == "/cases/\(c.id!)#hours")
            let stored = try #require(try await TimeEntry.find(entry.id, on: app.db))
            #expect(stored.minutes == 45 && stored.onDay == today.adding(days: -2))
            let audit = try #require(try await Self.audits("correction.change", app).first)
            #expect(audit.subject == "case:\(c.id!)" && audit.detail == "case-time:\(entry.id!) day,minutes · reason:duplicate")
            #expect(try await AuditEvent.query(on: app.db).all().allSatisfy { !$0.detail.contains("Jansen") }, "no words of a case in the log")

            // MUT: removing it
            #expect(try await anna.post(url + "/remove", [("reason", "")]).status == .unprocessableEntity)
            #expect(try await TimeEntry.find(entry.id, on: app.db) != nil)
            let removed = try await anna.post(url + "/remove", [("reason", "wrong_place")])
            #expect(removed.status == .seeOther)
            #expect(try await TimeEntry.find(entry.id, on: app.db) == nil)
            #expect(try await Self.audits("correction.remove", app).first?.detail == "case-time:\(entry.id!) · reason:wrong_place")
        }
    }

    @Test func onlyTheCaseOwnerOrTheAuthorCorrectsAnHour() async throws {
        try await withVertrouwd { app in
            // setup: Anna's case is shared with Bram; each wrote an hour. Carla serves the organisation too.
            let (c, anna) = try await app.counsellorWithCase()
            let bram = try await app.makeAccount("bram@praktijk.nl")
            let carla = try await app.makeAccount("carla@praktijk.nl")
            let org = try #require(try await Organisation.find(c.$organisation.id, on: app.db))
            try await org.$counsellors.attach(bram.user, on: app.db)
            try await org.$counsellors.attach(carla.user, on: app.db)
            #expect(try await anna.post("/cases/\(c.id!)/shares", [("user", bram.id.uuidString), ("reason", "Vakantie")]).status == .seeOther)
            #expect(try await anna.post("/cases/\(c.id!)/time", [("day", Day(Date()).iso), ("hours", "1")]).status == .seeOther)
            let annas = try #require(try await TimeEntry.query(on: app.db).filter(\.$caseID == c.id!).first())
            let bramsBrowser = Browser(app, over: .from("127.0.0.3"))
            try await bramsBrowser.login(bram)
            #expect(try await bramsBrowser.post("/cases/\(c.id!)/time", [("day", Day(Date()).iso), ("hours", "2")]).status == .seeOther)
            let brams = try #require(try await TimeEntry.query(on: app.db).filter(\.$caseID == c.id!).filter(\.$minutes == 120).first())
            let carlasBrowser = Browser(app, over: .from("127.0.0.4"))
            try await carlasBrowser.login(carla)

            // MUT + validate: the substitute corrects their own entry, not the owner's
            #expect(try await bramsBrowser.get("/cases/\(c.id!)/time/\(annas.id!)").status == .notFound)
            #expect(try await bramsBrowser.post("/cases/\(c.id!)/time/\(annas.id!)/remove", [("reason", "typo")]).status == .notFound)
            #expect(try await bramsBrowser.post("/cases/\(c.id!)/time/\(brams.id!)", [("day", Day(Date()).iso), ("hours", "1,5"), ("reason", "typo")]).status == .seeOther)
            // the owner corrects any entry on the case; someone without access learns nothing
            #expect(try await anna.get("/cases/\(c.id!)/time/\(brams.id!)").status == .ok)
            #expect(try await carlasBrowser.get("/cases/\(c.id!)/time/\(annas.id!)").status == .notFound)
            #expect(try await carlasBrowser.post("/cases/\(c.id!)/time/\(annas.id!)/remove", [("reason", "typo")]).status == .notFound)
            #expect(try await TimeEntry.find(annas.id, on: app.db) != nil)
            // an hour of a case is not an activity of the organisation: that path does not reach it
            let carlasOrg = "/organisations/\(c.$organisation.id)/correct/activity/\(annas.id!)"
            #expect(try await carlasBrowser.get(carlasOrg).status == .notFound)
            #expect(try await anna.post(carlasOrg + "/remove", [("reason", "typo")]).status == .notFound)
            #expect(try await TimeEntry.find(annas.id, on: app.db) != nil)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "correction.remove").count() == 0)
        }
    }

    @Test func aCorrectionASignedOffReportDependsOnIsRefusedWithTheReason() async throws {
        try await withVertrouwd { app in
            // setup: last quarter's year is signed off; an hour and an activity fall inside it
            let today = Day(Date())
            let signedDay = today.adding(days: -100)
            let (c, anna) = try await app.counsellorWithCase(openedOn: today.adding(days: -120))
            let org = try #require(try await Organisation.find(c.$organisation.id, on: app.db))
            let signed = try await Self.year(org, around: signedDay, signedOn: today.adding(days: -20), on: app)
            _ = try await Self.year(org, around: today, on: app)
            // nothing new goes into the signed-off year either (the hour written before it was signed off is made directly)
            let late = try await anna.post("/cases/\(c.id!)/time", [("day", signedDay.iso), ("hours", "1")])
            #expect(late.status == .unprocessableEntity && late.body.string.contains("is vastgesteld op"))
            let before = TimeEntry(organisationID: org.id!, userID: c.$counsellor.id, caseID: c.id!, on: signedDay, minutes: 60, description: "")
            try await before.create(on: app.db)
            #expect(try await anna.post("/cases/\(c.id!)/time", [("day", today.iso), ("hours", "2")]).status == .seeOther)
            let old = try #require(try await TimeEntry.query(on: app.db).filter(\.$caseID == c.id!).filter(\.$minutes == 60).first())
            let current = try #require(try await TimeEntry.query(on: app.db).filter(\.$caseID == c.id!).filter(\.$minutes == 120).first())
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let desk = Browser(app, over: .from("127.0.0.5"))
            try await desk.login(admin)

            // MUT + validate: the hour inside the signed-off year is shown, not offered
            let page = try await anna.get("/cases/\(c.id!)/time/\(old.id!)").body.string
            #expect(page.contains("Niet meer te wijzigen") && page.contains("vastgesteld op \(today.adding(days: -20).dutch)"))
            #expect(!page.contains("Wijziging opslaan"))
            let refused = try await anna.post("/cases/\(c.id!)/time/\(old.id!)", [("day", signedDay.iso), ("hours", "3"), ("reason", "typo")])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("is vastgesteld op"))
            #expect(try await anna.post("/cases/\(c.id!)/time/\(old.id!)/remove", [("reason", "typo")]).status == .unprocessableEntity)
            // moving a current hour into the signed-off year is refused too
            let moved = try await anna.post("/cases/\(c.id!)/time/\(current.id!)", [("day", signedDay.iso), ("hours", "2"), ("reason", "wrong_date")])
            #expect(moved.status == .unprocessableEntity && moved.body.string.contains("is vastgesteld op"))
            #expect(try await TimeEntry.find(old.id, on: app.db)?.minutes == 60)
            #expect(try await TimeEntry.find(current.id, on: app.db)?.onDay == today)
            // the signed-off year's own budget and dates stay, and it is not removed
            let yearURL = "/organisations/\(org.id!)/correct/contract-year/\(signed.id!)"
            #expect(try await desk.get(yearURL).body.string.contains("Niet meer te wijzigen"))
            let budget = try await desk.post(yearURL, [("start", signed.startsOn.iso), ("end", signed.endsOn.iso), ("hours", "60"), ("reason", "agreed")])
            #expect(budget.status == .unprocessableEntity && budget.body.string.contains("is vastgesteld op"))
            #expect(try await desk.post(yearURL + "/remove", [("reason", "duplicate")]).status == .unprocessableEntity)
            #expect(try await ContractYear.find(signed.id, on: app.db)?.budgetMinutes == 40 * 60)
            #expect(try await Self.audits("correction.change", app).isEmpty)
            #expect(try await Self.audits("correction.remove", app).isEmpty)
            // Only its hourly rate (not in the report) can still be agreed, from a form of the rate alone.
            let rateForm = try await desk.get(yearURL).body.string
            #expect(rateForm.contains("Uurtarief wijzigen") && rateForm.contains("type=\"hidden\" name=\"hours\" value=\"40\""))
            let frozen = [("start", signed.startsOn.iso), ("end", signed.endsOn.iso), ("hours", "40")]
            let badRate = try await desk.post(yearURL, frozen + [("rate", "veel"), ("reason", "agreed"), ("note", "Tarief")])
            #expect(badRate.status == .unprocessableEntity && badRate.body.string.contains("Vul het uurtarief in euro in"))
            #expect(badRate.body.string.contains("Uurtarief wijzigen") && !badRate.body.string.contains("type=\"date\""))
            let rate = try await desk.post(yearURL, frozen + [("rate", "95"), ("reason", "agreed"), ("note", "Tarief afgesproken")])
            #expect(rate.status == .seeOther)
            #expect(try await ContractYear.find(signed.id, on: app.db)?.hourlyRateCents == 9500)
            #expect(try await ContractYear.find(signed.id, on: app.db)?.budgetMinutes == 40 * 60)
            #expect(try await Self.audits("correction.change", app).count == 1)
        }
    }

    @Test func anAdminCorrectsContactsPhasesAndAddsHoursToAYear() async throws {
        try await withVertrouwd { app in
            // setup
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let year = try await Self.year(org, around: Day(Date()), on: app)
            let desk = Browser(app, over: .from("127.0.0.2"))
            try await desk.login(admin)
            let annasBrowser = Browser(app, over: .from("127.0.0.3"))
            try await annasBrowser.login(anna)
            let base = "/organisations/\(org.id!)"
            #expect(try await desk.post(base + "/contacts", [("role", "hr"), ("name", "Hanna de Vris"), ("email", "hanna@baken.nl")]).status == .seeOther)
            #expect(try await desk.post(base + "/phases", [("phase", "introduction"), ("day", Day(Date()).iso), ("note", "")]).status == .seeOther)
            let contact = try #require(try await OrganisationContact.query(on: app.db).first())
            let phase = try #require(try await EngagementPhaseRecord.query(on: app.db).first())
            let orgPage = try await desk.get(base).body.string
            #expect(orgPage.contains("\(base)/correct/contact/\(contact.id!)") && orgPage.contains("\(base)/correct/contract-year/\(year.id!)"))

            // a counsellor does not correct what an admin keeps
            #expect(try await annasBrowser.get("\(base)/correct/contact/\(contact.id!)").status == .notFound)
            #expect(!(try await annasBrowser.get(base).body.string.contains("/correct/contact/")))
            // a wrong e-mail address is refused with what was typed
            let wrong = try await desk.post("\(base)/correct/contact/\(contact.id!)",
                                            [("role", "hr"), ("name", "Hanna de Vries"), ("email", "hanna@"), ("reason", "typo"), ("note", "tikfout in de naam")])
            #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains("geen geldig e-mailadres") && wrong.body.string.contains("Hanna de Vries"))

            // MUT
            let fixed = try await desk.post("\(base)/correct/contact/\(contact.id!)",
                                            [("role", "hr"), ("name", "Hanna de Vries"), ("email", "hanna@baken.nl"), ("reason", "typo"), ("note", "tikfout in de naam")])
            let extra = try await desk.post("\(base)/correct/contract-year/\(year.id!)",
                                            [("start", year.startsOn.iso), ("end", year.endsOn.iso), ("hours", "52,5"), ("focus", ""),
                                             ("reason", "agreed"), ("note", "Extra uren afgesproken met de directie")])
            // an explanation too long, or with a control character, is refused and kept
            let long = try await desk.post("\(base)/correct/phase/\(phase.id!)/remove", [("reason", "wrong_place"), ("note", String(repeating: "x", count: 201))])
            #expect(long.status == .unprocessableEntity && long.body.string.contains("De toelichting is te lang"))
            let hostile = try await desk.post("\(base)/correct/phase/\(phase.id!)/remove", [("reason", "wrong_place"), ("note", "fout\u{7}")])
            #expect(hostile.status == .unprocessableEntity && hostile.body.string.contains("De toelichting bevat tekens"))
            #expect(try await EngagementPhaseRecord.find(phase.id, on: app.db) != nil)
            let gone = try await desk.post("\(base)/correct/phase/\(phase.id!)/remove", [("reason", "wrong_place"), ("note", "verkeerde organisatie")])

            // validate
            #expect(fixed.status == .seeOther && extra.status == .seeOther && gone.status == .seeOther)
            #expect(try await OrganisationContact.find(contact.id, on: app.db)?.name == "Hanna de Vries")
            #expect(try await ContractYear.find(year.id, on: app.db)?.budgetMinutes == 3150)
            #expect(try await EngagementPhaseRecord.find(phase.id, on: app.db) == nil)
            let details = try await Self.audits("correction.change", app).map(\.detail).sorted()
            #expect(details == ["contact:\(contact.id!) name · reason:typo · tikfout in de naam",
                                "contract-year:\(year.id!) budget:2400->3150 · reason:agreed · Extra uren afgesproken met de directie"])
            #expect(try await Self.audits("correction.remove", app).first?.detail == "phase:\(phase.id!) · reason:wrong_place · verkeerde organisatie")
            #expect(try await Self.audits("correction.change", app).allSatisfy { $0.actor == "user:\(admin.id)" })
        }
    }

    @Test func anActivityIsCorrectedByWhoRecordedItAndAYearWithHoursIsNotRemoved() async throws {
        try await withVertrouwd { app in
            // setup
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let bram = try await app.makeAccount("bram@praktijk.nl")
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna, bram])
            let year = try await Self.year(org, around: Day(Date()), on: app)
            let annasBrowser = Browser(app, over: .from("127.0.0.2"))
            try await annasBrowser.login(anna)
            let bramsBrowser = Browser(app, over: .from("127.0.0.3"))
            try await bramsBrowser.login(bram)
            let base = "/organisations/\(org.id!)"
            #expect(try await annasBrowser.post(base + "/time", [("kind", "workshop"), ("what", "Workshop grensoverschrijdend gedrag"),
                                                                 ("day", Day(Date()).iso), ("hours", "3"), ("participants", "12")]).status == .seeOther)
            let activity = try #require(try await TimeEntry.query(on: app.db).first())
            let url = "\(base)/correct/activity/\(activity.id!)"

            // MUT + validate: a colleague cannot, the author can
            #expect(try await bramsBrowser.get(url).status == .notFound)
            #expect(try await bramsBrowser.post(url, [("kind", "workshop"), ("what", "x"), ("day", Day(Date()).iso), ("hours", "1"), ("reason", "typo")]).status == .notFound)
            let page = try await annasBrowser.get(url).body.string
            #expect(page.contains("value=\"3\"") && page.contains("value=\"12\""), "the form holds what was recorded")
            let changed = try await annasBrowser.post(url, [("kind", "workshop"), ("what", "Workshop grensoverschrijdend gedrag"),
                                                            ("day", Day(Date()).iso), ("hours", "3,5"), ("participants", "14"), ("reason", "agreed"), ("note", "uitloop")])
            #expect(changed.status == .seeOther)
            let stored = try #require(try await TimeEntry.find(activity.id, on: app.db))
            #expect(stored.minutes == 210 && stored.participants == 14)
            #expect(try await Self.audits("correction.change", app).first?.detail == "activity:\(activity.id!) minutes,participants · reason:agreed · uitloop")

            // the year holds hours: removing it is refused, the budget can be changed instead
            let desk = Browser(app, over: .from("127.0.0.4"))
            try await desk.login(admin)
            let removal = try await desk.post("\(base)/correct/contract-year/\(year.id!)/remove", [("reason", "duplicate")])
            #expect(removal.status == .unprocessableEntity && removal.body.string.contains("zijn uren geschreven"))
            #expect(try await ContractYear.find(year.id, on: app.db) != nil)
            // a year changed to overlap another is refused
            let other = ContractYear()
            other.$organisation.id = org.id!
            other.startsOn = year.endsOn.adding(days: 1); other.endsOn = year.endsOn.adding(days: 365)
            other.budgetMinutes = 600; other.focusPoints = ""
            try await other.create(on: app.db)
            let overlap = try await desk.post("\(base)/correct/contract-year/\(other.id!)",
                                              [("start", year.endsOn.iso), ("end", other.endsOn.iso), ("hours", "10"), ("reason", "wrong_date")])
            #expect(overlap.status == .unprocessableEntity && overlap.body.string.contains("overlapt"))
        }
    }

    @Test func anAdviceTextIsCorrectedUntilItIsSent() async throws {
        try await withVertrouwd { app in
            // setup
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let browser = Browser(app, over: .from("127.0.0.2"))
            try await browser.login(anna)
            let created = try await browser.post("/organisations/\(org.id!)/advice", [
                ("solicited", "no"), ("subject", "Omgangsvormen op de werkvloer"), ("body", "Wij adviseren een training."),
                ("day", Day(Date()).iso), ("hours", "1")])
            let url = try #require(created.headers.first(name: .location))
            let advice = try #require(try await AdviceRecord.query(on: app.db).first())
            // a colleague who serves the organisation too reads it, but does not rewrite or send it
            let bram = try await app.makeAccount("bram@praktijk.nl")
            try await org.$counsellors.attach(bram.user, on: app.db)
            let brams = Browser(app, over: .from("127.0.0.3"))
            try await brams.login(bram)
            #expect(!(try await brams.get(url).body.string.contains("Tekst wijzigen")))
            #expect(try await brams.post(url + "/text", [("subject", "X"), ("body", "Y"), ("reason", "other")]).status == .notFound)
            #expect(try await brams.post(url + "/sent", [("day", Day(Date()).iso)]).status == .notFound)

            // unhappy: a small figure, no reason
            let small = try await browser.post(url + "/text", [("subject", "Omgangsvormen"), ("body", "Er waren twee meldingen."), ("reason", "other")])
            #expect(small.status == .unprocessableEntity && small.body.string.contains("Dit noemt een klein aantal (twee meldingen)") && small.body.string.contains("Er waren twee meldingen."))
            #expect(try await browser.post(url + "/text", [("subject", "Omgangsvormen"), ("body", "Anders."), ("reason", "")]).status == .unprocessableEntity)

            // MUT
            let fixed = try await browser.post(url + "/text", [("subject", "Omgangsvormen op de werkvloer"),
                                                               ("body", "Wij adviseren een training voor leidinggevenden."), ("reason", "other"), ("note", "verduidelijking")])
            let future = try await browser.post(url + "/sent", [("day", Day(Date()).adding(days: 2).iso)])
            let sent = try await browser.post(url + "/sent", [("day", Day(Date()).iso)])
            let late = try await browser.post(url + "/text", [("subject", "Omgangsvormen"), ("body", "Nieuwe tekst."), ("reason", "other")])

            // validate
            #expect(fixed.status == .seeOther)
            #expect(future.status == .unprocessableEntity && future.body.string.contains("toekomst"))
            #expect(sent.status == .seeOther)
            #expect(late.status == .unprocessableEntity && late.body.string.contains("verstuurd"))
            let stored = try #require(try await AdviceRecord.find(advice.id, on: app.db))
            #expect(stored.body == "Wij adviseren een training voor leidinggevenden." && stored.sentOn == Day(Date()))
            #expect(try await Self.audits("correction.change", app).first?.detail == "advice:\(advice.id!) body · reason:other · verduidelijking")
            #expect(try await Self.audits("advice.sent", app).count == 1)
            #expect(try await browser.post(url + "/sent", [("day", Day(Date()).iso)]).status == .unprocessableEntity, "marked once")
            let page = try await browser.get(url).body.string
            #expect(page.contains("Verstuurd op \(Day(Date()).dutch)") && !page.contains("Tekst wijzigen"))
        }
    }
}
