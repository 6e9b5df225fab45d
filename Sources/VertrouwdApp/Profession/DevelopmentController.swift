import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The counsellor's own professional development (*deskundigheidsbevordering*) with progress
/// towards the LVV register's 72 hours in four years. Private to the counsellor.
enum DevelopmentController {
    struct Part: Encodable, Sendable { let label, done, required: String; let percent: Int; let met: Bool }
    struct Entry: Encodable, Sendable { let day, kind, hours, what: String }

    struct Page: Encodable, Sendable {
        let meta: PageMeta
        let from: String
        let total: String
        let totalPercent: Int
        let met: Bool
        let parts: [Part]
        let entries: [Entry]
        let form: FormView
    }

    struct EntryForm: Content { var kind, day, hours, what: String? }

    static func entryForm(_ req: Request, input: EntryForm = .init(), errors: FormErrors = .init()) -> FormView {
        var form = FormView(
            id: "development", title: "Uren vastleggen", action: SiteURL.development.path, submit: "Vastleggen",
            csrf: req.csrfToken)
        form.choice("kind", "Soort", DevelopmentKind.self, selected: [input.kind ?? ""], required: true)
        form.add(
            "what", "Wat", value: input.what,
            hint: "Bijvoorbeeld de naam van de training of de intervisiegroep. Geen gegevens over meldingen.",
            required: true, maxlength: 200)
        form.add("day", "Datum", type: "date", value: input.day ?? Day(Date()).iso, required: true)
        form.add(
            "hours", "Uren", value: input.hours, hint: "In kwartieren, bijvoorbeeld 3 of 1,5.", required: true,
            inputmode: "decimal", maxlength: 8)
        form.apply(errors)
        return form
    }

    /// GET /account/development
    @Sendable static func show(_ req: Request) async throws -> Response {
        try await render(req, form: entryForm(req))
    }

    static func render(_ req: Request, form: FormView, status: HTTPStatus = .ok) async throws -> Response {
        let staff = try req.requireStaff()
        let rows = try await DevelopmentEntry.query(on: req.db).filter(\.$user.$id == staff.userID).sort(
            \.$onDay, .descending
        ).all()
        let today = Day(Date())
        let progress = DevelopmentProgress(entries: rows.map { ($0.kind, $0.onDay, $0.minutes) }, today: today)
        let page = Page(
            meta: req.meta("Deskundigheid", section: "account"), from: progress.from.dutch,
            total: Hours.format(minutes: progress.totalMinutes),
            totalPercent: min(100, progress.totalMinutes * 100 / DevelopmentProgress.requiredTotalMinutes),
            met: progress.met,
            parts: progress.parts.map {
                Part(
                    label: $0.kind.label, done: Hours.format(minutes: $0.doneMinutes),
                    required: Hours.format(minutes: $0.requiredMinutes), percent: $0.percent, met: $0.met)
            },
            entries: rows.map {
                Entry(
                    day: $0.onDay.dutch, kind: $0.kind.label,
                    hours: Hours.format(minutes: $0.minutes), what: $0.description)
            },
            form: form)
        return try await req.page(.development, page, status: status)
    }

    /// POST /account/development
    @Sendable static func add(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let input = req.form(EntryForm.self) ?? EntryForm()
        var errors = FormErrors()
        let kind = errors.choice(input.kind, "kind", DevelopmentKind.self, label: "de soort")
        let day = errors.day(input.day, "day", label: "de datum")
        let what = errors.text(input.what, "what", label: "wat je deed", max: 200)
        // A training day can be long; allow up to 24 hours like other time entries.
        let minutes = errors.hours(input.hours)
        if let day, day > Day(Date()) {
            errors["day"] = "De datum ligt in de toekomst; leg uren vast als ze gemaakt zijn."
        }
        guard errors.isEmpty, let kind, let day, let what, let minutes else {
            return try await render(
                req, form: entryForm(req, input: input, errors: errors), status: .unprocessableEntity)
        }
        let entry = DevelopmentEntry()
        entry.$user.id = staff.userID
        entry.kind = kind; entry.onDay = day; entry.minutes = minutes; entry.description = what
        try await req.store.transaction { db in
            try await entry.create(on: db)
            try await req.audit("development.create", detail: "\(kind.rawValue) \(minutes)")
        }
        return req.redirect(to: .development, flash: .saved)
    }
}
