import Fluent
import SQLKit
import Vapor
import VertrouwdCore
import VertrouwdStore

extension Application {
    private struct DummyHashKey: StorageKey { typealias Value = String }

    /// A bcrypt hash of a random password at the configured cost, to spend equal time on
    /// unknown accounts. Set once by `configure`.
    var dummyPasswordHash: String {
        get { storage[DummyHashKey.self] ?? "" }
        set { storage[DummyHashKey.self] = newValue }
    }
}

/// Login (e-mail, password, TOTP code on one form), logout, and the one-time setup of a new
/// practice.
enum LoginController {
    struct LoginForm: Content {
        var email: String?
        var password: String?
        var code: String?
    }

    struct LoginPage: Encodable, Sendable {
        let meta: PageMeta
        let form: FormView
    }

    static func loginForm(_ req: Request, email: String = "", errors: FormErrors = .init()) -> FormView {
        let next = safeNext(req.query[String.self, at: "next"])
        var form = FormView(
            id: "login",
            action: SiteURL.login.path
                + (next == "/"
                    ? "" : "?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")),
            submit: "Inloggen", csrf: req.csrfToken)
        form.add("email", "E-mailadres", type: "email", value: email, required: true, autocomplete: "username")
        form.add("password", "Wachtwoord", type: "password", required: true, autocomplete: "current-password")
        form.add(
            "code", "Code uit je authenticator-app", value: "", hint: "Zes cijfers, bijvoorbeeld 123456.",
            required: true, autocomplete: "one-time-code", inputmode: "numeric", maxlength: 8)
        form.apply(errors)
        return form
    }

    /// Every failed login gets this answer, whatever failed.
    static let failedMessage =
        """
        E-mailadres, wachtwoord of code klopt niet. Na vijf mislukte pogingen gaat een account een tijd op \
        slot; probeer het dan later opnieuw.
        """
    static let busyMessage = "Er wordt op dit moment erg veel ingelogd. Probeer het over een paar seconden opnieuw."

    /// GET /login
    @Sendable static func show(_ req: Request) async throws -> Response {
        if req.staff != nil { return req.redirect(to: SiteURL.dashboard.path) }
        return try await req.page(.login, LoginPage(meta: req.meta("Inloggen"), form: loginForm(req)))
    }

    /// POST /login
    @Sendable static func login(_ req: Request) async throws -> Response {
        let input = req.form(LoginForm.self) ?? LoginForm()
        let email = (input.email ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        func refuse(_ message: String, status: HTTPStatus = .unprocessableEntity) async throws -> Response {
            var errors = FormErrors()
            errors.general = message
            let response = try await req.page(
                .login, LoginPage(meta: req.meta("Inloggen"), form: loginForm(req, email: email, errors: errors)),
                status: status)
            if status == .serviceUnavailable { response.headers.replaceOrAdd(name: .retryAfter, value: "5") }
            return response
        }
        guard !email.isEmpty, let password = input.password, !password.isEmpty, let code = input.code, !code.isEmpty
        else {
            return try await refuse("Vul je e-mailadres, wachtwoord en de code uit je authenticator-app in.")
        }
        let found =
            email.count <= 254 && password.utf8.count <= 1024
            ? try await User.query(on: req.db).filter(\.$email == email).first() : nil
        let user = found?.active == true ? found : nil
        // The same bcrypt work and the same answer for every failure — an unknown address, an
        // inactive or locked account, a wrong password or code — so neither the text nor the time
        // tells whether an address has an account or is locked.
        let passwordOK: Bool
        do {
            passwordOK = try await req.application.hashing.verifyPassword(
                password, hash: user?.passwordHash ?? req.application.dummyPasswordHash, source: req.source)
        } catch is Hashing.Busy {
            return try await refuse(busyMessage, status: .serviceUnavailable)
        }
        // From here every failure answers the same time after the hash (`EvenTiming`): a known
        // account's failure is counted and audited, an unknown one's is not.
        let hashed = ContinuousClock.now
        guard let user else {
            await EvenTiming.settle(since: hashed)
            return try await refuse(failedMessage)
        }
        let now = Date()
        let locked = (user.lockedUntil ?? .distantPast) > now
        // An account whose enrolment link is open has no second factor: it cannot log in.
        let secret =
            user.totpSecretSealed.isEmpty
            ? nil : try SecondFactor.secret(of: user, masterKey: req.application.masterKey)
        let step = passwordOK && !locked ? secret.flatMap { SecondFactor.step(for: code, secret: $0, now: now) } : nil
        guard passwordOK, !locked, let step, try await claim(step: step, for: user, on: req.db) else {
            // One atomic step: concurrent failures each count (a read-add-save lost them). An
            // attempt while locked counts too (it does not lengthen the lock).
            try await countFailure(user, now: now, req)
            await EvenTiming.settle(since: hashed)
            return try await refuse(failedMessage)
        }
        user.failedLogins = 0
        user.lockedUntil = nil
        let token = Tokens.random()
        let session = StaffSession(tokenHash: Tokens.hash(token), userID: try user.requireID(), now: now)
        let oldSession = req.cookies[StaffAuthMiddleware.sessionCookie]?.string
        let settings = req.application.settings
        try await req.store.transaction { db in
            try await user.save(on: db)
            // A new session id at every login; an older session of this browser ends.
            if let oldSession { try await StaffSession.query(on: db).filter(\.$id == Tokens.hash(oldSession)).delete() }
            // Sessions that timed out without being touched again are swept here, at a moment
            // that is rare enough to cost nothing.
            try await StaffSession.query(on: db).group(.or) { or in
                or.filter(\.$lastSeenAt < now.addingTimeInterval(-settings.sessionIdleTimeout))
                or.filter(\.$createdAt < now.addingTimeInterval(-settings.sessionAbsoluteTimeout))
            }.delete()
            try await session.create(on: db)
            try await Audit.record(
                "login", subject: "user:\((try user.requireID()).uuidString)", detail: req.browserTag,
                actor: "user:\((try user.requireID()).uuidString)", store: req.store, db: db)
        }
        req.staff = try Staff(user: user, session: session)
        let response = req.redirect(to: safeNext(req.query[String.self, at: "next"]))
        response.cookies[StaffAuthMiddleware.sessionCookie] = StaffAuthMiddleware.cookie(token, on: req)
        response.cookies[StaffAuthMiddleware.csrfCookie] = .expired
        return response
    }

    /// Counts a failed login, locks the account when that is due, and records it: one transaction,
    /// the count added in the database itself (concurrent failures each count).
    @discardableResult
    static func countFailure(_ user: User, now: Date, _ req: Request) async throws -> Int {
        let id = try user.requireID()
        return try await req.store.transaction { db in
            // A lock that ended a while ago is forgotten: the count starts again, so one stray
            // attempt after the first lock no longer locks the account for longer and longer.
            try await User.query(on: db).filter(\.$id == id).filter(
                \.$lockedUntil < now.addingTimeInterval(-LoginThrottle.forgetAfter)
            )
            .set(\.$failedLogins, to: 0).set(\.$lockedUntil, to: nil).update()
            let failures = try await Counters.increment("users", "failed_logins", id: id, on: db)
            if let lock = LoginThrottle.lock(afterFailures: failures) {
                // Only an account that is not locked now is locked (again): an attempt during a
                // lock counts, but cannot make it longer, so a stranger cannot keep it shut.
                try await User.query(on: db).filter(\.$id == id).group(.or) {
                    $0.filter(\.$lockedUntil == nil).filter(\.$lockedUntil < now)
                }
                .set(\.$lockedUntil, to: now.addingTimeInterval(lock)).update()
            }
            try await Audit.record(
                "login.failed", subject: "user:\(id.uuidString)", actor: "system", store: req.store, db: db)
            return failures
        }
    }

    /// Marks a TOTP time step used, atomically: the same code cannot log in twice, not even from
    /// two app instances at the same moment.
    static func claim(step: Int, for user: User, on db: any Database) async throws -> Bool {
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw(
            """
            UPDATE users SET totp_last_step = \(bind: step) WHERE id = \(bind: try user.requireID()) AND totp_last_step < \
            \(bind: step) RETURNING id
            """
        ).all()
        if !rows.isEmpty { user.totpLastStep = step }
        return !rows.isEmpty
    }

    /// POST /logout — ends the session on the server, not just in the browser.
    @Sendable static func logout(_ req: Request) async throws -> Response {
        if let staff = req.staff {
            try await req.store.transaction { db in
                try await staff.session.delete(on: db)
                try await req.audit("logout", subject: "user:\(staff.userID.uuidString)")
            }
            req.staff = nil
        }
        let response = req.redirect(to: .login, flash: .loggedOut)
        response.cookies[StaffAuthMiddleware.sessionCookie] = .expired
        return response
    }

    /// The staff pages a login may return to: the first segment of a known in-app path.
    static let returnSections: Set<String> = ["", "account", "organisations", "reports", "admin", "cases"]

    /// `next` must not send a user to another site after login: only a path of the staff pages
    /// made of plain characters (letters, digits, `/ - _ .`, a simple query) — no control
    /// characters (`/%09/evil.example` reached the browser as `/\t/evil.example`, which it
    /// follows to that host), no backslash, no `//`, no `..`.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.utf8.count <= 512, next.hasPrefix("/"), !next.contains("//"), !next.contains("..") else {
            return "/"
        }
        let parts = next.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let pathOK = parts[0].unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "/-_.".unicodeScalars.contains($0))
        }
        let queryOK =
            parts.count == 1
            || parts[1].unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "=&-_.".unicodeScalars.contains($0))
            }
        let section =
            parts[0].dropFirst().split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(
                String.init) ?? ""
        guard pathOK, queryOK, returnSections.contains(section) else { return "/" }
        return next
    }
}
