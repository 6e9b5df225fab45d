import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// What can be corrected on an organisation's page (*correcties*), each row on its own page:
/// change it or remove it, with a reason that the audit log keeps. What a signed-off annual
/// report counts (`Corrections`) is refused with the reason; contacts and phases never are.
enum CorrectionKind: String, Sendable, CaseIterable {
    case activity, contact, phase, contractYear = "contract-year"

    /// What it is, for headings and the audit log: "de activiteit".
    var noun: String {
        switch self {
        case .activity: "de activiteit"
        case .contact: "de contactpersoon"
        case .phase: "de fase"
        case .contractYear: "het contractjaar"
        }
    }
}

/// The page of one correction: what the row is now, the form to change it, the form to remove it.
struct CorrectionPage: Encodable, Sendable {
    struct Fact: Encodable, Sendable { let label, value: String }

    let meta: PageMeta
    let heading: String
    let backURL: String
    let backLabel: String
    let facts: [Fact]
    /// Why neither form is offered (a signed-off report, a sent advice).
    let refusal: String?
    let edit: FormView?
    let remove: FormView?
}

extension FormView {
    /// The reason a correction needs, last in its form: chosen from a fixed list (the audit log
    /// never holds a case's words); for a row of an organisation also a short explanation.
    mutating func addReason(_ input: CorrectionReason, note: Bool) {
        choice(
            "reason", "Reden", Corrections.Reason.self, selected: [input.reason ?? ""],
            hint: "Komt in de auditlog, met wie en wanneer.", required: true, blank: "Kies een reden")
        if note {
            add(
                "note", "Toelichting", value: input.note,
                hint: "Mag leeg. Komt in de auditlog, die de beheerder leest.", maxlength: Corrections.noteLimit)
        }
    }
}

/// The reason fields of a correction's forms, decoded beside the row's own form.
struct CorrectionReason: Content { var reason, note: String? }

extension FormErrors {
    /// The reason of a correction as the audit log keeps it: `reason:typo` and, for an
    /// organisation's row, the explanation typed.
    mutating func reason(_ input: CorrectionReason, note: Bool) -> String? {
        let reason = choice(input.reason, "reason", Corrections.Reason.self, label: "een reden")
        let text =
            note ? text(input.note, "note", label: "de toelichting", max: Corrections.noteLimit, required: false) : nil
        guard let reason else { return nil }
        return "reason:\(reason.rawValue)" + (text.map { " · \($0)" } ?? "")
    }
}

enum CorrectionsController {
    /// A row to correct, loaded from the URL: it belongs to the organisation, and the staff member
    /// may correct it (contacts, phases and contract years: an admin; an activity: who recorded
    /// it, or an admin). Anyone else gets a 404.
    enum Row {
        case activity(TimeEntry), contact(OrganisationContact), phase(EngagementPhaseRecord), contractYear(ContractYear)

        var kind: CorrectionKind {
            switch self {
            case .activity: .activity
            case .contact: .contact
            case .phase: .phase
            case .contractYear: .contractYear
            }
        }

        var id: UUID {
            switch self {
            case .activity(let r): r.id!
            case .contact(let r): r.id!
            case .phase(let r): r.id!
            case .contractYear(let r): r.id!
            }
        }
    }

    static func load(_ req: Request) async throws -> (Organisation, Row) {
        let org = try await Organisation.named(in: req)
        let staff = try req.requireStaff()
        guard let kind = req.parameters.get("correctable").flatMap(CorrectionKind.init(rawValue:)),
            let id = req.parameters.get("rowID", as: UUID.self)
        else { throw Abort(.notFound) }
        let row: Row?
        switch kind {
        case .activity:
            row = try await TimeEntry.query(on: req.db).filter(\.$id == id).filter(
                \.$organisation.$id == (try org.requireID())
            )
            .filter(\.$caseID == nil).first()
            .flatMap { staff.user.isAdmin || $0.$user.id == staff.userID ? Row.activity($0) : nil }
        case .contact:
            row = try await OrganisationContact.query(on: req.db).filter(\.$id == id).filter(
                \.$organisation.$id == (try org.requireID())
            ).first()
                .flatMap { staff.user.isAdmin ? Row.contact($0) : nil }
        case .phase:
            row = try await EngagementPhaseRecord.query(on: req.db).filter(\.$id == id).filter(
                \.$organisation.$id == (try org.requireID())
            ).first()
                .flatMap { staff.user.isAdmin ? Row.phase($0) : nil }
        case .contractYear:
            row = try await ContractYear.query(on: req.db).filter(\.$id == id).filter(
                \.$organisation.$id == (try org.requireID())
            )
            .first()
            .flatMap { staff.user.isAdmin ? Row.contractYear($0) : nil }
        }
        guard let row else { throw Abort(.notFound) }
        return (org, row)
    }

    /// Whether this staff member may correct the row (used for the links on the organisation page).
    static func mayCorrect(_ kind: CorrectionKind, recordedBy author: UUID? = nil, staff: Staff) -> Bool {
        staff.user.isAdmin || (kind == .activity && author == staff.userID)
    }

    /// Why the row, as it is and as `changed` would make it, may not be corrected; nil when it may.
    static func refusal(
        _ row: Row, becoming changed: Row? = nil, orgID: UUID, on db: any Database
    ) async throws -> String? {
        let signed = try await AnnualReportRecord.signedOffYears(of: orgID, on: db)
        switch (row, changed) {
        case (.activity(let entry), _):
            let next: Day? = if case .activity(let new)? = changed { new.onDay } else { nil }
            return Corrections.refusal(touching: [entry.onDay] + (next.map { [$0] } ?? []), signedOff: signed)
        case (.contractYear(let year), .contractYear(let new)?)
        where new.startsOn == year.startsOn && new.endsOn == year.endsOn && new.budgetMinutes == year.budgetMinutes
            && new.focusPoints == year.focusPoints:
            // The rate is not in the annual report: it may still be agreed after the sign-off.
            return nil
        case (.contractYear(let year), _):
            let next: (start: Day, end: Day)? =
                if case .contractYear(let new)? = changed { (new.startsOn, new.endsOn) } else { nil }
            return Corrections.refusal(
                period: [(year.startsOn, year.endsOn)] + (next.map { [$0] } ?? []), signedOff: signed)
        case (.contact, _), (.phase, _):
            return nil
        }
    }

    // MARK: the page

    /// GET /organisations/:orgID/correct/:kind/:rowID
    @Sendable static func show(_ req: Request) async throws -> Response {
        let (org, row) = try await load(req)
        return try await render(req, org: org, row: row)
    }

    static func render(
        _ req: Request, org: Organisation, row: Row, edit: FormView? = nil, remove: FormView? = nil,
        status: HTTPStatus = .ok
    ) async throws -> Response {
        let refusal = try await refusal(row, orgID: try org.requireID(), on: req.db)
        let orgID = try org.requireID()
        let action = { (remove: Bool) in
            SiteURL.correction(.value(orgID), kind: .value(row.kind.rawValue), row: .value(row.id), remove: remove).path
        }
        let page = CorrectionPage(
            meta: req.meta(
                "\(row.kind.noun.prefix(1).uppercased() + row.kind.noun.dropFirst()) wijzigen", section: "organisations"
            ),
            heading: "\(row.kind.noun.prefix(1).uppercased() + row.kind.noun.dropFirst()) wijzigen of verwijderen",
            backURL: SiteURL.organisation(.value(try org.requireID())).path, backLabel: org.name,
            facts: facts(row), refusal: refusal,
            edit: refusal == nil || row.kind == .contractYear
                ? (edit ?? editForm(req, row, action: action(false), rateOnly: refusal != nil)) : nil,
            remove: refusal == nil ? (remove ?? removeForm(req, noun: row.kind.noun, action: action(true))) : nil)
        return try await req.page(.correction, page, status: status)
    }

    static func facts(_ row: Row) -> [CorrectionPage.Fact] {
        switch row {
        case .activity(let e):
            [
                .init(label: "Soort", value: e.activityKind?.label ?? "Ander werk"),
                .init(label: "Onderwerp", value: e.description),
                .init(label: "Datum", value: e.onDay.dutch),
                .init(label: "Uren", value: Hours.format(minutes: e.minutes))
            ]
                + (e.participants.map { [.init(label: "Deelnemers", value: String($0))] } ?? [])
        case .contact(let c):
            [
                .init(label: "Rol", value: c.role.label), .init(label: "Naam", value: c.name),
                .init(label: "E-mailadres", value: c.email), .init(label: "Telefoon", value: c.phone)
            ].filter { !$0.value.isEmpty }
        case .phase(let p):
            [.init(label: "Fase", value: p.phase.label), .init(label: "Datum", value: p.onDay.dutch)]
                + (p.note.isEmpty ? [] : [.init(label: "Toelichting", value: p.note)])
        case .contractYear(let y):
            [
                .init(label: "Periode", value: "\(y.startsOn.dutch) – \(y.endsOn.dutch)"),
                .init(label: "Tegoed", value: Hours.format(minutes: y.budgetMinutes))
            ] + (y.hourlyRateCents.map { [.init(label: "Uurtarief", value: "€ " + Money.decimal(cents: $0))] } ?? [])
        }
    }

    /// The row's own add form, filled with what it holds, as a change with a reason.
    /// `rateOnly`: a contract year in a signed-off annual report, of which only the hourly rate
    /// may change (the rest is sent along unchanged, hidden).
    static func editForm(
        _ req: Request, _ row: Row, action: String, input: (any Sendable)? = nil, reason: CorrectionReason = .init(),
        errors: FormErrors = .init(), rateOnly: Bool = false
    ) -> FormView {
        var form: FormView
        switch row {
        case .activity(let e):
            form = OrganisationsController.timeForm(
                req, action: action,
                input: input as? OrganisationsController.TimeForm
                    ?? .init(
                        kind: e.activityKind?.rawValue, day: e.onDay.iso, hours: Hours.decimal(minutes: e.minutes),
                        what: e.description,
                        participants: e.participants.map(String.init)))
        case .contact(let c):
            form = OrganisationsController.contactForm(
                req, action: action,
                input: input as? OrganisationsController.ContactForm
                    ?? .init(
                        role: c.role.rawValue, name: c.name, email: c.email, phone: c.phone))
        case .phase(let p):
            form = OrganisationsController.phaseForm(
                req, action: action,
                input: input as? OrganisationsController.PhaseForm
                    ?? .init(
                        phase: p.phase.rawValue, day: p.onDay.iso, note: p.note))
        case .contractYear(let y):
            form = OrganisationsController.yearForm(
                req, action: action,
                input: input as? OrganisationsController.YearForm
                    ?? .init(
                        start: y.startsOn.iso, end: y.endsOn.iso, hours: Hours.decimal(minutes: y.budgetMinutes),
                        rate: y.hourlyRateCents.map(Money.decimal(cents:)), focus: y.focusPoints))
            if rateOnly {
                let shown = form.fields.first { $0.name == "rate" }
                var frozen = FormView(id: form.id, title: "", action: action, submit: "", csrf: req.csrfToken)
                for field in form.fields where field.name != "rate" {
                    frozen.add(field.name, "", type: "hidden", value: field.value)
                }
                frozen.add(
                    "rate", "Uurtarief in euro", value: shown?.value,
                    hint: "Alleen het tarief kan nog wijzigen: het staat niet in het vastgestelde jaarverslag.",
                    inputmode: "decimal", maxlength: 12)
                form = frozen
            } else if let i = form.fields.firstIndex(where: { $0.name == "hours" }) {
                form.fields[i].hint =
                    """
                    Extra uren afgesproken? Verhoog het tegoed hier. In hele uren of kwartieren, bijvoorbeeld \
                    40 of 12,5.
                    """
            }
        }
        form.title = rateOnly ? "Uurtarief wijzigen" : "Wijzigen"
        form.intro = nil
        form.submit = "Wijziging opslaan"
        form.problems = []
        form.addReason(reason, note: true)
        form.apply(errors)
        return form
    }

    static func removeForm(
        _ req: Request, noun: String, action: String, reason: CorrectionReason = .init(), note: Bool = true,
        errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "remove", title: "Verwijderen", action: action, submit: "Verwijderen", csrf: req.csrfToken)
        form.confirm = "\(noun.prefix(1).uppercased() + noun.dropFirst()) verwijderen? De reden komt in de auditlog."
        form.secondary = true
        form.collapsible = true
        form.addReason(reason, note: note)
        form.apply(errors)
        return form
    }

    // MARK: changing and removing

    /// POST /organisations/:orgID/correct/:kind/:rowID — the change, with its reason.
    @Sendable static func change(_ req: Request) async throws -> Response {
        let (org, row) = try await load(req)
        let action = SiteURL.correction(
            .value(try org.requireID()), kind: .value(row.kind.rawValue), row: .value(row.id)
        ).path
        let reasonInput = req.form(CorrectionReason.self) ?? .init()
        var errors = FormErrors()
        let reason = errors.reason(reasonInput, note: true)
        // Read into a copy: the row itself stays as stored until the change is saved.
        let input: any Sendable
        let changed: Row
        let valid: Bool
        switch row {
        case .activity(let e):
            let form = req.form(OrganisationsController.TimeForm.self) ?? .init()
            let copy = TimeEntry(
                organisationID: e.$organisation.id, userID: e.$user.id, on: e.onDay, minutes: e.minutes,
                description: e.description)
            copy.id = e.id
            valid = OrganisationsController.read(form, into: copy, errors: &errors)
            input = form; changed = .activity(copy)
        case .contact(let c):
            let form = req.form(OrganisationsController.ContactForm.self) ?? .init()
            let copy = OrganisationContact()
            copy.id = c.id; copy.$organisation.id = c.$organisation.id
            valid = OrganisationsController.read(form, into: copy, errors: &errors)
            input = form; changed = .contact(copy)
        case .phase(let p):
            let form = req.form(OrganisationsController.PhaseForm.self) ?? .init()
            let copy = EngagementPhaseRecord()
            copy.id = p.id; copy.$organisation.id = p.$organisation.id
            valid = OrganisationsController.read(form, into: copy, errors: &errors)
            input = form; changed = .phase(copy)
        case .contractYear(let y):
            let form = req.form(OrganisationsController.YearForm.self) ?? .init()
            let copy = ContractYear()
            copy.id = y.id; copy.$organisation.id = y.$organisation.id
            valid = try await OrganisationsController.read(form, into: copy, errors: &errors, on: req.db)
            input = form; changed = .contractYear(copy)
        }
        if valid, let refused = try await refusal(row, becoming: changed, orgID: try org.requireID(), on: req.db) {
            errors.general = refused
        }
        // A contract year in a signed-off report offers only its rate (`editForm(rateOnly:)`).
        let refusedAsItIs = try await refusal(row, orgID: try org.requireID(), on: req.db)
        let frozen = row.kind == .contractYear && refusedAsItIs != nil
        guard valid, errors.isEmpty, let reason else {
            return try await render(
                req, org: org, row: row,
                edit: editForm(
                    req, row, action: action, input: input, reason: reasonInput, errors: errors,
                    rateOnly: frozen),
                status: .unprocessableEntity)
        }
        let what = differences(row, changed)
        guard !what.isEmpty else {
            errors.general = "Er is niets veranderd: pas eerst iets aan."
            return try await render(
                req, org: org, row: row,
                edit: editForm(
                    req, row, action: action, input: input, reason: reasonInput, errors: errors,
                    rateOnly: frozen),
                status: .unprocessableEntity)
        }
        try await req.store.transaction { db in
            // Checked again inside the write: a report signed off meanwhile wins.
            if let refused = try await refusal(row, becoming: changed, orgID: try org.requireID(), on: db) {
                throw ExplainedAbort(status: .conflict, title: "Niet gewijzigd", reason: refused)
            }
            try await apply(changed, to: row, on: db)
            try await req.audit(
                "correction.change", subject: "organisation:\(try org.requireID())",
                detail: "\(row.kind.rawValue):\(row.id) \(what.joined(separator: ",")) · \(reason)")
        }
        return req.redirect(to: .organisation(.value(try org.requireID())), flash: .corrected)
    }

    /// POST /organisations/:orgID/correct/:kind/:rowID/remove — removes the row, with its reason.
    @Sendable static func remove(_ req: Request) async throws -> Response {
        let (org, row) = try await load(req)
        let input = req.form(CorrectionReason.self) ?? .init()
        var errors = FormErrors()
        let reason = errors.reason(input, note: true)
        if let refused = try await refusal(row, orgID: try org.requireID(), on: req.db) { errors.general = refused }
        if case .contractYear(let year) = row, errors.isEmpty, let holds = try await yearHolds(year, on: req.db) {
            errors.general = holds
        }
        guard errors.isEmpty, let reason else {
            let action = SiteURL.correction(
                .value(try org.requireID()), kind: .value(row.kind.rawValue), row: .value(row.id), remove: true
            ).path
            return try await render(
                req, org: org, row: row,
                remove: removeForm(req, noun: row.kind.noun, action: action, reason: input, errors: errors),
                status: .unprocessableEntity)
        }
        try await req.store.transaction { db in
            if let refused = try await refusal(row, orgID: try org.requireID(), on: db) {
                throw ExplainedAbort(status: .conflict, title: "Niet verwijderd", reason: refused)
            }
            if case .contractYear(let year) = row, let holds = try await yearHolds(year, on: db) {
                throw ExplainedAbort(status: .conflict, title: "Niet verwijderd", reason: holds)
            }
            switch row {
            case .activity(let r): try await r.delete(on: db)
            case .contact(let r): try await r.delete(on: db)
            case .phase(let r): try await r.delete(on: db)
            case .contractYear(let r): try await r.delete(on: db)
            }
            try await req.audit(
                "correction.remove", subject: "organisation:\(try org.requireID())",
                detail: "\(row.kind.rawValue):\(row.id) · \(reason)")
        }
        return req.redirect(to: .organisation(.value(try org.requireID())), flash: .removed)
    }

    /// Why a contract year may not be removed though no signed-off report holds it: hours were
    /// written in it, or its annual report has been started (removing the year would take it along).
    static func yearHolds(_ year: ContractYear, on db: any Database) async throws -> String? {
        if try await TimeEntry.query(on: db).filter(\.$organisation.$id == year.$organisation.id)
            .filter(\.$onDay >= year.startsOn).filter(\.$onDay <= year.endsOn).count() > 0
        {
            return "In dit contractjaar zijn uren geschreven. Verwijder het niet: pas de periode of het tegoed aan."
        }
        if try await AnnualReportRecord.query(on: db).filter(\.$contractYear.$id == (try year.requireID())).count() > 0
        {
            return
                """
                Voor dit contractjaar is al een jaarverslag begonnen. Verwijder het niet: pas de periode of het \
                tegoed aan.
                """
        }
        return nil
    }

    /// Which fields a change alters, by name, for the audit log (the values stay out of it).
    static func differences(_ row: Row, _ changed: Row) -> [String] {
        var names: [String] = []
        func check<T: Equatable>(_ name: String, _ a: T, _ b: T) { if a != b { names.append(name) } }
        switch (row, changed) {
        case (.activity(let a), .activity(let b)):
            check("kind", a.activityKind, b.activityKind); check("day", a.onDay, b.onDay);
            check("minutes", a.minutes, b.minutes)
            check("what", a.description, b.description); check("participants", a.participants, b.participants)
        case (.contact(let a), .contact(let b)):
            check("role", a.role, b.role); check("name", a.name, b.name); check("email", a.email, b.email);
            check("phone", a.phone, b.phone)
        case (.phase(let a), .phase(let b)):
            check("phase", a.phase, b.phase); check("day", a.onDay, b.onDay); check("note", a.note, b.note)
        case (.contractYear(let a), .contractYear(let b)):
            check("start", a.startsOn, b.startsOn); check("end", a.endsOn, b.endsOn);
            check("focus", a.focusPoints, b.focusPoints)
            if a.budgetMinutes != b.budgetMinutes { names.append("budget:\(a.budgetMinutes)->\(b.budgetMinutes)") }
            if a.hourlyRateCents != b.hourlyRateCents {
                let rate = { (cents: Int?) in cents.map(String.init) ?? "none" }
                names.append("rate:\(rate(a.hourlyRateCents))->\(rate(b.hourlyRateCents))")
            }
        default: break
        }
        return names
    }

    /// Writes the changed copy's fields onto the stored row.
    static func apply(_ changed: Row, to row: Row, on db: any Database) async throws {
        switch (row, changed) {
        case (.activity(let a), .activity(let b)):
            a.activityKind = b.activityKind; a.onDay = b.onDay; a.minutes = b.minutes; a.description = b.description
            a.participants = b.participants
            try await a.save(on: db)
        case (.contact(let a), .contact(let b)):
            a.role = b.role; a.name = b.name; a.email = b.email; a.phone = b.phone
            try await a.save(on: db)
        case (.phase(let a), .phase(let b)):
            a.phase = b.phase; a.onDay = b.onDay; a.note = b.note
            try await a.save(on: db)
        case (.contractYear(let a), .contractYear(let b)):
            a.startsOn = b.startsOn; a.endsOn = b.endsOn; a.budgetMinutes = b.budgetMinutes;
            a.focusPoints = b.focusPoints; a.hourlyRateCents = b.hourlyRateCents
            try await a.save(on: db)
        default: throw Abort(.internalServerError)
        }
    }
}
