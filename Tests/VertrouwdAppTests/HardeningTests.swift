import Crypto
import Fluent
import Foundation
import Testing
import VaporTesting
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

/// What a security review (ASVS level 2) found in the running binary, each point reproduced
/// here the way it was found: concurrent requests over a real socket, hostile input.
@Suite("Hardening after the security review")
struct HardeningTests {
    // MARK: 3. hashing cannot slow everything else down

    @Test func pastTheLimitOfHashesALoginIsAnsweredBusyAtOnce() async throws {
        try await withVertrouwd({ $0.concurrentHashes = 0 }) { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let browser = Browser(app, over: .socket)
            let response = try await browser.login(anna)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers.first(name: .retryAfter) == "5")
            #expect(response.body.string.contains(LoginController.busyMessage))
            #expect(response.body.string.contains("value=\"anna@praktijk.nl\""), "the address typed stays")
            #expect(browser.cookies["vt_session"] == nil)
            #expect(try await User.find(anna.id, on: app.db)?.failedLogins == 0, "busy is not a failure")
            #expect(app.hashing.completed == 0)
        }
    }

    @Test func theHashingLimitCountsWhatRunsAndWaits() async throws {
        let hashing = Hashing(threads: 1, limit: 2, passwordCost: 4)
        let gate = AsyncGate()
        let first = Task { try await hashing.run { gate.wait(); return 1 } }
        let second = Task { try await hashing.run { 2 } }
        // Both admitted (one runs, one waits for the single thread): the third is refused at once.
        while hashing.admitted < 2 { try await Task.sleep(for: .milliseconds(5)) }
        await #expect(throws: Hashing.Busy.self) { try await hashing.run { 3 } }
        gate.open()
        #expect(try await first.value + second.value == 3)
        #expect(try await hashing.run { 4 } == 4, "a place is free again")
        await hashing.shutdown()
    }

    // MARK: 4. no open redirect after login

    @Test func nextOnlyLeadsToAPageOfThisApp() async throws {
        for hostile in ["/\t/evil.example/x", "//evil.example", "/\\evil.example", "https://evil.example", "/%09/evil.example",
                        "/cases/../../evil", "/\u{0}x", "/login", "/o/het-baken", "/cases\r\nSet-Cookie: x=y", "evil.example", "/ /x"] {
            #expect(LoginController.safeNext(hostile) == "/", "\(hostile.debugDescription)")
        }
        for fine in ["/", "/cases", "/cases/3F2504E0-4F89-11D3-9A0C-0305E82C3301", "/organisations/x/years/y/report", "/reports?year=2025", "/admin/users"] {
            #expect(LoginController.safeNext(fine) == fine)
        }
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let browser = Browser(app, over: .socket)
            try await browser.get("/login?next=/%09/evil.example/x")
            let response = try await browser.post("/login?next=/%09/evil.example/x",
                                                   [("email", anna.user.email), ("password", anna.password), ("code", anna.code())])
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/")
        }
    }

    // MARK: 5. lock-out counters count every failure

    @Test func concurrentWrongLoginsEachCountAndLock() async throws {
        try await withVertrouwd({ $0.concurrentHashes = 100 }) { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.socketPort() // started once, before the concurrent requests
            try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                // From twenty addresses: one address holds at most two places in the hashing queue.
                for i in 0..<20 {
                    group.addTask {
                        let browser = Browser(app, over: .from("127.0.0.\(10 + i)"))
                        return try await browser.login(anna, password: "helemaal fout wachtwoord").status
                    }
                }
                for try await status in group { #expect(status == .unprocessableEntity) }
            }
            let user = try #require(try await User.find(anna.id, on: app.db))
            #expect(user.failedLogins == 20, "a read-add-save counted 2 of 20; every attempt counts, during a lock too")
            #expect((user.lockedUntil ?? .distantPast) > Date())
            // One more during the lock counts, but does not make the lock longer.
            #expect(try await Browser(app).login(anna).status == .unprocessableEntity, "the right password does not open a locked account")
            let after = try #require(try await User.find(anna.id, on: app.db))
            #expect(after.failedLogins == 21)
            #expect(after.lockedUntil == user.lockedUntil)
        }
    }

    @Test func concurrentWrongReceiptCodesEachCount() async throws {
        try await withVertrouwd({ $0.concurrentHashes = 100 }) { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let code = try receiptCode(in: try await Browser(app).post("/o/het-baken/melden", [("story", "Ik word gepest.")]).body.string)
            let digits = code.filter(\.isNumber)
            // The same locator, a wrong secret.
            let wrong = String(digits.dropLast()) + (digits.last == "0" ? "1" : "0")
            _ = try await app.socketPort() // started once, before the concurrent requests
            try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for i in 0..<30 {
                    group.addTask { try await Browser(app, over: .from("127.0.0.\(10 + i)")).post("/postbus", [("code", wrong)]).status }
                }
                for try await status in group { #expect(status == .unprocessableEntity) }
            }
            let mailbox = try #require(try await Mailbox.query(on: app.db).first())
            #expect(mailbox.failedAttempts == 30)
            #expect((mailbox.lockedUntil ?? .distantPast) > Date())
        }
    }

    // MARK: 7. the smaller ones

    @Test func aLockedAccountAndALockedLocatorSpendTheSameHashAsAnyOther() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let org = try await app.makeOrganisation("het-baken", counsellors: [anna])
            _ = org
            let code = try receiptCode(in: try await Browser(app).post("/o/het-baken/melden", [("story", "Ik word gepest.")]).body.string)
            try await User.query(on: app.db).set(\.$lockedUntil, to: Date().addingTimeInterval(600)).update()
            try await Mailbox.query(on: app.db).set(\.$lockedUntil, to: Date().addingTimeInterval(600)).update()

            var before = app.hashing.completed
            let locked = try await Browser(app).login(anna)
            #expect(app.hashing.completed == before + 1, "bcrypt ran for the locked account")
            before = app.hashing.completed
            let unknown = try await Browser(app).post("/login", [("email", "niemand@praktijk.nl"), ("password", "wat dan ook hier"), ("code", "123456")])
            #expect(app.hashing.completed == before + 1)
            #expect(locked.status == unknown.status)
            #expect(locked.body.string.contains(LoginController.failedMessage) && unknown.body.string.contains(LoginController.failedMessage))

            before = app.hashing.completed
            let lockedBox = try await Browser(app).post("/postbus", [("code", code)])
            #expect(app.hashing.completed == before + 1, "scrypt ran for the locked locator")
            let nowhere = try await Browser(app).post("/postbus", [("code", "1234 5678 9012 3456 7890 1234 5678")])
            #expect(lockedBox.status == nowhere.status)
            #expect(lockedBox.body.string.contains("Deze code klopt niet") && nowhere.body.string.contains("Deze code klopt niet"))
        }
    }

    @Test func aMailboxTakesTwentyMessagesADayAndTheCounsellorGetsOneMailForABurst() async throws {
        let outbox = NSTemporaryDirectory() + "vertrouwd-mail-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: outbox) }
        try await withVertrouwd({ $0.sendmailCommand = "cat >> '\(outbox)'"; $0.notificationWindow = 3600 }) { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let reporter = Browser(app, over: .socket)
            let code = try receiptCode(in: try await reporter.post("/o/het-baken/melden", [("story", "Ik word gepest.")]).body.string)
            #expect(try await reporter.post("/postbus", [("code", code)]).status == .seeOther)
            for i in 0..<MailboxThrottle.messagesPerDay {
                #expect(try await reporter.post("/postbus/messages", [("body", "bericht \(i)")]).status == .ok)
            }
            let refused = try await reporter.post("/postbus/messages", [("body", "Nog één ding dat ik kwijt wil")])
            #expect(refused.status == .tooManyRequests)
            #expect(refused.body.string.contains("al 20 berichten"))
            #expect(refused.body.string.contains("Nog één ding dat ik kwijt wil"), "what was typed stays")
            #expect(try await MailboxMessage.query(on: app.db).filter(\.$sender == .reporter).count() == 20)
            // A correction of a written record is a message too: no way around the limit.
            let counsellor = Browser(app)
            try await counsellor.login(anna)
            let caseID = try #require(try await Case.query(on: app.db).first()?.id)
            #expect(try await counsellor.post("/cases/\(caseID)/mailbox/record", [("body", "Verslag van ons gesprek.")]).status == .seeOther)
            let record = try #require(try await MailboxMessage.query(on: app.db).filter(\.$kind == .record).first())
            let correction = try await reporter.post("/postbus/records/\(record.id!)/correct", [("body", "Het was dinsdag")])
            #expect(correction.status == .tooManyRequests)
            #expect(try await MailboxMessage.query(on: app.db).filter(\.$sender == .reporter).count() == 20)

            // The report and 20 messages: one mail now (the rest go as one at the window's end).
            func mails() -> Int {
                ((try? String(contentsOfFile: outbox, encoding: .utf8)) ?? "").components(separatedBy: "Subject:").count - 1
            }
            for _ in 0..<50 where mails() < 1 { try await Task.sleep(for: .milliseconds(100)) }
            try await Task.sleep(for: .milliseconds(300))
            #expect(mails() == 1)
        }
    }

    @Test func notificationsInOneWindowGoOutAsOneMailAtItsEnd() async {
        let batch = NotificationBatch()
        let t0 = Date()
        #expect(await batch.admit("anna@praktijk.nl", now: t0, window: 900) == .now)
        #expect(await batch.admit("anna@praktijk.nl", now: t0 + 10, window: 900) == .later(890))
        #expect(await batch.admit("anna@praktijk.nl", now: t0 + 20, window: 900) == .waiting)
        #expect(await batch.admit("bert@praktijk.nl", now: t0 + 20, window: 900) == .now, "per address")
        await batch.sent("anna@praktijk.nl", now: t0 + 900)
        #expect(await batch.admit("anna@praktijk.nl", now: t0 + 1000, window: 900) == .later(800))
        #expect(await batch.admit("anna@praktijk.nl", now: t0 + 2000, window: 900) == .waiting)
    }

    @Test func changingThePasswordGivesThisSessionANewID() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let browser = Browser(app, over: .socket)
            try await browser.login(anna)
            let other = Browser(app)
            try await other.login(anna, code: anna.code(at: Date().addingTimeInterval(30)))
            let before = try #require(browser.cookies["vt_session"])
            let response = try await browser.post("/account/password", [("current", anna.password), ("password", "een heel nieuwe zin hier"),
                                                                         ("password2", "een heel nieuwe zin hier")])
            #expect(response.status == .seeOther)
            let after = try #require(browser.cookies["vt_session"])
            #expect(after != before)
            #expect(try await browser.get("/account").status == .ok, "still logged in, under the new id")
            let stale = Browser(app)
            stale.cookies["vt_session"] = before
            #expect(try await stale.get("/account").status == .seeOther, "the old id is worth nothing")
            #expect(try await other.get("/account").status == .seeOther, "other sessions end")
            #expect(try await StaffSession.query(on: app.db).count() == 1)
        }
    }

    /// The "form expired" page shows what was typed only to a post from this site: a page that
    /// another site posts to must not show that site's text on our origin.
    @Test func theExpiredPageKeepsTextOnlyForThisSitesOwnPosts() async throws {
        try await withVertrouwd { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let browser = Browser(app, over: .socket)
            try await browser.login(admin)
            let fields = [("name", "Tekst-van-elders-7731"), ("email", "x@praktijk.nl"), ("_csrf", "verlopen")]
            for headers: HTTPHeaders in [["Origin": "https://evil.example"], ["Sec-Fetch-Site": "cross-site"]] {
                let forged = try await browser.post("/admin/users", fields, csrf: false, headers: headers)
                #expect(forged.status == .forbidden)
                #expect(!forged.body.string.contains("Tekst-van-elders-7731"), "\(headers)")
            }
            let own = try await browser.post("/admin/users", fields, csrf: false, headers: ["Sec-Fetch-Site": "same-origin"])
            #expect(own.status == .forbidden)
            #expect(own.body.string.contains("Tekst-van-elders-7731"), "our own expired form keeps what was typed")
            #expect(try await count(User.self, app) == 1)
        }
    }

    @Test func lineBreaksInASingleLineFieldAreRefused() async throws {
        try await withVertrouwd { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let browser = Browser(app, over: .socket)
            try await browser.login(admin)
            for hostile in ["nieuw@praktijk.nl\r\nBcc: iedereen@elders.example", "nieuw@praktijk.nl\nBcc: x@y.nl", "nieuw@praktijk.nl\u{2028}x"] {
                let response = try await browser.post("/admin/users", [("name", "Nieuw"), ("email", hostile), ("roles[]", "counsellor")])
                #expect(response.status == .unprocessableEntity, "\(hostile.debugDescription)")
                #expect(response.body.string.contains("bevat tekens die niet zijn toegestaan"))
            }
            let name = try await browser.post("/admin/users", [("name", "Nieuw\r\nX-Kop: ja"), ("email", "nieuw@praktijk.nl"), ("roles[]", "counsellor")])
            #expect(name.status == .unprocessableEntity)
            #expect(try await count(User.self, app) == 1)
            var errors = FormErrors()
            #expect(errors.text("regel een\nregel twee", "body", label: "de tekst", max: 4000) == "regel een\nregel twee", "a story keeps its lines")
        }
    }
}

extension HardeningTests {
    @Test func theLanguageChoiceIsForgottenWithTheBrowserSession() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            let page = try await Browser(app, over: .socket).get("/o/het-baken?lang=en")
            let cookie = try #require(page.headers[.setCookie].first { $0.hasPrefix("vt_lang=") })
            #expect(!cookie.contains("Max-Age") && !cookie.contains("Expires"), "\(cookie)")
        }
    }

    @Test func behindTLSCookiesAreHostOnlyAndHSTSIsSent() async throws {
        try await withVertrouwd({ $0.secureCookies = true; $0.publicURL = "https://vertrouwd.example" }) { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let browser = Browser(app, over: .socket)
            let login = try await browser.get("/login")
            #expect(login.headers.first(name: "Strict-Transport-Security") == "max-age=31536000")
            let csrf = try #require(login.headers[.setCookie].first { $0.hasPrefix("__Host-vt_csrf=") })
            #expect(csrf.contains("Secure") && csrf.contains("Path=/") && !csrf.contains("Domain"))
            let token = try #require(browser.cookies["__Host-vt_csrf"])
            let response = try await browser.post("/login", [("_csrf", token), ("email", anna.user.email), ("password", anna.password), ("code", anna.code())], csrf: false)
            #expect(response.status == .seeOther)
            let session = try #require(response.headers[.setCookie].first { $0.hasPrefix("__Host-vt_session=") })
            #expect(session.contains("Secure") && session.contains("HttpOnly") && session.contains("Path=/"))
            #expect(try await browser.get("/account").status == .ok)
            // A cookie without the prefix (planted by a sibling subdomain) is not believed.
            let planted = Browser(app, over: .socket)
            planted.cookies["vt_session"] = browser.cookies["__Host-vt_session"]
            #expect(try await planted.get("/account").status == .seeOther)
        }
        try await withVertrouwd { app in
            let plain = try await Browser(app).get("/login")
            #expect(plain.headers.first(name: "Strict-Transport-Security") == nil, "not without TLS")
        }
    }
}

/// A gate a hashing thread waits at until the test opens it.
final class AsyncGate: @unchecked Sendable {
    private let condition = NSCondition()
    private var isOpen = false

    func wait() {
        condition.lock()
        while !isOpen { condition.wait() }
        condition.unlock()
    }

    func open() {
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }
}

// MARK: 6. the audit log: entries commit with their change; the end of the log is anchored

extension HardeningTests {
    struct Oops: Error {}

    @Test func anEntryCommitsWithItsChangeOrNotAtAll() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            // A change that fails after its entry was written: neither stays.
            await #expect(throws: Oops.self) {
                try await app.store.transaction { db in
                    try await User.query(on: db).filter(\.$id == anna.id).set(\.$name, to: "Veranderd").update()
                    try await Audit.record("test.change", actor: "test", store: app.store, db: db)
                    throw Oops()
                }
            }
            #expect(try await User.find(anna.id, on: app.db)?.name == "Test Persoon")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "test.change").count() == 0)

            // Reports over a real socket, at the same time: every case has its entry.
            _ = try await app.makeOrganisation("het-baken", counsellors: [anna])
            _ = try await app.socketPort()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<12 {
                    group.addTask { _ = try await Browser(app, over: .from("127.0.0.\(10 + i)")).post("/o/het-baken/melden", [("story", "Melding \(i)")]) }
                }
                try await group.waitForAll()
            }
            #expect(try await count(Case.self, app) == 12)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.create.web").count() == 12)
            #expect(try await Audit.verify(db: app.db, key: app.keys.auditChainKey).broken == nil)
        }
    }

    @Test func cuttingTheNewestEntriesOffTheLogIsFoundByItsAnchor() async throws {
        let anchorPath = NSTemporaryDirectory() + "vertrouwd-anchor-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: anchorPath) }
        try await withVertrouwd({ $0.auditAnchorPath = anchorPath }) { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let browser = Browser(app)
            try await browser.login(anna)
            for _ in 0..<5 { try await browser.post("/account/profile", [("introduction", "Vertrouwenspersoon sinds 2019.")]) }
            let anchor = try #require(app.store.auditAnchor)
            func check() async throws -> AuditAnchor.Finding? {
                let read = anchor.read()
                let (count, broken) = try await Audit.verify(db: app.db, key: app.keys.auditChainKey)
                #expect(broken == nil, "the chain itself still links")
                return try await anchor.check(read, lastSequence: count) { try await Audit.entry($0, db: app.db) }
            }
            let last = try #require(try await AuditEvent.query(on: app.db).sort(\.$id, .descending).first())
            #expect(AuditAnchorFile.read(anchorPath)?.sequence == last.id, "the anchor follows every commit")
            #expect(try await check() == .intact)

            // The review's attack: the newest entries deleted. The chain alone says "intact".
            try await AuditEvent.query(on: app.db).filter(\.$id > last.id! - 3).delete()
            #expect(try await check() == .tailRemoved(logEndsAt: last.id! - 3, anchorAt: last.id!))

            // An anchor written with another key (or edited) is not believed.
            let forged = AuditAnchor(sequence: 2, hash: String(repeating: "a", count: 64), key: SymmetricKey(size: .bits256))
            try forged.line.write(toFile: anchorPath, atomically: true, encoding: .utf8)
            #expect(try await check() == .forged)

            // Deleting the anchor with the tail does not pass either.
            try FileManager.default.removeItem(atPath: anchorPath)
            #expect(try await check() == .missing)
        }
    }
}
