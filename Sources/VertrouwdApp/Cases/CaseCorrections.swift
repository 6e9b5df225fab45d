import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// Correcting an hour entry of a case (its day and hours), or removing it, with a reason: on its
/// own page, like the corrections of an organisation's rows. The case's own counsellor corrects
/// any entry; a substitute only the entries they wrote.
enum CaseCorrections {
    /// The case (access-checked and audited) and the entry named in the URL, when this staff
    /// member may correct it; a 404 otherwise.
    static func load(_ req: Request) async throws -> (OpenCase, TimeEntry) {
        // Opened as a read: the correction itself is audited by the writer, a refused one is not one.
        let c = try await CaseAccess.open(req)
        let staff = try req.requireStaff()
        guard let id = req.parameters.get("entryID", as: UUID.self),
            let entry = try await TimeEntry.query(on: req.db).filter(\.$id == id).filter(\.$caseID == c.id).with(
                \.$user
            ).first(),
            c.isOwner || entry.$user.id == staff.userID
        else { throw Abort(.notFound) }
        return (c, entry)
    }

    static func mayCorrect(_ entry: TimeEntry, in c: OpenCase, staff: Staff) -> Bool {
        c.isOwner || entry.$user.id == staff.userID
    }

    static func action(_ c: OpenCase, _ entry: TimeEntry, remove: Bool = false) -> String {
        SiteURL.caseTime(.value(c.id), entry: .value(entry.id!), remove: remove).path
    }

    /// GET /cases/:caseID/time/:entryID
    @Sendable static func show(_ req: Request) async throws -> Response {
        let (c, entry) = try await load(req)
        return try await render(req, c, entry)
    }

    static func render(
        _ req: Request, _ c: OpenCase, _ entry: TimeEntry, edit: FormView? = nil, remove: FormView? = nil,
        status: HTTPStatus = .ok
    ) async throws -> Response {
        let signed = try await AnnualReportRecord.signedOffYears(of: c.record.$organisation.id, on: req.db)
        let refusal = Corrections.refusal(touching: [entry.onDay], signedOff: signed)
        let page = CorrectionPage(
            meta: req.meta("Uren wijzigen · \(c.record.reference)", section: "cases"),
            heading: "Uren op melding \(c.record.reference) wijzigen of verwijderen",
            backURL: SiteURL.case(.value(c.id)).path(anchor: "hours"), backLabel: "Melding \(c.record.reference)",
            facts: [
                .init(label: "Datum", value: entry.onDay.dutch),
                .init(label: "Uren", value: Hours.format(minutes: entry.minutes)),
                .init(label: "Geschreven door", value: entry.user.name)
            ],
            refusal: refusal,
            edit: refusal == nil ? (edit ?? editForm(req, c, entry)) : nil,
            remove: refusal == nil
                ? (remove
                    ?? CorrectionsController.removeForm(
                        req, noun: "deze uren", action: action(c, entry, remove: true), note: false)) : nil)
        return try await req.page(.correction, page, status: status)
    }

    static func editForm(
        _ req: Request, _ c: OpenCase, _ entry: TimeEntry, input: CaseForms.Time? = nil,
        reason: CorrectionReason = .init(), errors: FormErrors = .init()
    ) -> FormView {
        var form = CaseForms.time(
            req, c, input: input ?? .init(day: entry.onDay.iso, hours: Hours.decimal(minutes: entry.minutes)),
            today: Day(Date()))
        form.action = action(c, entry)
        form.title = "Wijzigen"
        form.submit = "Wijziging opslaan"
        form.addReason(reason, note: false)
        form.apply(errors)
        return form
    }

    /// POST /cases/:caseID/time/:entryID
    @Sendable static func change(_ req: Request) async throws -> Response {
        let (c, entry) = try await load(req)
        let input = req.form(CaseForms.Time.self) ?? .init()
        let reasonInput = req.form(CorrectionReason.self) ?? .init()
        var errors = FormErrors()
        let day = errors.day(input.day, "day", label: "de datum")
        let minutes = errors.hours(input.hours)
        let reason = errors.reason(reasonInput, note: false)
        if let day, let minutes, day == entry.onDay, minutes == entry.minutes {
            errors.general = "Er is niets veranderd: pas eerst de datum of de uren aan."
        }
        let refuse = { (errors: FormErrors) in
            try await render(
                req, c, entry, edit: editForm(req, c, entry, input: input, reason: reasonInput, errors: errors),
                status: .unprocessableEntity)
        }
        guard errors.isEmpty, let day, let minutes, let reason else { return try await refuse(errors) }
        return try await write(req, c, refuse) {
            let fields = [("day", day != entry.onDay), ("minutes", minutes != entry.minutes)].filter(\.1).map(\.0)
            try await req.cases.correctTime(
                c, entryID: try entry.requireID(), to: (day, minutes), changed: fields, reason: reason,
                today: Day(Date()))
        }
    }

    /// POST /cases/:caseID/time/:entryID/remove
    @Sendable static func remove(_ req: Request) async throws -> Response {
        let (c, entry) = try await load(req)
        let input = req.form(CorrectionReason.self) ?? .init()
        var errors = FormErrors()
        let reason = errors.reason(input, note: false)
        let refuse = { (errors: FormErrors) in
            try await render(
                req, c, entry,
                remove: CorrectionsController.removeForm(
                    req, noun: "deze uren", action: action(c, entry, remove: true), reason: input, note: false,
                    errors: errors),
                status: .unprocessableEntity)
        }
        guard let reason else { return try await refuse(errors) }
        return try await write(req, c, refuse, flash: .removed) {
            try await req.cases.correctTime(
                c, entryID: try entry.requireID(), to: nil, reason: reason, today: Day(Date()))
        }
    }

    /// Runs the writer; a rule that refuses shows the correction page again with its message.
    static func write(
        _ req: Request, _ c: OpenCase, _ refuse: (FormErrors) async throws -> Response, flash: Flash = .corrected,
        _ body: () async throws -> Void
    ) async throws -> Response {
        var errors = FormErrors()
        do {
            try await body()
            return req.redirect(to: .case(.value(c.id)), anchor: "hours", flash: flash)
        } catch let refusal as FieldRefusal {
            errors.general = refusal.message
        } catch let refusal as CaseLifecycle.Refusal {
            errors["day"] = refusal.message
        }
        return try await refuse(errors)
    }
}
