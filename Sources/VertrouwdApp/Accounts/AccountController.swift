import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The staff member's own account: change the password (a temporary one from the admin first of
/// all) and, for counsellors, the short introduction shown on organisations' public pages.
enum AccountController {
    struct Page: Encodable, Sendable {
        let meta: PageMeta
        let name: String
        let email: String
        let role: String
        /// "23-11-2026 14:30": when the account was first set up, for its owner to recognise.
        let enrolledAt: String?
        let forms: [FormView]
    }

    struct PasswordForm: Content { var current, password, password2: String? }
    struct ProfileForm: Content { var introduction: String? }

    static func passwordForm(_ req: Request, errors: FormErrors = .init()) -> FormView {
        var form = FormView(
            id: "password", title: "Wachtwoord wijzigen", action: SiteURL.accountPassword.path,
            submit: "Wachtwoord wijzigen", csrf: req.csrfToken)
        form.add("current", "Huidig wachtwoord", type: "password", required: true, autocomplete: "current-password")
        form.addNewPassword("Nieuw wachtwoord")
        form.apply(errors)
        return form
    }

    static func profileForm(_ req: Request, introduction: String, errors: FormErrors = .init()) -> FormView {
        var form = FormView(
            id: "profile", title: "Voorstellen aan medewerkers",
            intro:
                """
                Staat op de publieke pagina van de organisaties waarvoor je vertrouwenspersoon bent. Noem \
                bijvoorbeeld je achtergrond en je LVV-registratie.
                """,
            action: SiteURL.accountProfile.path, submit: "Opslaan", csrf: req.csrfToken)
        form.add("introduction", "Korte introductie", type: "textarea", value: introduction, maxlength: 1000)
        form.apply(errors)
        return form
    }

    static func render(_ req: Request, override: FormView? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let user = try req.requireStaff().user
        var forms = [passwordForm(req)]
        if user.isCounsellor { forms.append(profileForm(req, introduction: user.introduction ?? "")) }
        if let override, let i = forms.firstIndex(where: { $0.id == override.id }) { forms[i] = override }
        return try await req.page(
            .account,
            Page(
                meta: req.meta("Mijn account", section: "account"), name: user.name,
                email: user.email, role: user.roleLabel,
                enrolledAt: user.enrolledAt.map(Enrolment.dutch), forms: forms), status: status)
    }

    /// GET /account
    @Sendable static func show(_ req: Request) async throws -> Response { try await render(req) }

    /// POST /account/password — other sessions of the account end; this one gets a new id.
    @Sendable static func changePassword(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let input = req.form(PasswordForm.self) ?? .init()
        var errors = FormErrors()
        let currentOK: Bool
        guard (staff.user.lockedUntil ?? .distantPast) <= Date() else {
            // Locked by failed attempts: an open session is no way around the lock.
            errors["current"] = "Na te veel mislukte pogingen is je account even op slot. Probeer het later opnieuw."
            return try await render(req, override: passwordForm(req, errors: errors), status: .unprocessableEntity)
        }
        do {
            currentOK = try await req.application.hashing.verifyPassword(
                input.current ?? "", hash: staff.user.passwordHash, source: req.source)
        } catch is Hashing.Busy {
            errors.general = LoginController.busyMessage
            return try await render(req, override: passwordForm(req, errors: errors), status: .serviceUnavailable)
        }
        if !currentOK {
            // Counted as a failed login: an open session is no way to guess the password.
            try await LoginController.countFailure(staff.user, now: Date(), req)
            errors["current"] = "Je huidige wachtwoord klopt niet."
        }
        let new = AccountRules.checkNewPassword(
            input.password, input.password2, email: staff.user.email, name: staff.user.name, errors: &errors)
        if let new, new == input.current { errors["password"] = "Kies een ander wachtwoord dan je huidige." }
        guard errors.isEmpty, let new else {
            return try await render(req, override: passwordForm(req, errors: errors), status: .unprocessableEntity)
        }
        staff.user.passwordHash = try await req.application.hashing.hashPassword(new)
        // Every session of the account ends, this one too: it goes on under a new id, so a
        // session id someone else may have seen is worth nothing after the change.
        let token = Tokens.random()
        let session = StaffSession(tokenHash: Tokens.hash(token), userID: staff.userID, now: Date())
        try await req.store.transaction { db in
            try await staff.user.save(on: db)
            try await StaffSession.query(on: db).filter(\.$user.$id == staff.userID).delete()
            try await session.create(on: db)
            try await req.audit("user.password", subject: "user:\(staff.userID)")
        }
        req.staff = try Staff(user: staff.user, session: session)
        let response = req.redirect(to: .account, flash: .saved)
        response.cookies[StaffAuthMiddleware.sessionCookie] = StaffAuthMiddleware.cookie(token, on: req)
        return response
    }

    /// POST /account/profile
    @Sendable static func updateProfile(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        guard staff.user.isCounsellor else { throw Abort(.forbidden) }
        let input = req.form(ProfileForm.self) ?? .init()
        var errors = FormErrors()
        let text =
            errors.text(input.introduction, "introduction", label: "de introductie", max: 1000, required: false) ?? ""
        guard errors.isEmpty else {
            return try await render(
                req, override: profileForm(req, introduction: input.introduction ?? "", errors: errors),
                status: .unprocessableEntity)
        }
        staff.user.introduction = text
        try await req.store.transaction { db in
            try await staff.user.save(on: db)
            try await req.audit("user.profile", subject: "user:\(staff.userID)")
        }
        return req.redirect(to: .account, flash: .saved)
    }
}

extension FormView {
    /// The two fields of a new password (`password`, `password2`), as every form that sets one
    /// asks for it: `label` is "Wachtwoord" or "Nieuw wachtwoord".
    mutating func addNewPassword(_ label: String, hint: String? = nil) {
        add(
            "password", label, type: "password",
            hint: hint
                ?? """
                Minstens \(PasswordPolicy.minimumLength) tekens. Een zin van een paar woorden is sterk en goed te \
                onthouden.
                """,
            required: true, autocomplete: "new-password")
        add("password2", label + " nog een keer", type: "password", required: true, autocomplete: "new-password")
    }
}
