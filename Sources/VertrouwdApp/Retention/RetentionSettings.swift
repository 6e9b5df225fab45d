import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The admin's retention setting (*bewaartermijn*): months after closing before a case's contents
/// are destroyed, and the grace period after the reporter's last message; and how many working days
/// the public pages promise for an answer to a conversation request. Audited.
enum RetentionSettings {
    struct Input: Content {
        var months: String?; var graceMonths: String?; var responseWorkdays: String?; var confirm: String?
    }

    static func form(_ req: Request, input: Input, errors: FormErrors = .init()) -> FormView {
        var form = FormView(
            id: "retention", title: "Bewaartermijn en reactietijd",
            intro:
                """
                    Na afsluiten blijft een melding zo lang bewaard; daarna vernietigt Vertrouwd de inhoud (alleen \
                    getallen zonder inhoud blijven),
                    """
                + """
                     zodra ze in een vastgesteld jaarverslag is geteld en er geen bewaarplicht op staat. Een kortere \
                    termijn geldt ook voor meldingen die al zijn afgesloten.
                    """,
            action: SiteURL.retentionSettings.path, submit: "Opslaan", csrf: req.csrfToken)
        form.add(
            "months", "Bewaartermijn na afsluiten (maanden)", type: "number", value: input.months,
            hint: "Van 1 tot 240; gebruikelijk is 24.",
            required: true, inputmode: "numeric")
        form.add(
            "graceMonths", "Wachttijd na het laatste bericht van de melder (maanden)", type: "number",
            value: input.graceMonths,
            hint: "Van 0 tot 24. Zolang de melder onlangs schreef, wordt niets vernietigd.", required: true,
            inputmode: "numeric")
        form.add(
            "responseWorkdays", "Reactietijd op een gespreksaanvraag (werkdagen)", type: "number",
            value: input.responseWorkdays,
            hint: "Van 1 tot 10. De publieke pagina zegt: \"meestal binnen … werkdagen\".", required: true,
            inputmode: "numeric")
        if errors["confirm"] != nil { form.checkbox("confirm", "Ja, ik wil deze kortere termijn", checked: false) }
        form.apply(errors)
        return form
    }

    /// GET /admin/retention
    @Sendable static func show(_ req: Request) async throws -> Response {
        let practice = try await Practice.find(Practice.singletonID, on: req.db)
        let policy = practice?.retention ?? .standard
        let input = Input(
            months: String(policy.months), graceMonths: String(policy.graceMonths),
            responseWorkdays: String(practice?.responseWorkdays ?? 2))
        return try await req.page(
            .formPage, FormPage(meta: req.meta("Instellingen", section: "retention"), form: form(req, input: input)))
    }

    /// POST /admin/retention
    @Sendable static func save(_ req: Request) async throws -> Response {
        let input = req.form(Input.self) ?? .init()
        var errors = FormErrors()
        let months = errors.integer(
            input.months, "months", label: "de bewaartermijn", range: RetentionPolicy.allowedMonths)
        let grace = errors.integer(input.graceMonths, "graceMonths", label: "de wachttijd", range: 0...24)
        let workdays = errors.integer(
            input.responseWorkdays, "responseWorkdays", label: "de reactietijd", range: 1...10)
        if errors.isEmpty, let months, let grace, input.confirm != "on" {
            // A shorter period destroys sooner: say how many closed cases it makes due today.
            let today = Day(Date())
            let current = try await Practice.retention(on: req.db)
            let proposed = RetentionPolicy(months: months, graceMonths: grace)
            let sooner = try await RetentionRun.candidates(req.store, today: today).filter {
                RetentionRule.decide($0.facts, policy: proposed, today: today) == .destroy
                    && RetentionRule.decide($0.facts, policy: current, today: today) != .destroy
            }.count
            if sooner > 0 {
                errors["confirm"] =
                    """
                        Met deze termijn vernietigt de volgende dagelijkse ronde \(sooner) afgesloten meldingen die \
                        nu nog bewaard blijven.
                        """
                    + " Vink aan dat je dat wilt; hun vertrouwenspersonen zien het op hun overzicht."
            }
        }
        guard errors.isEmpty, let months, let grace, let workdays else {
            return try await req.page(
                .formPage,
                FormPage(
                    meta: req.meta("Instellingen", section: "retention"), form: form(req, input: input, errors: errors)),
                status: .unprocessableEntity)
        }
        try await req.store.transaction { db in
            guard let practice = try await Practice.find(Practice.singletonID, on: db) else {
                throw Abort(.internalServerError)
            }
            practice.retentionMonths = months
            practice.graceMonths = grace
            practice.responseWorkdays = workdays
            try await practice.save(on: db)
            try await req.audit(
                "practice.retention", detail: "months=\(months) grace=\(grace) response_workdays=\(workdays)")
        }
        return req.redirect(to: .retentionSettings, flash: .saved)
    }
}
