import Fluent
import SQLKit
import Vapor
import VertrouwdCore
import VertrouwdStore

/// A one-time link (*inschrijflink*, valid 72 hours) where a counsellor sets their own password
/// and scans their own TOTP secret. The admin who makes an account or resets a lost second
/// factor never sees either: before, the admin was shown a temporary password and the secret,
/// and could log in as the counsellor and read cases.
///
/// A reset of the second factor asks for the account's current password, so the admin cannot
/// use that link either. A new account's link is mailed straight to the account's address when
/// mail is configured; otherwise the admin passes it on, and a link used by someone else shows
/// up when the counsellor finds it used (and in the audit log, `user.enrol`).
enum Enrolment {
    static let validity: TimeInterval = 72 * 3600
    /// Wrong passwords on a second-factor link before it stops working.
    static let wrongPasswordsPerLink = 3

    enum Purpose: String {
        /// A new account: choose a password, scan a secret.
        case newAccount = "new"
        /// A lost phone: confirm the current password, scan a new secret.
        case secondFactor = "second_factor"
    }

    /// Opens a link for the user (an earlier one stops working) and returns its token; the
    /// account's second factor stops working until the link is used.
    static func open(_ user: User, purpose: Purpose, now: Date = Date()) -> String {
        let token = Tokens.random()
        user.enrolTokenHash = Tokens.hash(token)
        user.enrolPurpose = purpose.rawValue
        user.enrolExpiresAt = now.addingTimeInterval(validity)
        user.totpSecretSealed = ""
        user.totpLastStep = 0
        // Failures count from the new link on: a lock that strangers' guesses caused neither
        // blocks nor shortens the owner's reset (three wrong passwords with it still end it).
        user.failedLogins = 0
        user.lockedUntil = nil
        return token
    }

    /// "03-12-2026 14:05", Dutch time.
    static func dutch(_ date: Date) -> String {
        let f = DateFormatter()
        f.dateFormat = "dd-MM-yyyy HH:mm"
        f.timeZone = TimeZone(identifier: "Europe/Amsterdam")
        return f.string(from: date)
    }

    static func link(_ token: String, _ req: Request) -> String {
        req.siteBase + SiteURL.enrol(token: .value(token)).path
    }

    // MARK: the counsellor's side

    struct EnrolForm: Content {
        var current: String?
        var password: String?
        var password2: String?
    }

    /// The account a link belongs to, while it is valid.
    static func account(_ req: Request) async throws -> (User, Purpose)? {
        // A browser in which someone is logged in is not the new colleague's own: without mail,
        // an admin could otherwise complete the enrolment and log in as the counsellor.
        if let staff = req.staff {
            throw ExplainedAbort(
                status: .forbidden, title: "Log eerst uit",
                reason:
                    """
                    Deze link is voor de collega van wie het account is, in hun eigen browser. In deze browser \
                    is \(staff.user.name) ingelogd: log uit, of geef de link door zonder hem zelf te openen. Er \
                    is niets veranderd.
                    """
            )
        }
        guard let token = req.parameters.get("token"), !token.isEmpty, token.count <= 200,
            let user = try await User.query(on: req.db).filter(\.$enrolTokenHash == Tokens.hash(token)).first(),
            user.active, let purpose = user.enrolPurpose.flatMap(Purpose.init(rawValue:)),
            (user.enrolExpiresAt ?? .distantPast) > Date()
        else { return nil }
        return (user, purpose)
    }

    static func gone(_ req: Request) throws -> Never {
        throw ExplainedAbort(
            status: .gone, title: "Deze link werkt niet (meer)",
            reason: "Een inschrijflink werkt één keer en 72 uur lang. Vraag de beheerder van je praktijk om een nieuwe."
        )
    }

    static func form(_ req: Request, _ user: User, _ purpose: Purpose, errors: FormErrors = .init()) -> FormView {
        let token = req.parameters.get("token") ?? ""
        var form: FormView
        switch purpose {
        case .newAccount:
            form = FormView(
                id: "enrol", title: "Je account instellen",
                intro:
                    """
                    Welkom, \(user.name) (\(user.email)). Kies je wachtwoord; daarna stel je de \
                    authenticator-app op je telefoon in. Niemand anders ziet ze, ook de beheerder niet.
                    """,
                action: SiteURL.enrol(token: .value(token)).path, submit: "Wachtwoord instellen", csrf: req.csrfToken)
            form.addNewPassword("Wachtwoord")
        case .secondFactor:
            form = FormView(
                id: "enrol", title: "Nieuwe tweede factor",
                intro:
                    """
                    \(user.name) (\(user.email)), bevestig met je wachtwoord dat jij het bent; daarna stel je \
                    de authenticator-app opnieuw in.
                    """,
                action: SiteURL.enrol(token: .value(token)).path, submit: "Verder", csrf: req.csrfToken)
            form.add("current", "Je wachtwoord", type: "password", required: true, autocomplete: "current-password")
        }
        form.apply(errors)
        return form
    }

    /// GET /enrol/:token
    @Sendable static func show(_ req: Request) async throws -> Response {
        guard let (user, purpose) = try await account(req) else { try gone(req) }
        return try await req.page(
            .formPage, FormPage(meta: req.meta("Account instellen"), form: form(req, user, purpose)))
    }

    /// POST /enrol/:token — sets the password (new account) or checks it (reset), makes the
    /// TOTP secret and shows it, once, to the person holding the link and the password.
    @Sendable static func complete(_ req: Request) async throws -> Response {
        guard let (user, purpose) = try await account(req) else { try gone(req) }
        let input = req.form(EnrolForm.self) ?? .init()
        var errors = FormErrors()
        func refuse(_ status: HTTPStatus = .unprocessableEntity) async throws -> Response {
            try await req.page(
                .formPage,
                FormPage(meta: req.meta("Account instellen"), form: form(req, user, purpose, errors: errors)),
                status: status)
        }
        switch purpose {
        case .newAccount:
            guard
                let password = AccountRules.checkNewPassword(
                    input.password, input.password2, email: user.email, name: user.name, errors: &errors)
            else {
                return try await refuse()
            }
            user.passwordHash = try await req.application.hashing.hashPassword(password)
        case .secondFactor:
            let ok: Bool
            do {
                ok = try await req.application.hashing.verifyPassword(
                    input.current ?? "", hash: user.passwordHash, source: req.source)
            } catch is Hashing.Busy {
                errors.general = LoginController.busyMessage
                return try await refuse(.serviceUnavailable)
            }
            // The right password with the link completes the reset even while the account is
            // locked (someone else's guesses may have locked it): that ends the lock.
            guard ok else {
                // A wrong password here counts as a failed login: the link is no way around the lock.
                let failures = try await LoginController.countFailure(user, now: Date(), req)
                if failures >= Self.wrongPasswordsPerLink {
                    // Whoever holds the link may not keep guessing: it dies, a new one must be asked for.
                    try await User.query(on: req.db).filter(\.$id == user.requireID())
                        .set(\.$enrolTokenHash, to: nil).set(\.$enrolPurpose, to: nil).set(\.$enrolExpiresAt, to: nil)
                        .update()
                    try gone(req)
                }
                errors["current"] = "Dit wachtwoord klopt niet, of het account is na te veel pogingen even op slot."
                return try await refuse()
            }
        }
        let secret = try SecondFactor.enrol(user, masterKey: req.application.masterKey)
        user.enrolTokenHash = nil
        user.enrolPurpose = nil
        user.enrolExpiresAt = nil
        user.failedLogins = 0
        user.lockedUntil = nil
        if purpose == .newAccount { user.enrolledAt = Date() }
        let tokenHash = Tokens.hash(req.parameters.get("token") ?? "")
        try await req.store.transaction { db in
            // The link is claimed in one step: of two posts at the same moment only one gets it.
            let claimed = try await (db as! any SQLDatabase).raw(
                """
                UPDATE users SET enrol_token_hash = NULL WHERE id = \(bind: user.requireID()) AND enrol_token_hash \
                = \(bind: tokenHash) RETURNING id
                """
            ).all()
            guard !claimed.isEmpty else { try gone(req) }
            try await user.save(on: db)
            try await StaffSession.query(on: db).filter(\.$user.$id == user.requireID()).delete()
            try await Audit.record(
                "user.enrol", subject: "user:\((try user.requireID()).uuidString)",
                detail: "\(purpose.rawValue) \(req.browserTag)",
                actor: "user:\((try user.requireID()).uuidString)", store: req.store, db: db)
        }
        return try await req.page(
            .enrol,
            SetupController.EnrolPage(
                req, heading: "Nog één stap: je authenticator-app", user: user,
                secret: secret, next: SiteURL.login.path))
    }
}

extension Enrolment {
    static func renewForm(_ req: Request, errors: FormErrors = .init()) throws -> FormView {
        let user = try req.requireStaff().user
        var form = FormView(
            id: "renew", title: "Nieuw wachtwoord en nieuwe tweede factor",
            intro:
                """
                \(user.name), Vertrouwd is veiliger geworden: vroeger zag de beheerder het eerste wachtwoord en \
                de geheime sleutel van een nieuw account. Kies daarom eenmalig een nieuw wachtwoord; daarna \
                stel je de authenticator-app opnieuw in. Niemand anders ziet ze.
                """,
            action: SiteURL.accountRenew.path, submit: "Wachtwoord instellen", csrf: req.csrfToken)
        form.addNewPassword(
            "Nieuw wachtwoord", hint: "Minstens \(PasswordPolicy.minimumLength) tekens, niet je oude wachtwoord.")
        form.apply(errors)
        return form
    }

    /// GET /account/renew
    @Sendable static func showRenew(_ req: Request) async throws -> Response {
        guard try req.requireStaff().user.renewCredentials == true else {
            return req.redirect(to: SiteURL.dashboard.path)
        }
        return try await req.page(.formPage, FormPage(meta: req.meta("Account vernieuwen"), form: renewForm(req)))
    }

    /// POST /account/renew — a new password and a new TOTP secret, chosen by the account itself;
    /// every session ends and this one goes on under a new id.
    @Sendable static func renew(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let user = staff.user
        guard user.renewCredentials == true else { return req.redirect(to: SiteURL.dashboard.path) }
        let input = req.form(EnrolForm.self) ?? .init()
        var errors = FormErrors()
        let password = AccountRules.checkNewPassword(
            input.password, input.password2, email: user.email, name: user.name, errors: &errors)
        if let password, (try? await req.application.hashing.verifyPassword(password, hash: user.passwordHash)) == true
        {
            errors["password"] = "Kies een ander wachtwoord dan je oude: de beheerder kan dat gezien hebben."
        }
        guard errors.isEmpty, let password else {
            return try await req.page(
                .formPage, FormPage(meta: req.meta("Account vernieuwen"), form: renewForm(req, errors: errors)),
                status: .unprocessableEntity)
        }
        user.passwordHash = try await req.application.hashing.hashPassword(password)
        let secret = try SecondFactor.enrol(user, masterKey: req.application.masterKey)
        user.renewCredentials = false
        let token = Tokens.random()
        let session = StaffSession(tokenHash: Tokens.hash(token), userID: staff.userID, now: Date())
        try await req.store.transaction { db in
            try await user.save(on: db)
            try await StaffSession.query(on: db).filter(\.$user.$id == staff.userID).delete()
            try await session.create(on: db)
            try await req.audit("user.renew", subject: "user:\(staff.userID.uuidString)")
        }
        req.staff = try Staff(user: user, session: session)
        let response = try await req.page(
            .enrol,
            SetupController.EnrolPage(
                req, heading: "Nog één stap: je authenticator-app", user: user,
                secret: secret, next: SiteURL.dashboard.path))
        response.cookies[StaffAuthMiddleware.sessionCookie] = StaffAuthMiddleware.cookie(token, on: req)
        return response
    }
}

extension Enrolment {
    /// How long the authenticator page may ask for its code.
    static let confirmWindow: TimeInterval = 30 * 60

    /// What the authenticator page posts back with the code: the account, until when, and our
    /// signature over both, the sealed secret it showed and the last code used. A newer secret,
    /// the confirming code or any login voids it, and a wrong code does not extend it: only the
    /// page that showed the secret holds it, for half an hour at most, until it is used.
    static func ticket(for user: User, app: Application, now: Date = Date()) -> String {
        let body = "\(user.id!.uuidString).\(Int(now.addingTimeInterval(confirmWindow).timeIntervalSince1970))"
        return body + "." + app.store.signature("enrol-confirm/v2", of: signed(body, user))
    }

    static func signed(_ body: String, _ user: User) -> String {
        body + "\n" + user.totpSecretSealed + "\n" + String(user.totpLastStep)
    }

    /// The account a ticket names, when we signed it, it has not run out, and its secret is the
    /// one the page showed.
    static func account(ticket: String, _ req: Request, now: Date = Date()) async throws -> User? {
        let parts = ticket.prefix(200).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let id = UUID(uuidString: String(parts[0])), let until = Int(parts[1]),
            until >= Int(now.timeIntervalSince1970), let user = try await User.find(id, on: req.db), user.active,
            Tokens.constantTimeEqual(
                String(parts[2]),
                req.store.signature("enrol-confirm/v2", of: signed("\(parts[0]).\(parts[1])", user)))
        else { return nil }
        return user
    }

    struct ConfirmForm: Content { var code, ticket, next: String? }

    /// POST /enrol/confirm — one code from the app, before the counsellor leaves the page with the
    /// secret: a wrong one shows the same QR code again with the message (and counts as a failed
    /// login); the right one is used up, so logging in takes the next.
    @Sendable static func confirm(_ req: Request) async throws -> Response {
        let input = req.form(ConfirmForm.self) ?? .init()
        guard let user = try await account(ticket: input.ticket ?? "", req) else {
            throw ExplainedAbort(
                status: .gone, title: "Deze pagina is verlopen",
                reason:
                    """
                    Controleer de app door in te loggen met een code uit de app. Lukt dat niet, vraag de \
                    beheerder dan om een nieuwe inschrijflink.
                    """
            )
        }
        // Where the page's "later" link leads: the login page, or (after renewing) the dashboard.
        let next = input.next == SiteURL.login.path ? SiteURL.login.path : SiteURL.dashboard.path
        let secret = try SecondFactor.secret(of: user, masterKey: req.application.masterKey)
        let now = Date()
        let locked = (user.lockedUntil ?? .distantPast) > now
        guard !locked, let step = SecondFactor.step(for: input.code ?? "", secret: secret, now: now),
            try await LoginController.claim(step: step, for: user, on: req.db)
        else {
            try await LoginController.countFailure(user, now: now, req)
            var errors = FormErrors()
            errors["code"] =
                locked
                ? """
                Na te veel pogingen staat het account even op slot. Probeer het over een kwartier opnieuw bij \
                het inloggen.
                """
                : "Deze code klopt niet. Staat de sleutel van deze pagina in de app? Typ de code die de app nu toont."
            return try await req.page(
                .enrol,
                SetupController.EnrolPage(
                    req, heading: "Nog één stap: je authenticator-app", user: user,
                    secret: secret, next: next, ticket: input.ticket, errors: errors),
                status: .unprocessableEntity)
        }
        // The app works: typos while setting it up no longer count towards a lock.
        try await User.query(on: req.db).filter(\.$id == user.requireID()).set(\.$failedLogins, to: 0).update()
        try await Audit.record(
            "user.enrol.confirm", subject: "user:\((try user.requireID()).uuidString)", detail: req.browserTag,
            actor: "user:\((try user.requireID()).uuidString)", store: req.store, db: req.db)
        return req.redirect(to: next == SiteURL.login.path ? .login : .dashboard, flash: .secondFactorWorks)
    }
}
