import Crypto
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

/// Someone who can write the database but holds neither the key file nor the anchor file (an
/// accused manager with a database account, a stolen backup put back): whatever they change in
/// the log, `audit verify` must keep saying "broken" however much ordinary work follows, and
/// Vertrouwd must not append after a log that no longer reaches its anchor. Every attack goes
/// through the real HTTP server, as the review's did.
@Suite("The audit log stays broken after tampering")
struct AuditTamperTests {
    /// An app with an anchor file, a counsellor logged in over a socket, an organisation with a
    /// public channel, and some audited work done.
    func withWorkDone(_ test: (Application, Browser, Organisation) async throws -> Void) async throws {
        let anchorPath = NSTemporaryDirectory() + "vertrouwd-anchor-\(UUID().uuidString)"
        defer {
            let folder = (anchorPath as NSString).deletingLastPathComponent
            let name = (anchorPath as NSString).lastPathComponent
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where file.hasPrefix(name) {
                try? FileManager.default.removeItem(atPath: folder + "/" + file)
            }
        }
        try await withVertrouwd({ $0.auditAnchorPath = anchorPath }) { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("de-linde", counsellors: [anna])
            let browser = Browser(app, over: .socket)
            try await browser.login(anna)
            for i in 0..<6 {
                let answer = try await browser.post("/account/profile", [("introduction", "Vertrouwenspersoon sinds 201\(i).")])
                #expect(answer.status == .seeOther)
            }
            try await test(app, browser, org)
        }
    }

    func rows(_ app: Application) async throws -> [AuditEntry] {
        try await AuditEvent.query(on: app.db).sort(\.$id).all().map(\.entry)
    }

    func problems(_ app: Application) async throws -> [String] {
        try await AuditVerifyCommand.check(app).problems
    }

    /// Ordinary work after an attack: a counsellor saving, a reporter sending a report. Both are
    /// refused with the text kept, and nothing is appended.
    func workIsRefused(_ app: Application, _ browser: Browser, _ org: Organisation, entries: Int) async throws {
        let saved = try await browser.post("/account/profile", [("introduction", "Na de aanval getypt.")])
        #expect(saved.status == .serviceUnavailable)
        #expect(saved.body.string.contains("Opslaan staat stil"))
        #expect(saved.body.string.contains("Na de aanval getypt."), "what was typed comes back")
        let reporter = Browser(app, over: .socket)
        let report = try await reporter.post("/o/\(org.slug)/melden", [("story", "Mijn leidinggevende schreeuwt elke dag tegen mij.")])
        #expect(report.status == .serviceUnavailable)
        #expect(report.body.string.contains("Mijn leidinggevende schreeuwt elke dag tegen mij."), "the reporter's text is kept")
        #expect(try await count(Case.self, app) == 0, "no report was stored without its audit entry")
        #expect(try await AuditEvent.query(on: app.db).count() == entries, "nothing was appended")
    }

    @Test func aCutTailStaysBrokenAndNothingIsAppendedAfterIt() async throws {
        try await withWorkDone { app, browser, org in
            let before = try await rows(app)
            #expect(try await problems(app).isEmpty)
            let last = try #require(before.last)
            // The attack: the three newest entries deleted with SQL.
            try await (app.db as! any SQLDatabase).raw("DELETE FROM audit_events WHERE seq > \(bind: last.sequence - 3)").run()
            #expect(try await problems(app).contains { $0.contains("removed from the end") })
            // Before this fix, a few requests later the log grew past the anchor and said "intact".
            for _ in 0..<3 { try await workIsRefused(app, browser, org, entries: before.count - 3) }
            #expect(try await problems(app).contains { $0.contains("removed from the end") })
            #expect(AuditAnchorFile.read(app.store.auditAnchor!.path)?.sequence == last.sequence, "the anchor did not move")
        }
    }

    @Test func aRewriteLinkedAgainWithThePublicFormulaStaysBroken() async throws {
        try await withWorkDone { app, browser, org in
            var log = try await rows(app)
            let sql = app.db as! any SQLDatabase
            // The attack: entry 4 says someone else did it, and every later entry is linked again
            // with SHA-256 over the documented fields (all an attacker without the key can do).
            var previous = log[2].hash
            for i in 3..<log.count {
                let e = log[i]
                let actor = i == 3 ? "user:iemand-anders" : e.actor
                let hash = AuditChain.hash(sequence: e.sequence, atMillis: e.atMillis, actor: actor, action: e.action,
                                           subject: e.subject, detail: e.detail, previousHash: previous)
                try await sql.raw("UPDATE audit_events SET actor = \(bind: actor), prev_hash = \(bind: previous), hash = \(bind: hash) WHERE seq = \(bind: e.sequence)").run()
                previous = hash
            }
            let found = try await problems(app)
            #expect(found.contains { $0.contains("entry 4 has an unkeyed hash") })
            #expect(found.contains { $0.contains("rewritten") }, "the anchor's entry changed")
            for _ in 0..<3 { try await workIsRefused(app, browser, org, entries: log.count) }
            #expect(try await problems(app).contains { $0.contains("entry 4 has an unkeyed hash") })

            // Forging the keyed form with a guessed key is no better.
            log = try await rows(app)
            let guess = SymmetricKey(size: .bits256)
            let forged = AuditChain.keyedHash(sequence: 4, atMillis: log[3].atMillis, actor: log[3].actor, action: log[3].action,
                                              subject: log[3].subject, detail: log[3].detail, previousHash: log[2].hash, key: guess)
            try await sql.raw("UPDATE audit_events SET hash = \(bind: forged) WHERE seq = 4").run()
            #expect(try await problems(app).contains { $0.contains("entry 4 was changed") })
        }
    }

    /// An entry in the middle changed without touching the newest: the head still matches, so
    /// the practice goes on working, but every later `audit verify` reports the change.
    @Test func anEntryChangedInTheMiddleIsReportedHoweverMuchWorkFollows() async throws {
        try await withWorkDone { app, browser, _ in
            try await (app.db as! any SQLDatabase).raw("UPDATE audit_events SET detail = 'niets gebeurd' WHERE seq = 3").run()
            for _ in 0..<4 {
                #expect(try await browser.post("/account/profile", [("introduction", "Verder met het werk.")]).status == .seeOther)
            }
            let found = try await problems(app)
            #expect(found == ["the chain holds for 2 entries, then entry 3 was changed after it was written, or written without the practice's key"])
        }
    }

    /// A forged newest entry (appended by hand) is caught before anything is linked to it.
    @Test func anEntryAppendedByHandStopsWriting() async throws {
        try await withWorkDone { app, browser, org in
            let log = try await rows(app)
            let last = log.last!
            let fake = AuditChain.hash(sequence: last.sequence + 1, atMillis: last.atMillis + 1, actor: "system", action: "case.destroy",
                                       subject: "", detail: "", previousHash: last.hash)
            try await AuditEvent(AuditEntry(sequence: last.sequence + 1, atMillis: last.atMillis + 1, actor: "system", action: "case.destroy",
                                            subject: "", detail: "", previousHash: last.hash, hash: fake)).create(on: app.db)
            try await workIsRefused(app, browser, org, entries: log.count + 1)
            #expect(try await problems(app).contains { $0.contains("unkeyed hash") })
        }
    }

    /// After an investigation the operator lets the practice write again; the finding and the
    /// reason stay in the log, and heads kept off the server still tell what was lost.
    @Test func anAcknowledgedFindingLetsWorkGoOnAndStaysOnRecord() async throws {
        try await withWorkDone { app, browser, org in
            let before = try await rows(app)
            let keptOffServer = (before.last!.sequence, before.last!.hash)
            try await (app.db as! any SQLDatabase).raw("DELETE FROM audit_events WHERE seq > \(bind: before.count - 2)").run()
            try await workIsRefused(app, browser, org, entries: before.count - 2)
            let entry = try await Audit.acknowledge("anchor: entries were removed. Reason: onderzocht door de beheerder", store: app.store)
            #expect(entry.sequence == before.count - 1)
            // A fresh instance (the alarm is per process) writes again after the acknowledgement.
            app.store.auditAlarm = AuditAlarm(logger: app.logger, notify: { _ in })
            #expect(try await browser.post("/account/profile", [("introduction", "Weer aan het werk.")]).status == .seeOther)
            #expect(try await problems(app).isEmpty, "the chain and the anchor hold again")
            let held = try await AuditVerifyCommand.check(app, heads: [keptOffServer]).problems
            #expect(held == ["entry \(keptOffServer.0) is not the one kept off the server: the log was rewritten"])
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "audit.acknowledge").count() == 1)
        }
    }

    /// A log from before the keyed chain verifies as it was written and goes on keyed; an
    /// unkeyed entry after a keyed one does not pass.
    @Test func anOlderUnkeyedLogGoesOnKeyed() async throws {
        try await withVertrouwd { app in
            var legacy: [AuditEntry] = []
            for i in 1...3 {
                let previous = legacy.last?.hash ?? AuditChain.genesis
                legacy.append(AuditEntry(sequence: i, atMillis: Int64(i), actor: "cli", action: "old", subject: "", detail: "",
                                         previousHash: previous,
                                         hash: AuditChain.hash(sequence: i, atMillis: Int64(i), actor: "cli", action: "old",
                                                               subject: "", detail: "", previousHash: previous)))
            }
            try await AuditEvent.query(on: app.db).delete()
            for e in legacy { try await AuditEvent(e).create(on: app.db) }
            try await Audit.record("new", actor: "cli", store: app.store, db: app.db)
            let all = try await rows(app)
            #expect(all.count == 4 && all[3].hash.hasPrefix(AuditChain.keyedPrefix))
            #expect(try await Audit.verify(db: app.db, key: app.keys.auditChainKey).broken == nil)
            let sneaked = AuditChain.hash(sequence: 5, atMillis: 5, actor: "cli", action: "old", subject: "", detail: "", previousHash: all[3].hash)
            try await AuditEvent(AuditEntry(sequence: 5, atMillis: 5, actor: "cli", action: "old", subject: "", detail: "",
                                            previousHash: all[3].hash, hash: sneaked)).create(on: app.db)
            let (count, broken) = try await Audit.verify(db: app.db, key: app.keys.auditChainKey)
            #expect(broken == .unkeyed(sequence: 5) && count == 4)
        }
    }

    /// The review saw "BROKEN after 0 good entries" for a break at entry 700: the count is of the
    /// entries before the break, across pages.
    @Test func verifyCountsTheGoodEntriesBeforeABreakAcrossPages() async throws {
        try await withVertrouwd { app in
            try await AuditEvent.query(on: app.db).delete()
            var previous: AuditEntry?
            var entries: [AuditEntry] = []
            for i in 0..<1_200 {
                let e = AuditChain.next(after: previous, atMillis: Int64(i), actor: "cli", action: "fill", subject: "", detail: "",
                                        key: app.keys.auditChainKey)
                entries.append(e)
                previous = e
            }
            let chain = entries
            try await app.db.transaction { db in for e in chain { try await AuditEvent(e).create(on: db) } }
            try await (app.db as! any SQLDatabase).raw("UPDATE audit_events SET detail = 'x' WHERE seq = 1100").run()
            let (count, broken) = try await Audit.verify(db: app.db, key: app.keys.auditChainKey)
            #expect(broken == .wrongHash(sequence: 1100) && count == 1099)
        }
    }
}
