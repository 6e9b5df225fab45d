import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The admin's account management: create accounts, deactivate them (which ends their
/// sessions; a counsellor's running cases are handed over first, `HandOver`), and reset a lost
/// second factor.
enum UsersController {
    struct UserRow: Encodable, Sendable {
        let id: String
        let name: String
        let email: String
        let role: String
        let active: Bool
        let locked: Bool
        let isSelf: Bool
        /// "inschrijflink open tot …" or "inschrijflink verlopen", while an enrolment is open.
        let enrolment: String?
        let deactivateURL, activateURL, resetURL, unlockURL, handOverURL: String
        let isCounsellor: Bool

        init(_ user: User, now: Date, isSelf: Bool) {
            id = user.id!.uuidString
            name = user.name
            email = user.email
            role = user.roleLabel
            active = user.active
            locked = (user.lockedUntil ?? .distantPast) > now
            self.isSelf = isSelf
            enrolment =
                user.enrolExpiresAt.map {
                    $0 > now ? "inschrijflink open tot \(Enrolment.dutch($0))" : "inschrijflink verlopen"
                }
                ?? user.enrolledAt.map { "ingesteld \(Enrolment.dutch($0))" }
            deactivateURL = SiteURL.user(.value(user.id!), .deactivate).path
            activateURL = SiteURL.user(.value(user.id!), .activate).path
            resetURL = SiteURL.user(.value(user.id!), .resetTOTP).path
            unlockURL = SiteURL.user(.value(user.id!), .unlock).path
            handOverURL = SiteURL.user(.value(user.id!), .handOver).path
            isCounsellor = user.isCounsellor
        }
    }

    struct IndexPage: Encodable, Sendable {
        let meta: PageMeta
        let users: [UserRow]
        let form: FormView
    }

    struct CreateForm: Content {
        var name: String?
        var email: String?
        var roles: [String]?
    }

    static func form(
        _ req: Request, input: CreateForm = .init(roles: ["counsellor"]), errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "new-user", title: "Nieuw account",
            intro:
                """
                Vertrouwd maakt een inschrijflink (72 uur geldig) waarmee de nieuwe collega zelf een wachtwoord \
                en de authenticator-app instelt. Jij ziet geen van beide.
                """,
            action: SiteURL.users.path, submit: "Account aanmaken", csrf: req.csrfToken)
        form.add("name", "Naam", value: input.name, required: true, maxlength: 120)
        form.add("email", "E-mailadres", type: "email", value: input.email, required: true)
        form.choice(
            "roles", "Rol", options: [("counsellor", "Vertrouwenspersoon"), ("admin", "Beheerder")],
            selected: input.roles ?? [], multiple: true,
            hint: "Een beheerder ziet nooit de inhoud van meldingen, tenzij ook zelf vertrouwenspersoon op die melding."
        )
        form.apply(errors)
        return form
    }

    static func rows(_ req: Request) async throws -> [UserRow] {
        let now = Date()
        return try await User.query(on: req.db).sort(\.$name).all().map {
            UserRow($0, now: now, isSelf: $0.id == req.staff?.userID)
        }
    }

    /// GET /admin/users
    @Sendable static func index(_ req: Request) async throws -> Response {
        try await req.page(
            .users, IndexPage(meta: req.meta("Accounts", section: "users"), users: rows(req), form: form(req)))
    }

    /// POST /admin/users
    @Sendable static func create(_ req: Request) async throws -> Response {
        let input = req.form(CreateForm.self) ?? CreateForm()
        var errors = FormErrors()
        let name = errors.text(input.name, "name", label: "de naam", max: 120)
        let email = errors.email(input.email, "email")
        let roles = Set(input.roles ?? [])
        if roles.isEmpty || !roles.isSubset(of: ["admin", "counsellor"]) { errors["roles"] = "Kies minstens één rol." }
        if let email, try await User.query(on: req.db).filter(\.$email == email).first() != nil {
            errors["email"] = "Er is al een account met dit e-mailadres."
        }
        guard errors.isEmpty, let name, let email else {
            return try await req.page(
                .users,
                IndexPage(
                    meta: req.meta("Accounts", section: "users"), users: rows(req),
                    form: form(req, input: input, errors: errors)), status: .unprocessableEntity)
        }
        // No password or second factor the admin could know: the account gets an enrolment
        // link, and until it is used a password nobody has.
        let user = User(
            email: email, name: name, isAdmin: roles.contains("admin"), isCounsellor: roles.contains("counsellor"),
            passwordHash: try await req.application.hashing.hashPassword(Tokens.random()))
        let token = Enrolment.open(user, purpose: .newAccount)
        try await req.store.transaction { db in
            try await user.create(on: db)
            try await req.audit("user.create", subject: "user:\((try user.requireID()).uuidString)")
        }
        return try await linkPage(req, user, token: token, heading: "Account aangemaakt voor \(name)")
    }

    struct LinkPage: Encodable, Sendable {
        let meta: PageMeta
        let heading: String
        let name: String
        let email: String
        /// The link, when it was not mailed to the account itself.
        let link: String?
        let until: String
    }

    /// What the admin sees after making a link: that it was mailed to the account's own address,
    /// or — without mail — the link to pass on. Never a password or secret.
    static func linkPage(_ req: Request, _ user: User, token: String, heading: String) async throws -> Response {
        let link = Enrolment.link(token, req)
        let settings = req.application.settings
        let mailed = settings.sendmailCommand?.isEmpty == false && settings.publicURL != nil
        if mailed { Notifier.sendEnrolment(req.application, to: user.email, name: user.name, link: link) }
        let until = user.enrolExpiresAt.map(Enrolment.dutch) ?? ""
        return try await req.page(
            .enrolLink,
            LinkPage(
                meta: req.meta(heading, section: "users"), heading: heading, name: user.name,
                email: user.email, link: mailed ? nil : link, until: until))
    }

    static func target(_ req: Request) async throws -> User {
        guard let id = req.parameters.get("userID", as: UUID.self), let user = try await User.find(id, on: req.db)
        else {
            throw Abort(.notFound)
        }
        return user
    }

    /// POST /admin/users/:userID/deactivate — ends every session of the account at once.
    /// A counsellor with cases (running or closed) is sent to hand them over first: otherwise
    /// nobody has them, their deadlines, or a reporter's later message.
    @Sendable static func deactivate(_ req: Request) async throws -> Response {
        let user = try await target(req)
        guard user.id != req.staff?.userID else { throw Abort(.forbidden) }
        if try await HandOver.hasCases(user, on: req.db) {
            return req.redirect(to: SiteURL.user(.value(try user.requireID()), .handOver).path + "?deactivate=1")
        }
        user.active = false
        // An open enrolment link dies with the account: reactivating must not revive it.
        user.enrolTokenHash = nil
        user.enrolPurpose = nil
        user.enrolExpiresAt = nil
        try await req.store.transaction { db in
            try await user.save(on: db)
            try await StaffSession.query(on: db).filter(\.$user.$id == (try user.requireID())).delete()
            try await req.audit("user.deactivate", subject: "user:\((try user.requireID()).uuidString)")
        }
        return req.redirect(to: .users, flash: .deactivated)
    }

    /// POST /admin/users/:userID/activate
    @Sendable static func activate(_ req: Request) async throws -> Response {
        let user = try await target(req)
        // Activating does not lift a lock: "Activeren" on an active account would otherwise give
        // whoever holds a reset link endless guesses at the counsellor's password.
        user.active = true
        try await req.store.transaction { db in
            try await user.save(on: db)
            try await req.audit("user.activate", subject: "user:\((try user.requireID()).uuidString)")
        }
        return req.redirect(to: .users, flash: .saved)
    }

    /// POST /admin/users/:userID/unlock — a counsellor locked out by someone else's guesses (or
    /// their own) may log in again at once: the lock and the count of failures end.
    @Sendable static func unlock(_ req: Request) async throws -> Response {
        let user = try await target(req)
        user.failedLogins = 0
        user.lockedUntil = nil
        try await req.store.transaction { db in
            try await user.save(on: db)
            try await req.audit("user.unlock", subject: "user:\((try user.requireID()).uuidString)")
        }
        return req.redirect(to: .users, flash: .saved)
    }

    /// POST /admin/users/:userID/reset-totp — a lost phone: the old second factor stops working
    /// and every session ends at once; the counsellor sets up a new one through a link that also
    /// asks for their password.
    @Sendable static func resetSecondFactor(_ req: Request) async throws -> Response {
        let user = try await target(req)
        // An account that never finished its first enrolment gets a new first link (it has no
        // password of its own to confirm).
        let token = Enrolment.open(
            user, purpose: user.enrolPurpose == Enrolment.Purpose.newAccount.rawValue ? .newAccount : .secondFactor)
        try await req.store.transaction { db in
            try await user.save(on: db)
            try await StaffSession.query(on: db).filter(\.$user.$id == (try user.requireID())).delete()
            try await req.audit("user.reset_totp", subject: "user:\((try user.requireID()).uuidString)")
        }
        return try await linkPage(req, user, token: token, heading: "Nieuwe tweede factor voor \(user.name)")
    }
}
