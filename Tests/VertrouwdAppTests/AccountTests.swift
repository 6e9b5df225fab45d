import Fluent
import Foundation
import Testing
import VaporTesting
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

@Suite("Accounts, login and sessions")
struct AccountTests {
    @Test func theHealthCheckAnswersWhenTheDatabaseDoes() async throws {
        try await withVertrouwd { app in
            let response = try await Browser(app).get("/healthz")
            #expect(response.status == .ok)
        }
    }

    @Test func theLoginPageIsDutchAndCarriesSecurityHeaders() async throws {
        try await withVertrouwd { app in
            let response = try await Browser(app).get("/login")
            #expect(response.status == .ok)
            #expect(response.body.string.contains("<html lang=\"nl\">"))
            #expect(response.body.string.contains("Inloggen"))
            let csp = response.headers.first(name: "Content-Security-Policy") ?? ""
            #expect(csp.contains("frame-ancestors 'none'"))
            #expect(!csp.contains("unsafe-inline"))
            #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(response.headers.first(name: "Referrer-Policy") == "same-origin")
            #expect(response.headers.first(name: .cacheControl) == "no-store")
        }
    }

    @Test func aVisitorIsSentToTheLoginPage() async throws {
        try await withVertrouwd { app in
            let response = try await Browser(app).get("/cases")
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/login?next=%2Fcases")
        }
    }

    @Test func passwordAndCodeLogInAndTheDashboardShowsTheUser() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl", name: "Anna de Vries")
            let browser = Browser(app)
            let response = try await browser.login(anna)
            #expect(response.status == .seeOther)
            #expect(browser.cookies["vt_session"] != nil)
            let cookie = response.headers[.setCookie].first { $0.hasPrefix("vt_session=") } ?? ""
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            let dashboard = try await browser.get("/")
            #expect(dashboard.status == .ok)
            #expect(dashboard.body.string.contains("Anna de Vries"))
            // The session row is stored under the token's hash, never the token itself.
            let token = try #require(browser.cookies["vt_session"])
            #expect(try await StaffSession.find(token, on: app.db) == nil)
            #expect(try await StaffSession.find(Tokens.hash(token), on: app.db) != nil)
        }
    }

    @Test func aWrongPasswordIsRefusedKeepingTheEmail() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let browser = Browser(app)
            let response = try await browser.login(anna, password: "niet mijn wachtwoord")
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("E-mailadres, wachtwoord of code klopt niet."))
            #expect(response.body.string.contains("value=\"anna@praktijk.nl\""))
            #expect(browser.cookies["vt_session"] == nil)
            #expect(try await User.find(anna.id, on: app.db)?.failedLogins == 1)
        }
    }

    @Test func anUnknownAccountGetsTheSameAnswerAsAWrongPassword() async throws {
        try await withVertrouwd { app in
            let response = try await Browser(app).post("/login", [("email", "niemand@praktijk.nl"), ("password", "wat dan ook hier"), ("code", "123456")])
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("E-mailadres, wachtwoord of code klopt niet."))
        }
    }

    @Test func aReplayedTOTPCodeIsRefused() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let code = anna.code()
            #expect(try await Browser(app).login(anna, code: code).status == .seeOther)
            let second = Browser(app)
            let replay = try await second.login(anna, code: code)
            #expect(replay.status == .unprocessableEntity)
            #expect(second.cookies["vt_session"] == nil)
        }
    }

    @Test func aCodeFromLongAgoIsRefused() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let old = anna.code(at: Date().addingTimeInterval(-600))
            #expect(try await Browser(app).login(anna, code: old).status == .unprocessableEntity)
        }
    }

    @Test func repeatedFailuresLockTheAccountEvenForTheRightPassword() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let browser = Browser(app)
            for _ in 0..<LoginThrottle.freeAttempts {
                try await browser.login(anna, password: "fout fout fout fout")
            }
            let response = try await browser.login(anna)
            #expect(response.status == .unprocessableEntity)
            #expect(browser.cookies["vt_session"] == nil)
            // A locked account answers exactly as an unknown address: the lock tells no one that
            // the address has an account.
            #expect(response.body.string.contains(LoginController.failedMessage))
            let unknown = try await Browser(app).post("/login", [("email", "niemand@praktijk.nl"), ("password", "wat dan ook hier"), ("code", "123456")])
            #expect(unknown.status == response.status)
            #expect(unknown.body.string.contains(LoginController.failedMessage))
            #expect(!response.body.string.contains("minu"))
        }
    }

    @Test func aPostWithoutTheCSRFTokenIsRefusedAndChangesNothing() async throws {
        try await withVertrouwd { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let browser = Browser(app)
            try await browser.login(admin)
            let response = try await browser.post("/admin/users", [("name", "Nieuw"), ("email", "nieuw@praktijk.nl"), ("roles[]", "counsellor")], csrf: false)
            #expect(response.status == .forbidden)
            #expect(response.body.string.contains("Formulier verlopen"))
            #expect(response.body.string.contains(">E-mailadres</label>"), "what was typed comes back under its Dutch label")
            #expect(response.body.string.contains("nieuw@praktijk.nl"))
            #expect(!response.body.string.contains(">email</label>"))
            #expect(try await count(User.self, app) == 1)
            let forged = try await browser.post("/admin/users", [("name", "Nieuw"), ("email", "nieuw@praktijk.nl"), ("_csrf", "vervalst")], csrf: false)
            #expect(forged.status == .forbidden)
        }
    }

    @Test func logoutEndsTheSessionOnTheServer() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let browser = Browser(app)
            try await browser.login(anna)
            let stolen = try #require(browser.cookies["vt_session"])
            #expect(try await browser.post("/logout", []).status == .seeOther)
            #expect(try await count(StaffSession.self, app) == 0)
            let thief = Browser(app)
            thief.cookies["vt_session"] = stolen
            #expect(try await thief.get("/").status == .seeOther)
        }
    }

    @Test func anIdleSessionExpires() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let browser = Browser(app)
            try await browser.login(anna)
            let session = try #require(try await StaffSession.query(on: app.db).first())
            session.lastSeenAt = Date().addingTimeInterval(-31 * 60)
            try await session.save(on: app.db)
            #expect(try await browser.get("/").status == .seeOther)
            #expect(try await count(StaffSession.self, app) == 0)
        }
    }

    @Test func aSessionEndsAfterTwelveHoursEvenWhenActive() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let browser = Browser(app)
            try await browser.login(anna)
            let session = try #require(try await StaffSession.query(on: app.db).first())
            session.createdAt = Date().addingTimeInterval(-12 * 3600 - 60)
            try await session.save(on: app.db)
            #expect(try await browser.get("/").status == .seeOther)
        }
    }

    @Test func deactivationEndsTheAccountsSessions() async throws {
        try await withVertrouwd { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let annasBrowser = Browser(app)
            try await annasBrowser.login(anna)
            let adminBrowser = Browser(app)
            try await adminBrowser.login(admin)
            #expect(try await adminBrowser.post("/admin/users/\(anna.id)/deactivate", []).status == .seeOther)
            #expect(try await annasBrowser.get("/").status == .seeOther)
            #expect(try await Browser(app).login(anna, code: anna.code(at: Date().addingTimeInterval(30))).status == .unprocessableEntity)
        }
    }

    @Test func aCounsellorCannotManageAccounts() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let browser = Browser(app)
            try await browser.login(anna)
            #expect(try await browser.get("/admin/users").status == .forbidden)
            #expect(try await browser.post("/admin/users", [("name", "X"), ("email", "x@praktijk.nl"), ("roles[]", "admin")]).status == .forbidden)
            #expect(try await count(User.self, app) == 1)
        }
    }

    /// The admin makes the account, never its password or second factor: those the counsellor
    /// sets through a one-time link. (Before, the admin was shown both and could log in as them.)
    @Test func anAdminCreatesAnAccountThatTheCounsellorSetsUpThroughALink() async throws {
        try await withVertrouwd { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let browser = Browser(app, over: .socket)
            try await browser.login(admin)
            let response = try await browser.post("/admin/users", [("name", "Youssef"), ("email", "Youssef@Praktijk.nl"), ("roles[]", "counsellor")])
            #expect(response.status == .ok)
            #expect(!response.body.string.contains("otpauth://"), "the admin sees no second factor")
            #expect(!response.body.string.contains("wachtwoord</dt>"), "nor a password")
            let created = try #require(try await User.query(on: app.db).filter(\.$email == "youssef@praktijk.nl").first())
            #expect(created.isCounsellor && !created.isAdmin)
            #expect(created.totpSecretSealed.isEmpty)
            let link = try enrolmentLink(in: response.body.string)

            // The counsellor, in their own browser: a weak password, then two that differ.
            let youssef = Browser(app, over: .socket)
            let form = try await youssef.get(link)
            #expect(form.status == .ok)
            #expect(form.body.string.contains("Welkom, Youssef"))
            let weak = try await youssef.post(link, [("password", "password1234"), ("password2", "password1234")])
            #expect(weak.status == .unprocessableEntity)
            #expect(weak.body.string.contains("te bekend"))
            let differ = try await youssef.post(link, [("password", "mijn eigen lange zin"), ("password2", "mijn eigen lange zinn")])
            #expect(differ.body.string.contains("niet gelijk"))
            #expect(try await User.find(created.id, on: app.db)?.totpSecretSealed.isEmpty == true, "a refusal changes nothing")

            let done = try await youssef.post(link, [("password", "mijn eigen lange zin"), ("password2", "mijn eigen lange zin")])
            #expect(done.status == .ok)
            let uri = try #require(done.body.string.components(separatedBy: "otpauth://totp/").dropFirst().first)
            let secretText = try #require(uri.components(separatedBy: "secret=").dropFirst().first?.prefix { $0 != "&" })
            let secret = try #require(Tokens.base32Decode(String(secretText)))
            let account = TestAccount(user: try #require(try await User.find(created.id, on: app.db)), password: "mijn eigen lange zin", secret: secret)
            #expect(try await Browser(app).login(account).status == .seeOther, "the counsellor logs in with what only they have")

            // The link worked once.
            let again = try await Browser(app, over: .socket).get(link)
            #expect(again.status == .gone)
            #expect(again.body.string.contains("Vraag de beheerder"))
            let audit = try await AuditEvent.query(on: app.db).filter(\.$action == "user.enrol").count()
            #expect(audit == 1)
        }
    }

    /// Accounts made before enrolment links (their first password and secret were shown to an
    /// admin) choose new ones at their next login, before anything else.
    @Test func anAccountFromBeforeEnrolmentLinksRenewsItsPasswordAndSecondFactor() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            try await User.query(on: app.db).set(\.$renewCredentials, to: true).update()
            let browser = Browser(app, over: .socket)
            try await browser.login(anna)
            let home = try await browser.get("/")
            #expect(home.status == .seeOther)
            #expect(home.headers.first(name: .location) == "/account/renew")
            #expect(try await browser.get("/cases").headers.first(name: .location) == "/account/renew", "no case before the renewal")
            let form = try await browser.get("/account/renew")
            #expect(form.body.string.contains("Vertrouwd is veiliger geworden"))
            let token = try #require(Browser.hiddenCSRF(in: form.body.string))
            let same = try await browser.post("/account/renew", [("_csrf", token), ("password", anna.password), ("password2", anna.password)], csrf: false)
            #expect(same.status == .unprocessableEntity)
            #expect(same.body.string.contains("Kies een ander wachtwoord dan je oude"))
            let done = try await browser.post("/account/renew", [("_csrf", token), ("password", "een nieuwe eigen zin"), ("password2", "een nieuwe eigen zin")],
                                              csrf: false)
            #expect(done.status == .ok)
            let uri = try #require(done.body.string.components(separatedBy: "otpauth://totp/").dropFirst().first)
            let secretText = try #require(uri.components(separatedBy: "secret=").dropFirst().first?.prefix { $0 != "&" })
            #expect(try await browser.get("/").status == .ok, "this session goes on under its new id")
            let renewed = try #require(try await User.find(anna.id, on: app.db))
            #expect(renewed.renewCredentials == false)
            // The old password and the old secret are worth nothing now; the new ones work.
            #expect(try await Browser(app).login(anna, code: anna.code(at: Date().addingTimeInterval(30))).status == .unprocessableEntity)
            let account = TestAccount(user: renewed, password: "een nieuwe eigen zin", secret: try #require(Tokens.base32Decode(String(secretText))))
            #expect(try await Browser(app).login(account).status == .seeOther)
        }
    }

    @Test func anEnrolmentLinkExpiresAfterThreeDaysAndWithMailTheAdminNeverSeesIt() async throws {
        let outbox = NSTemporaryDirectory() + "vertrouwd-mail-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: outbox) }
        try await withVertrouwd({ $0.sendmailCommand = "cat >> '\(outbox)'"; $0.publicURL = "https://vertrouwd.example" }) { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let browser = Browser(app)
            try await browser.login(admin)
            let response = try await browser.post("/admin/users", [("name", "Youssef"), ("email", "youssef@praktijk.nl"), ("roles[]", "counsellor")])
            #expect(!response.body.string.contains("/enrol/"), "mailed to the account, not shown")
            #expect(response.body.string.contains("per e-mail naar youssef@praktijk.nl"))
            var mail = ""
            for _ in 0..<50 where !mail.contains("/enrol/") {
                try await Task.sleep(for: .milliseconds(100))
                mail = (try? String(contentsOfFile: outbox, encoding: .utf8)) ?? ""
            }
            #expect(mail.contains("To: youssef@praktijk.nl"))
            let link = try enrolmentLink(in: mail)
            #expect(try await Browser(app).get(link).status == .ok)
            try await User.query(on: app.db).filter(\.$email == "youssef@praktijk.nl")
                .set(\.$enrolExpiresAt, to: Date().addingTimeInterval(-1)).update()
            #expect(try await Browser(app).get(link).status == .gone)
            #expect(try await Browser(app).post(link, [("password", "mijn eigen lange zin"), ("password2", "mijn eigen lange zin")]).status == .gone)
            #expect(try await browser.get("/admin/users").body.string.contains("inschrijflink verlopen"))
        }
    }

    @Test func theNewAccountFormRefusesBadInputAndKeepsWhatWasTyped() async throws {
        try await withVertrouwd { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let browser = Browser(app)
            try await browser.login(admin)
            let response = try await browser.post("/admin/users", [("name", "<script>alert(1)</script>"), ("email", "geen-adres")])
            #expect(response.status == .unprocessableEntity)
            let html = response.body.string
            #expect(html.contains("Dit is geen geldig e-mailadres"))
            #expect(html.contains("Kies minstens één rol."))
            #expect(html.contains("value=\"geen-adres\""))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!html.contains("<script>alert(1)"))
            let duplicate = try await browser.post("/admin/users", [("name", "Dubbel"), ("email", "beheer@praktijk.nl"), ("roles[]", "admin")])
            #expect(duplicate.body.string.contains("Er is al een account met dit e-mailadres."))
            #expect(try await count(User.self, app) == 1)
        }
    }

    @Test func changingThePasswordNeedsTheCurrentOneAndEndsOtherSessions() async throws {
        try await withVertrouwd { app in
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let laptop = Browser(app)
            try await laptop.login(anna)
            let phone = Browser(app)
            try await phone.login(anna, code: anna.code(at: Date().addingTimeInterval(30)))
            let wrong = try await laptop.post("/account/password", [("current", "fout"), ("password", "nieuwe lange zin hier"), ("password2", "nieuwe lange zin hier")])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.body.string.contains("Je huidige wachtwoord klopt niet."))
            #expect(!wrong.body.string.contains("nieuwe lange zin hier"))
            let mismatch = try await laptop.post("/account/password", [("current", anna.password), ("password", "nieuwe lange zin hier"), ("password2", "andere zin")])
            #expect(mismatch.body.string.contains("De twee wachtwoorden zijn niet gelijk."))
            #expect(try await laptop.post("/account/password", [("current", anna.password), ("password", "nieuwe lange zin hier"),
                                                                ("password2", "nieuwe lange zin hier")]).status == .seeOther)
            #expect(try await laptop.get("/").status == .ok)
            #expect(try await phone.get("/").status == .seeOther)
            let user = try #require(try await User.find(anna.id, on: app.db))
            #expect(try app.password.verify("nieuwe lange zin hier", created: user.passwordHash))
        }
    }

    @Test func aFormSentAfterTheSessionExpiredShowsWhatWasTypedAndSavesNothing() async throws {
        try await withVertrouwd { app in
            let (c, browser) = try await app.counsellorWithCase()
            let csrf = try await browser.csrfToken()
            let session = try #require(try await StaffSession.query(on: app.db).first())
            session.lastSeenAt = Date().addingTimeInterval(-3600)
            try await session.save(on: app.db)
            let response = try await browser.post("/cases/\(c.id!)/notes", [("body", "Een lange notitie die niet verloren mag gaan"), ("_csrf", csrf)], csrf: false)
            #expect(response.status == .forbidden || response.status == .unauthorized)
            #expect(response.body.string.contains("Een lange notitie die niet verloren mag gaan"))
            #expect(response.body.string.contains("niet</strong> opgeslagen"))
            #expect(!response.body.string.contains(csrf))
            #expect(try await count(CaseNote.self, app) == 0)
        }
    }

    @Test func resettingTheSecondFactorInvalidatesTheOldOne() async throws {
        try await withVertrouwd { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let anna = try await app.makeAccount("anna@praktijk.nl")
            let browser = Browser(app)
            try await browser.login(admin)
            let annasOwn = Browser(app)
            try await annasOwn.login(anna)
            let reset = try await browser.post("/admin/users/\(anna.id)/reset-totp", [])
            #expect(reset.status == .ok)
            #expect(!reset.body.string.contains("otpauth://"), "the admin sees no secret")
            #expect(try await Browser(app).login(anna, code: anna.code(at: Date().addingTimeInterval(30))).status == .unprocessableEntity,
                    "the lost phone's codes stop working")
            #expect(try await annasOwn.get("/").status == .seeOther, "every session of the account ended")

            // The link asks for Anna's own password: in the admin's hands it is worth nothing.
            let link = try enrolmentLink(in: reset.body.string)
            let wrong = try await Browser(app).post(link, [("current", "het wachtwoord van de beheerder")])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.body.string.contains("Dit wachtwoord klopt niet"))
            #expect(try await User.find(anna.id, on: app.db)?.failedLogins == 2, "a wrong password here counts as a failed login (after the one with the old phone)")
            let done = try await Browser(app).post(link, [("current", anna.password)])
            #expect(done.status == .ok)
            #expect(done.body.string.contains("otpauth://totp/"))
        }
    }
}

@Suite("First start: the one-time setup link")
struct SetupTests {
    @Test func theSetupLinkCreatesTheFirstAdminOnceAndThenDies() async throws {
        try await withVertrouwd { app in
            let token = try #require(try await SetupController.prepareLink(app: app))
            let browser = Browser(app)
            #expect(try await browser.get("/setup?token=wrong").status == .notFound)
            #expect(try await browser.get("/setup?token=\(token)").status == .ok)
            let weak = try await browser.post("/setup?token=\(token)", [("practice", "Praktijk Noord"), ("name", "Bea"), ("email", "bea@noord.nl"),
                                                                       ("password", "welkom123"), ("password2", "welkom123")])
            #expect(weak.status == .unprocessableEntity)
            #expect(weak.body.string.contains("minstens 12 tekens"))
            #expect(weak.body.string.contains("value=\"Praktijk Noord\""))
            #expect(!weak.body.string.contains("welkom123"))
            #expect(try await count(User.self, app) == 0)
            let done = try await browser.post("/setup?token=\(token)", [("practice", "Praktijk Noord"), ("name", "Bea"), ("email", "bea@noord.nl"),
                                                                       ("password", "fiets regen koffie molen"), ("password2", "fiets regen koffie molen"),
                                                                       ("counsellor", "on")])
            #expect(done.status == .ok)
            #expect(done.body.string.contains("otpauth://totp/"))
            let bea = try #require(try await User.query(on: app.db).first())
            #expect(bea.isAdmin && bea.isCounsellor)
            #expect(try await Practice.find(Practice.singletonID, on: app.db)?.name == "Praktijk Noord")
            #expect(try await browser.get("/setup?token=\(token)").status == .notFound)
            #expect(try await SetupController.prepareLink(app: app) == nil)
        }
    }
}

@Suite("Enrolment asks for one code before it finishes")
struct EnrolmentConfirmTests {
    @Test func theQRCodeIsShownAndAWrongCodeKeepsThePageWhileTheRightOneFinishes() async throws {
        try await withVertrouwd { app in
            // setup: Youssef completes his enrolment link in his own browser
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let desk = Browser(app, over: .from("127.0.0.2"))
            try await desk.login(admin)
            let made = try await desk.post("/admin/users", [("name", "Youssef"), ("email", "youssef@praktijk.nl"), ("roles[]", "counsellor")])
            let link = try enrolmentLink(in: made.body.string)
            let youssef = Browser(app, over: .from("127.0.0.3"))
            _ = try await youssef.get(link)
            let page = try await youssef.post(link, [("password", "mijn eigen lange zin"), ("password2", "mijn eigen lange zin")]).body.string
            #expect(page.contains("<svg") && page.contains("QR-code met de geheime sleutel"), "the secret as a QR code")
            #expect(page.contains("name=\"code\"") && page.contains("autocomplete=\"one-time-code\""))
            let secretText = try #require(page.components(separatedBy: "secret=").dropFirst().first?.prefix { $0 != "&" })
            let secret = try #require(Tokens.base32Decode(String(secretText)))
            let ticket = try #require(page.components(separatedBy: "name=\"ticket\" value=\"").dropFirst().first?.prefix { $0 != "\"" })
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "youssef@praktijk.nl").first())
            let failuresBefore = user.failedLogins

            // unhappy: a wrong code, letters, a ticket for someone else, a ticket altered
            let wrong = try await youssef.post("/enrol-confirm", [("code", "000000"), ("ticket", String(ticket)), ("next", "/login")])
            #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains("Deze code klopt niet") && wrong.body.string.contains("<svg"))
            #expect(try await User.find(user.id, on: app.db)?.failedLogins == failuresBefore + 1, "a wrong code counts as a failed login")
            let forged = String(ticket).replacingOccurrences(of: user.id!.uuidString, with: admin.id.uuidString)
            let stranger = try await Browser(app, over: .from("127.0.0.4")).post("/enrol-confirm", [("code", SecondFactor.code(secret: secret, at: Date())), ("ticket", forged)])
            #expect(stranger.status == .gone && !stranger.body.string.contains("<svg"), "no secret for a ticket we did not sign")
            #expect(try await Browser(app, over: .from("127.0.0.4")).post("/enrol-confirm", [("code", "123456"), ("ticket", "x.y.z")]).status == .gone)

            // a wrong code shows the page again with the same ticket: it is not extended
            #expect(wrong.body.string.contains("value=\"\(ticket)\""))

            // MUT
            let now = Date()
            let code = SecondFactor.code(secret: secret, at: now)
            let right = try await youssef.post("/enrol-confirm", [("code", code), ("ticket", String(ticket)), ("next", "/login")])

            // validate: done, audited, and the code is used up
            #expect(right.status == .seeOther && right.headers.first(name: .location) == "/login")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "user.enrol.confirm").count() == 1)
            #expect(try await User.find(user.id, on: app.db)?.failedLogins == 0, "typos while setting up are forgiven once it works")
            let account = TestAccount(user: try #require(try await User.find(user.id, on: app.db)), password: "mijn eigen lange zin", secret: secret)
            let replay = try await Browser(app, over: .from("127.0.0.5")).login(account, code: code)
            #expect(replay.status != .seeOther, "the code that confirmed the app does not log in again")
            // the ticket is used up: it no longer draws the secret, even with a wrong code
            let reused = try await youssef.post("/enrol-confirm", [("code", "000000"), ("ticket", String(ticket))])
            #expect(reused.status == .gone && !reused.body.string.contains("secret="))
            let next = try await Browser(app, over: .from("127.0.0.5")).login(account, code: SecondFactor.code(secret: secret, at: now.addingTimeInterval(30)))
            #expect(next.status == .seeOther)
            // a reset makes a new secret: the old page's ticket no longer draws anything
            let user2 = try #require(try await User.find(user.id, on: app.db))
            _ = try SecondFactor.enrol(user2, masterKey: app.masterKey)
            try await user2.save(on: app.db)
            #expect(try await youssef.post("/enrol-confirm", [("code", "000000"), ("ticket", String(ticket))]).status == .gone)
        }
    }
}

/// The `/enrol/…` path in an admin's page or a mail.
func enrolmentLink(in text: String) throws -> String {
    let after = try #require(text.components(separatedBy: "/enrol/").dropFirst().first)
    return "/enrol/" + after.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
}
