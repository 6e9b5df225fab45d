import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The one-time set-up of a new practice: the link printed by `serve` on an empty database
/// creates the practice's name and the first admin account, then dies.
enum SetupController {
    struct SetupForm: Content {
        var practice: String?
        var name: String?
        var email: String?
        var password: String?
        var password2: String?
        var counsellor: String?
    }

    struct SetupPage: Encodable, Sendable {
        let meta: PageMeta
        let form: FormView
    }

    /// The authenticator page: the new secret as a QR code, as text and as a link, and one code
    /// from the app asked before the account is finished (`Enrolment.confirm`).
    struct EnrolPage: Encodable, Sendable {
        let meta: PageMeta
        let heading: String
        let name: String
        let email: String
        let password: String?
        let secret: String
        let uri: String
        let next: String
        let qr: String
        let confirm: FormView

        /// `ticket`: the one the page was first drawn with (a wrong code does not extend it).
        init(
            _ req: Request, heading: String, user: User, secret: Data, next: String, ticket: String? = nil,
            errors: FormErrors = .init()
        ) {
            meta = req.meta("Tweede factor instellen")
            self.heading = heading
            name = user.name; email = user.email; password = nil
            self.secret = Tokens.base32(secret)
            uri = SecondFactor.uri(secret: secret, email: user.email)
            self.next = next
            qr =
                (try? QRCode(text: uri, correction: .m).svg(
                    title: "QR-code met de geheime sleutel voor je authenticator-app", size: "52mm")) ?? ""
            var form = FormView(
                id: "confirm", title: "Controleer de app",
                intro:
                    """
                    Typ de zescijferige code die de app nu voor Vertrouwd toont. Zo weet je zeker dat de app de \
                    juiste sleutel heeft, voordat je deze pagina verlaat.
                    """,
                action: SiteURL.enrolConfirm.path, submit: "Code controleren", csrf: req.csrfToken)
            form.add(
                "code", "Code uit de app", required: true, autocomplete: "one-time-code", inputmode: "numeric",
                maxlength: 8)
            form.add("ticket", "", type: "hidden", value: ticket ?? Enrolment.ticket(for: user, app: req.application))
            form.add("next", "", type: "hidden", value: next)
            form.apply(errors)
            confirm = form
        }
    }

    /// Makes a new setup link when no account exists yet; returns the token to print.
    static func prepareLink(app: Application) async throws -> String? {
        guard try await User.query(on: app.db).count() == 0,
            let practice = try await Practice.find(Practice.singletonID, on: app.db)
        else { return nil }
        let token = Tokens.random()
        practice.setupTokenHash = Tokens.hash(token)
        try await practice.save(on: app.db)
        return token
    }

    static func validPractice(_ req: Request) async throws -> Practice {
        guard let token = req.query[String.self, at: "token"], !token.isEmpty,
            let practice = try await Practice.find(Practice.singletonID, on: req.db),
            let expected = practice.setupTokenHash,
            Tokens.constantTimeEqual(expected, Tokens.hash(token)),
            try await User.query(on: req.db).count() == 0
        else {
            throw Abort(.notFound)
        }
        return practice
    }

    static func form(
        _ req: Request, input: SetupForm = .init(counsellor: "on"), errors: FormErrors = .init()
    ) -> FormView {
        let token = req.query[String.self, at: "token"] ?? ""
        var form = FormView(
            id: "setup", title: "Praktijk inrichten",
            intro:
                """
                Dit is de eerste keer dat Vertrouwd start. Geef de naam van de praktijk en maak het eerste \
                beheerdersaccount.
                """,
            action: SiteURL.setup.path + "?token="
                + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""),
            submit: "Praktijk inrichten", csrf: req.csrfToken)
        form.add("practice", "Naam van de praktijk", value: input.practice, required: true, maxlength: 120)
        form.add("name", "Je naam", value: input.name, required: true, autocomplete: "name", maxlength: 120)
        form.add("email", "Je e-mailadres", type: "email", value: input.email, required: true, autocomplete: "username")
        form.addNewPassword("Wachtwoord")
        form.checkbox(
            "counsellor", "Ik ben ook vertrouwenspersoon (ik behandel zelf meldingen)",
            checked: input.counsellor == "on")
        form.apply(errors)
        return form
    }

    /// GET /setup?token=…
    @Sendable static func show(_ req: Request) async throws -> Response {
        _ = try await validPractice(req)
        return try await req.page(.setup, SetupPage(meta: req.meta("Praktijk inrichten"), form: form(req)))
    }

    /// POST /setup?token=…
    @Sendable static func create(_ req: Request) async throws -> Response {
        let practice = try await validPractice(req)
        let input = req.form(SetupForm.self) ?? SetupForm()
        var errors = FormErrors()
        let practiceName = errors.text(input.practice, "practice", label: "de naam van de praktijk", max: 120)
        let name = errors.text(input.name, "name", label: "je naam", max: 120)
        let email = errors.email(input.email, "email")
        let password = AccountRules.checkNewPassword(
            input.password, input.password2, email: email ?? "", name: name ?? "", errors: &errors)
        var kept = input
        kept.password = nil; kept.password2 = nil
        guard errors.isEmpty, let practiceName, let name, let email, let password else {
            return try await req.page(
                .setup, SetupPage(meta: req.meta("Praktijk inrichten"), form: form(req, input: kept, errors: errors)),
                status: .unprocessableEntity)
        }
        let user = User(
            email: email, name: name, isAdmin: true, isCounsellor: input.counsellor == "on",
            passwordHash: try await req.password.async.hash(password))
        let secret = try SecondFactor.enrol(user, masterKey: req.application.masterKey)
        try await req.store.transaction { db in
            practice.name = practiceName
            practice.setupTokenHash = nil
            try await practice.save(on: db)
            try await user.create(on: db)
            try await Audit.record(
                "practice.setup", subject: "user:\((try user.requireID()).uuidString)", actor: "setup",
                store: req.store, db: db)
        }
        return try await req.page(
            .enrol, EnrolPage(req, heading: "Praktijk ingericht", user: user, secret: secret, next: SiteURL.login.path))
    }
}

enum AccountRules {
    /// Checks a new password typed twice; returns it when acceptable.
    static func checkNewPassword(
        _ password: String?, _ again: String?, email: String, name: String, errors: inout FormErrors
    ) -> String? {
        guard let password, !password.isEmpty else {
            errors["password"] = "Kies een wachtwoord."
            return nil
        }
        if let problem = PasswordPolicy.check(password, email: email, name: name) {
            errors["password"] = problem.message
            return nil
        }
        guard password == again else {
            errors["password2"] = "De twee wachtwoorden zijn niet gelijk."
            return nil
        }
        return password
    }
}
