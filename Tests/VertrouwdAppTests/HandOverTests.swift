import Fluent
import Foundation
import Testing
import Vapor
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

/// A counsellor who leaves or falls ill left their cases and WBK clocks with nobody.
@Suite("Handing cases over")
struct HandOverTests {
    @Test func anAdminHandsOverPerOrganisationAndOnlyTheNewCounsellorOpensTheCase() async throws {
        try await withVertrouwd { app in
            // setup: Anna has a case at Het Baken (served by Bram too) and one at De Linde (only her)
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let bram = try await app.makeAccount("bram@praktijk.nl")
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let baken = try await app.makeOrganisation("het-baken", counsellors: [anna, bram])
            let linde = try await app.makeOrganisation("de-linde", counsellors: [anna])
            let atBaken = try await app.makeCase(for: anna, at: baken, summary: "Geheim verhaal over de afdeling")
            let atLinde = try await app.makeCase(for: anna, at: linde, summary: "Ander verhaal")
            let desk = Browser(app, over: .from("127.0.0.2"))
            try await desk.login(admin)

            // deactivating Anna first asks for the hand-over, and changes nothing
            let deactivate = try await desk.post("/admin/users/\(anna.id)/deactivate", [])
            #expect(deactivate.status == .seeOther && deactivate.headers.first(name: .location) == "/admin/users/\(anna.id)/handover?deactivate=1")
            #expect(try await User.find(anna.id, on: app.db)?.active == true)
            let page = try await desk.get("/admin/users/\(anna.id)/handover?deactivate=1").body.string
            #expect(page.contains("heeft nog meldingen") && page.contains("Organisatie het-baken") && page.contains("(1 lopend, 0 afgesloten)"))
            #expect(!page.contains(atBaken.reference) && !page.contains("Geheim verhaal"), "counts only, no references or contents")
            #expect(page.contains("Geen andere vertrouwenspersoon bedient deze organisatie"), "De Linde has nobody else")

            // a colleague who does not serve the organisation is refused, nothing changes
            let wrong = try await desk.post("/admin/users/\(anna.id)/handover", [("org-\(linde.id!.uuidString)", bram.id.uuidString)])
            #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains("Kies voor"))
            #expect(try await Case.find(atLinde.id, on: app.db)?.$counsellor.id == anna.id)

            // an admin who is also a counsellor there cannot take the cases themselves
            let carla = try await app.makeAccount("carla@praktijk.nl", admin: true, counsellor: true)
            let joined = OrganisationCounsellor()
            joined.$organisation.id = baken.id!
            joined.$user.id = carla.id
            try await joined.create(on: app.db)
            let carlasDesk = Browser(app, over: .from("127.0.0.5"))
            try await carlasDesk.login(carla)
            let own = try await carlasDesk.post("/admin/users/\(anna.id)/handover", [("org-\(baken.id!.uuidString)", carla.id.uuidString)])
            #expect(own.status == .unprocessableEntity)
            #expect(try await Case.find(atBaken.id, on: app.db)?.$counsellor.id == anna.id)

            // MUT
            let done = try await desk.post("/admin/users/\(anna.id)/handover", [("org-\(baken.id!.uuidString)", bram.id.uuidString)])

            // validate
            #expect(done.status == .seeOther)
            #expect(try await Case.find(atBaken.id, on: app.db)?.$counsellor.id == bram.id)
            #expect(try await Case.find(atLinde.id, on: app.db)?.$counsellor.id == anna.id, "left as chosen")
            let entry = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "case.handover").first())
            #expect(entry.subject == "case:\(atBaken.id!)" && entry.actor == "user:\(admin.id)")
            let bramsBrowser = Browser(app, over: .from("127.0.0.3"))
            try await bramsBrowser.login(bram)
            let opened = try await bramsBrowser.get("/cases/\(atBaken.id!)")
            #expect(opened.status == .ok && opened.body.string.contains("Geheim verhaal over de afdeling"))
            let annasBrowser = Browser(app, over: .from("127.0.0.4"))
            try await annasBrowser.login(anna)
            let gone = try await annasBrowser.get("/cases/\(atBaken.id!)")
            #expect(gone.status == .notFound, "the old counsellor no longer opens it")
            #expect(gone.body.string.contains("Uitloggen") && gone.body.string.contains("Naar het overzicht"), "a 404 keeps the navigation")
            #expect(try await annasBrowser.get("/cases/\(atLinde.id!)").status == .ok)
        }
    }
}
