import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The case page's form handlers: parse → `CaseWriter` → render. Each opens the case
/// (access-checked and audited), reads its form, and either shows the page again with the form
/// as typed and its errors — nothing saved — or has the writer save it and returns to the page.
enum CaseActions {
    /// Opens the case named in the URL for a change.
    static func open(_ req: Request) async throws -> (OpenCase, Day) {
        (try await CaseAccess.open(req, audit: "case.update"), Day(Date()))
    }

    /// Shows the case page again with `form` as typed and its errors, nothing saved.
    static func refuse(_ req: Request, _ c: OpenCase, _ form: FormView) async throws -> Response {
        try await CasePage.render(req, c, override: form, status: .unprocessableEntity)
    }

    /// Runs a write; a rule of the case (`CaseLifecycle`, consent) that refuses it shows the form
    /// again with the message beside its field (`dateField` for the form's own date).
    static func save(
        _ req: Request, _ c: OpenCase, anchor: String, flash: Flash = .saved, dateField: String = "day",
        form: (FormErrors) throws -> FormView, _ write: () async throws -> Void
    ) async throws -> Response {
        var errors = FormErrors()
        do {
            try await write()
            return req.redirect(to: .case(.value(c.id)), anchor: anchor, flash: flash)
        } catch let refusal as CaseLifecycle.Refusal {
            switch refusal.field {
            case nil: errors.general = refusal.message
            case .day?: errors[dateField] = refusal.message
            case let field?: errors[field.rawValue] = refusal.message
            }
        } catch let problem as ConsentError {
            errors[CaseForms.field(for: problem)] = problem.message
        } catch let refusal as FieldRefusal {
            if refusal.field.isEmpty {
                errors.general = refusal.message
            } else {
                errors[refusal.field] = refusal.message
            }
        }
        return try await refuse(req, c, try form(errors))
    }

    /// POST /cases/:caseID/details
    @Sendable static func details(_ req: Request) async throws -> Response {
        let (c, today) = try await open(req)
        let input = req.form(CaseForms.Details.self) ?? .init()
        let consentInput = req.form(CaseForms.Consent.self) ?? .init()
        try await c.record.$categories.load(on: req.db)
        let form = { (errors: FormErrors) in
            try CaseForms.details(req, c, input: input, consent: consentInput, errors: errors)
        }
        var errors = FormErrors()
        let choosesKind = c.record.status == .new || c.record.kind == .unclassified
        var kind = c.record.kind
        if choosesKind {
            if let chosen = CaseKind(rawValue: input.kind ?? ""), chosen != .unclassified {
                kind = chosen
            } else {
                errors["kind"] = "Kies de soort."
            }
        }
        try await c.record.$organisation.load(on: req.db)
        let details = CaseForms.facts(input, kind: kind, organisation: c.record.organisation, errors: &errors)
        let becomesReport = c.record.regime == .confidential && details?.regime == .whistleblower
        CaseForms.refuseWhistleblowerRegime(
            details?.regime, becoming: becomesReport, at: c.record.organisation, errors: &errors)
        let consent = becomesReport ? CaseForms.consent(consentInput, errors: &errors) : nil
        guard errors.isEmpty, let details else { return try await refuse(req, c, form(errors)) }
        return try await save(req, c, anchor: "details", form: form) {
            try await req.cases.updateDetails(c, details, regimeConsent: consent, today: today)
        }
    }

    /// POST /cases/:caseID/steps — tick a step off on a day, or undo it.
    @Sendable static func step(_ req: Request) async throws -> Response {
        struct Input: Content { var step, day, undo: String? }
        let (c, today) = try await open(req)
        let input = req.form(Input.self) ?? .init()
        guard let code = input.step, let step = Workflow.step(code: code, for: c.record.kind) else {
            throw Abort(.badRequest)
        }
        let form = { (errors: FormErrors) in
            CaseForms.step(req, c, step, done: input.undo == "1", day: input.day, errors: errors)
        }
        if input.undo == "1" {
            return try await save(req, c, anchor: "steps", form: form) { try await req.cases.untick(c, step: step) }
        }
        var errors = FormErrors()
        guard let day = errors.day(input.day, "day", label: "de datum") else {
            return try await refuse(req, c, form(errors))
        }
        return try await save(req, c, anchor: "steps", form: form) {
            try await req.cases.tick(c, step: step, on: day, today: today)
        }
    }

    /// POST /cases/:caseID/escalations — a step on the ladder; level 2 and up needs consent.
    @Sendable static func escalate(_ req: Request) async throws -> Response {
        let (c, today) = try await open(req)
        let input = req.form(CaseForms.Escalation.self) ?? .init()
        let consentInput = req.form(CaseForms.Consent.self) ?? .init()
        let form = { (errors: FormErrors) in
            CaseForms.escalation(req, c, input: input, consent: consentInput, errors: errors, today: today)
        }
        var errors = FormErrors()
        let level = Int(input.level ?? "").flatMap(LadderLevel.init(rawValue:))
        if level == nil { errors["level"] = "Kies een niveau van de ladder." }
        let day = errors.day(input.day, "day", label: "de datum")
        let note = errors.text(input.note, "note", label: "de toelichting", max: 4000, required: false) ?? ""
        let consent = CaseForms.consent(consentInput, errors: &errors)
        guard errors.isEmpty, let level, let day else { return try await refuse(req, c, form(errors)) }
        return try await save(req, c, anchor: "ladder", form: form) {
            try await req.cases.escalate(c, to: level, on: day, note: note, consent: consent, today: today)
        }
    }

    /// POST /cases/:caseID/referrals — passing on personal data needs consent.
    @Sendable static func refer(_ req: Request) async throws -> Response {
        let (c, today) = try await open(req)
        let input = req.form(CaseForms.Referral.self) ?? .init()
        let consentInput = req.form(CaseForms.Consent.self) ?? .init()
        let form = { (errors: FormErrors) in
            CaseForms.referral(req, c, input: input, consent: consentInput, errors: errors, today: today)
        }
        var errors = FormErrors()
        let target = errors.choice(input.target, "target", ReferralTarget.self, label: "naar wie je doorverwijst")
        let day = errors.day(input.day, "day", label: "de datum")
        let note = errors.text(input.note, "note", label: "de toelichting", max: 4000, required: false) ?? ""
        let consent = CaseForms.consent(consentInput, errors: &errors)
        guard errors.isEmpty, let target, let day else { return try await refuse(req, c, form(errors)) }
        return try await save(req, c, anchor: "referrals", form: form) {
            try await req.cases.refer(
                c, to: target, on: day, passesPersonalData: input.passesPersonalData == "on", note: note,
                consent: consent, today: today)
        }
    }

    /// POST /cases/:caseID/report-on-behalf — always a step towards a third party.
    @Sendable static func reportOnBehalf(_ req: Request) async throws -> Response {
        let (c, today) = try await open(req)
        guard c.record.kind == .businessIntegrity else { throw Abort(.notFound) }
        let input = req.form(CaseForms.Report.self) ?? .init()
        let consentInput = req.form(CaseForms.Consent.self) ?? .init()
        let form = { (errors: FormErrors) in
            CaseForms.report(req, c, input: input, consent: consentInput, errors: errors, today: today)
        }
        var errors = FormErrors()
        let day = errors.day(input.day, "day", label: "de datum")
        if input.selfReportConsidered != "on" {
            errors["selfReportConsidered"] =
                """
                    Bespreek eerst met de melder of die zelf kan melden bij het management. Meld alleen namens de \
                    melder als dat niet mogelijk is.
                    """
        }
        let note = errors.text(input.note, "note", label: "de toelichting", max: 4000, required: false) ?? ""
        let consent = CaseForms.consent(consentInput, errors: &errors)
        guard errors.isEmpty, let day else { return try await refuse(req, c, form(errors)) }
        return try await save(req, c, anchor: "report", form: form) {
            try await req.cases.reportOnBehalf(
                c, on: day, anonymous: input.anonymous == "on", note: note, consent: consent, today: today)
        }
    }

    /// POST /cases/:caseID/wbk — acknowledgement and feedback dates.
    @Sendable static func wbk(_ req: Request) async throws -> Response {
        let (c, today) = try await open(req)
        guard c.record.regime == .whistleblower else { throw Abort(.notFound) }
        let input = req.form(CaseForms.WBK.self) ?? .init()
        let form = { (errors: FormErrors) in CaseForms.wbk(req, c, input: input, errors: errors) }
        var errors = FormErrors()
        let ack = errors.day(
            input.acknowledgedOn, "acknowledgedOn", label: "de datum van de ontvangstbevestiging", required: false)
        let feedback = errors.day(
            input.feedbackOn, "feedbackOn", label: "de datum van de terugkoppeling", required: false)
        guard errors.isEmpty else { return try await refuse(req, c, form(errors)) }
        return try await save(req, c, anchor: "wbk", form: form) {
            try await req.cases.recordWhistleblowerDates(c, acknowledgedOn: ack, feedbackOn: feedback, today: today)
        }
    }

    /// POST /cases/:caseID/appointments
    @Sendable static func appointment(_ req: Request) async throws -> Response {
        let (c, _) = try await open(req)
        let input = req.form(CaseForms.Appointment.self) ?? .init()
        let form = { (errors: FormErrors) in CaseForms.appointment(req, c, input: input, errors: errors) }
        var errors = FormErrors()
        let startsAt = CaseForms.parseLocalDateTime(input.startsAt)
        if startsAt == nil { errors["startsAt"] = "Vul een geldige datum en tijd in, bijvoorbeeld 2026-11-23 14:30." }
        let duration = errors.integer(input.duration, "duration", label: "de duur", range: 5...600)
        let mode = errors.choice(input.mode, "mode", AppointmentMode.self, label: "de vorm")
        let place = errors.text(input.place, "place", label: "de plaats", max: 300, required: false) ?? ""
        guard errors.isEmpty, let startsAt, let duration, let mode else {
            return try await refuse(req, c, form(errors))
        }
        return try await save(req, c, anchor: "appointments", form: form) {
            try await req.cases.addAppointment(c, startsAt: startsAt, minutes: duration, mode: mode, place: place)
        }
    }

    /// POST /cases/:caseID/time — quarter hours on this case, counted against the contract year.
    @Sendable static func time(_ req: Request) async throws -> Response {
        let (c, today) = try await open(req)
        let input = req.form(CaseForms.Time.self) ?? .init()
        let form = { (errors: FormErrors) in CaseForms.time(req, c, input: input, errors: errors, today: today) }
        var errors = FormErrors()
        let day = errors.day(input.day, "day", label: "de datum")
        let minutes = errors.hours(input.hours)
        if let day, let minutes, day <= today, input.overBudget != "on",
            let ask = try await ContractYear.crossing(
                of: c.record.$organisation.id, on: day, adding: minutes, db: req.db)
        {
            errors["overBudget"] = ask
        }
        guard errors.isEmpty, let day, let minutes else { return try await refuse(req, c, form(errors)) }
        return try await save(req, c, anchor: "hours", form: form) {
            try await req.cases.logTime(c, on: day, minutes: minutes, today: today)
        }
    }

    /// POST /cases/:caseID/notes
    @Sendable static func note(_ req: Request) async throws -> Response {
        let (c, _) = try await open(req)
        let input = req.form(CaseForms.Note.self) ?? .init()
        let form = { (errors: FormErrors) in CaseForms.note(req, c, input: input, errors: errors) }
        var errors = FormErrors()
        guard let body = errors.text(input.body, "body", label: "de notitie", max: Case.storyLimit) else {
            return try await refuse(req, c, form(errors))
        }
        return try await save(req, c, anchor: "notes", form: form) { try await req.cases.addNote(c, body) }
    }

    /// POST /cases/:caseID/peer-summary
    @Sendable static func peerSummary(_ req: Request) async throws -> Response {
        let (c, _) = try await open(req)
        let input = req.form(CaseForms.Peer.self) ?? .init()
        let form = { (errors: FormErrors) in try CaseForms.peer(req, c, input: input, errors: errors) }
        var errors = FormErrors()
        let text =
            errors.text(input.peerSummary, "peerSummary", label: "de samenvatting", max: 4000, required: false) ?? ""
        guard errors.isEmpty else { return try await refuse(req, c, form(errors)) }
        return try await save(req, c, anchor: "peer", form: form) { try await req.cases.setPeerSummary(c, text) }
    }

    /// POST /cases/:caseID/aftercare — plan aftercare (*nazorg*); the case moves to aftercare.
    @Sendable static func aftercare(_ req: Request) async throws -> Response {
        let (c, _) = try await open(req)
        let input = req.form(CaseForms.Aftercare.self) ?? .init()
        let form = { (errors: FormErrors) in CaseForms.aftercare(req, c, input: input, errors: errors) }
        var errors = FormErrors()
        guard let day = errors.day(input.aftercareOn, "aftercareOn", label: "de datum van de nazorg") else {
            return try await refuse(req, c, form(errors))
        }
        return try await save(req, c, anchor: "aftercare", dateField: "aftercareOn", form: form) {
            try await req.cases.planAftercare(c, on: day)
        }
    }

    /// The steps of the case's workflow not ticked off.
    static func openSteps(_ c: OpenCase, on db: any Database) async throws -> [WorkflowStep] {
        let done = Set(try await CaseStep.query(on: db).filter(\.$case.$id == c.id).all().map(\.step))
        return Workflow.steps(for: c.record.kind).filter { !done.contains($0.code) }
    }

    /// POST /cases/:caseID/close — closure with an outcome; with steps open, only when ticked.
    @Sendable static func close(_ req: Request) async throws -> Response {
        let (c, today) = try await open(req)
        let input = req.form(CaseForms.Close.self) ?? .init()
        let open = try await CaseActions.openSteps(c, on: req.db)
        let form = { (errors: FormErrors) in
            var form = CaseForms.close(req, c, input: input, today: today)
            CaseForms.askOpenSteps(&form, open: open, checked: input.openSteps == "on")
            form.apply(errors)
            return form
        }
        var errors = FormErrors()
        if !open.isEmpty, input.openSteps != "on" {
            errors["openSteps"] =
                "Er staan nog stappen open. Vink aan dat je toch afsluit, of vink de stappen eerst af."
        }
        let outcome = errors.choice(input.outcome, "outcome", Outcome.self, label: "de uitkomst")
        let day = errors.day(input.closedOn, "closedOn", label: "de datum van afsluiten")
        let note =
            errors.text(input.closingNote, "closingNote", label: "de slotnotitie", max: 4000, required: false) ?? ""
        guard errors.isEmpty, let outcome, let day else { return try await refuse(req, c, form(errors)) }
        return try await save(req, c, anchor: "top", flash: .closed, dateField: "closedOn", form: form) {
            try await req.cases.close(c, outcome, on: day, note: note, today: today)
        }
    }

    /// POST /cases/:caseID/reopen — the reporter came back: a closed case runs again.
    @Sendable static func reopen(_ req: Request) async throws -> Response {
        let (c, _) = try await open(req)
        return try await save(req, c, anchor: "top", form: { CaseForms.reopen(req, c, errors: $0) }) {
            try await req.cases.reopen(c)
        }
    }

    /// POST /cases/:caseID/shares — the owner shares the case with a substitute; recorded.
    @Sendable static func share(_ req: Request) async throws -> Response {
        let (c, _) = try await open(req)
        guard c.isOwner else { throw Abort(.forbidden) }
        let counsellors = try await User.substitutes(for: c.record, on: req.db)
        let input = req.form(CaseForms.Share.self) ?? .init()
        let form = { (errors: FormErrors) in
            CaseForms.share(req, c, counsellors: counsellors, input: input, errors: errors)
        }
        var errors = FormErrors()
        let user = counsellors.first { $0.id?.uuidString == input.user }
        if user == nil { errors["user"] = "Kies een vertrouwenspersoon uit de lijst." }
        let reason = errors.text(input.reason, "reason", label: "de reden", max: 300)
        let ends = errors.day(input.ends, "ends", label: "de laatste dag", required: false)
        if let ends, ends < Day(Date()) { errors["ends"] = "De laatste dag ligt in het verleden." }
        let shares = CaseShare.running(on: req.db).filter(\.$case.$id == c.id)
        if let user, let userID = user.id, try await shares.filter(\.$user.$id == userID).count() > 0 {
            errors["user"] = "Deze melding is al met \(user.name) gedeeld."
        }
        guard errors.isEmpty, let userID = user?.id, let reason else { return try await refuse(req, c, form(errors)) }
        return try await save(req, c, anchor: "shares", form: form) {
            try await req.cases.share(c, with: userID, reason: reason, until: ends)
        }
    }

    /// POST /cases/:caseID/unshare — the owner ends a share; recorded.
    @Sendable static func unshare(_ req: Request) async throws -> Response {
        let (c, _) = try await open(req)
        guard c.isOwner else { throw Abort(.forbidden) }
        guard let userID = req.formValue("user").flatMap(UUID.init(uuidString:)),
            try await CaseShare.query(on: req.db).filter(\.$case.$id == c.id).filter(\.$user.$id == userID).count() > 0
        else {
            return req.redirect(to: .case(.value(c.id)), anchor: "shares", flash: .saved)
        }
        try await req.cases.unshare(c, with: userID)
        return req.redirect(to: .case(.value(c.id)), anchor: "shares", flash: .unshared)
    }
}
