import Fluent
import Vapor
import VertrouwdCore

/// The case page's form handlers. Each opens the case (access-checked and audited), validates,
/// and either re-renders the page with the form as typed and its errors — nothing saved — or
/// saves, audits and returns to the page.
enum CaseActions {
    typealias Refuse = @Sendable (FormView) async throws -> Response

    /// Opens the case for a change; a closed case takes no more changes. The change runs in one
    /// transaction with its audit entry (`done`): both are saved, or neither. Inside it, read and
    /// write through `req.store`.
    static func change(_ req: Request, _ body: @escaping @Sendable (OpenCase, Day, @escaping Refuse) async throws -> Response) async throws -> Response {
        let c = try await CaseAccess.open(req, audit: "case.update")
        let refuse: Refuse = { form in try await CasePage.render(req, c, override: form, status: .unprocessableEntity) }
        if c.record.statusValue == .closed {
            var errors = FormErrors()
            errors.general = "Deze melding is afgesloten en kan niet meer worden gewijzigd."
            var form = CaseForms.note(req, c)
            form.apply(errors)
            return try await refuse(form)
        }
        return try await req.application.transaction(on: req.store) { _ in try await body(c, Day(Date()), refuse) }
    }

    static func done(_ req: Request, _ c: OpenCase, _ action: String, anchor: String, detail: String = "", flash: Flash = .saved) async throws -> Response {
        try await req.audit(action, subject: "case:\(c.id)", detail: detail)
        return req.redirect(to: "/cases/\(c.id)#\(anchor)", flash: flash)
    }

    /// POST /cases/:caseID/details
    @Sendable static func details(_ req: Request) async throws -> Response {
        try await change(req) { c, today, refuse in
            let input = req.form(CaseForms.Details.self) ?? .init()
            let consentInput = req.form(CaseForms.Consent.self) ?? .init()
            var errors = FormErrors()
            let choosesKind = c.record.statusValue == .new || c.record.kindValue == .unclassified
            var kind = c.record.kindValue
            if choosesKind {
                if let chosen = CaseKind(rawValue: input.kind ?? ""), chosen != .unclassified { kind = chosen } else { errors["kind"] = "Kies de soort." }
            }
            let categories = (input.categories ?? []).compactMap(CaseCategory.init(rawValue:))
            if categories.count != (input.categories ?? []).count { errors["categories"] = "Kies alleen categorieën uit de lijst." }
            if kind != .informationRequest && kind != .unclassified && categories.isEmpty { errors["categories"] = "Kies minstens één categorie (of 'Overig')." }
            let role = errors.choice(input.reporterRole, "reporterRole", ReporterRole.self, label: "wie meldt")
            let channel = errors.choice(input.channel, "channel", IntakeChannel.self, label: "hoe de melding binnenkwam")
            var department = errors.text(input.department, "department", label: "de afdeling", max: 120, required: false) ?? ""
            try await c.record.$organisation.load(on: req.store)
            if !department.isEmpty {
                if let match = c.record.organisation.departmentList.first(where: { $0.lowercased() == department.lowercased() }) {
                    department = match
                } else {
                    errors["department"] = "Kies een afdeling zoals vastgelegd bij de organisatie: \(c.record.organisation.departmentList.joined(separator: ", "))."
                }
            }
            let relation = errors.choice(input.relation, "relation", AccusedRelation.self, label: "de relatie tot de beklaagde")
            let regime = errors.choice(input.regime, "regime", Regime.self, label: "het regime")
            let summary = errors.text(input.summary, "summary", label: "het verhaal", max: CasesController.storyLimit, required: false) ?? ""
            let accused = errors.text(input.accused, "accused", label: "de beklaagde", max: 300, required: false) ?? ""
            let becomesReport = c.record.regimeValue == .confidential && regime == .whistleblower
            let (basis, remark) = becomesReport ? CaseForms.consentBasis(consentInput, errors: &errors) : (nil, "")
            if let regime, errors.isEmpty, let problem = RegimeRule.check(from: c.record.regimeValue, to: regime, basis: basis, today: today) {
                errors[CaseForms.field(for: problem)] = problem.message
            }
            guard errors.isEmpty, let role, let channel, let relation, let regime else {
                try await c.record.$categories.load(on: req.store)
                return try await refuse(try CaseForms.details(req, c, input: input, consent: consentInput, errors: errors))
            }
            let r = c.record
            let staff = try req.requireStaff()
            let accepted = r.statusValue == .new
            if choosesKind { r.kind = kind.rawValue }
            if accepted { r.status = CaseStatus.open.rawValue }
            r.reporterRole = role.rawValue; r.channel = channel.rawValue; r.department = department
            r.relation = relation.rawValue; r.regime = regime.rawValue
            r.summarySealed = try c.seal(summary, field: "summary")
            r.accusedSealed = try c.seal(accused, field: "accused")
            if becomesReport { r.whistleblowerReceivedOn = today.iso }
            try await req.application.transaction(on: req.store) { db in
                if becomesReport {
                    _ = try await recordConsent(basis, remark: remark, step: "regime:whistleblower", c, by: staff.userID, on: db)
                }
                try await r.save(on: db)
                try await CaseCategoryRecord.query(on: db).filter(\.$case.$id == c.id).delete()
                for category in Set(categories) { try await CaseCategoryRecord(caseID: c.id, category: category).create(on: db) }
            }
            return try await done(req, c, accepted ? "case.accept" : "case.details", anchor: "details")
        }
    }

    /// POST /cases/:caseID/steps — tick a step off on a day, or undo it.
    @Sendable static func step(_ req: Request) async throws -> Response {
        struct Input: Content { var step, day, undo: String? }
        return try await change(req) { c, today, refuse in
            let input = req.form(Input.self) ?? .init()
            guard let code = input.step, let step = Workflow.step(code: code, for: c.record.kindValue) else { throw Abort(.badRequest) }
            if input.undo == "1" {
                try await CaseStep.query(on: req.store).filter(\.$case.$id == c.id).filter(\.$step == step.code).delete()
                return try await done(req, c, "case.step.undo", anchor: "steps", detail: step.code)
            }
            var errors = FormErrors()
            let day = errors.day(input.day, "day", label: "de datum")
            if let day, day > today { errors["day"] = "Een stap kan niet in de toekomst zijn gedaan." }
            guard errors.isEmpty, let day else {
                var form = FormView(id: "steps", title: "Stap \(step.number): \(step.label)", action: "/cases/\(c.id)/steps", submit: "Afvinken", csrf: req.csrfToken)
                form.add("step", "Stap", type: "hidden", value: step.code)
                form.add("day", "Gedaan op (stap \(step.number))", type: "date", value: input.day, required: true)
                form.apply(errors)
                return try await refuse(form)
            }
            if try await CaseStep.query(on: req.store).filter(\.$case.$id == c.id).filter(\.$step == step.code).count() == 0 {
                let record = CaseStep()
                record.$case.id = c.id
                record.step = step.code
                record.doneOn = day.iso
                try await record.create(on: req.store)
            }
            return try await done(req, c, "case.step", anchor: "steps", detail: step.code)
        }
    }

    /// Stores the consent (or legal duty) for a step and returns its id.
    static func recordConsent(_ basis: ConsentBasis?, remark: String, step: String, _ c: OpenCase, by user: UUID, on db: any Database) async throws -> UUID? {
        guard let basis else { return nil }
        let consent = CaseConsent()
        consent.id = UUID()
        consent.$case.id = c.id
        consent.basis = basis.storedBasis
        consent.step = step
        if case .reporterConsent(let on, let method) = basis {
            consent.givenOn = on.iso
            consent.method = method.rawValue
        }
        consent.remarkSealed = try c.seal(remark, table: "case_consents", row: consent.id, field: "remark")
        consent.recordedBy = user
        try await consent.create(on: db)
        return consent.id
    }

    /// POST /cases/:caseID/escalations — a step on the ladder; level 2 and up needs consent.
    @Sendable static func escalate(_ req: Request) async throws -> Response {
        try await change(req) { c, today, refuse in
            let input = req.form(CaseForms.Escalation.self) ?? .init()
            let consentInput = req.form(CaseForms.Consent.self) ?? .init()
            var errors = FormErrors()
            let level = Int(input.level ?? "").flatMap(LadderLevel.init(rawValue:))
            if level == nil { errors["level"] = "Kies een niveau van de ladder." }
            let day = errors.day(input.day, "day", label: "de datum")
            if let day, day > today { errors["day"] = "De datum ligt in de toekomst." }
            let note = errors.text(input.note, "note", label: "de toelichting", max: 4000, required: false) ?? ""
            let (basis, remark) = CaseForms.consentBasis(consentInput, errors: &errors)
            if let level, errors.isEmpty, let problem = ConsentRule.check(.escalation(level), basis: basis, today: today) {
                errors[CaseForms.field(for: problem)] = problem.message
            }
            guard errors.isEmpty, let level, let day else {
                return try await refuse(CaseForms.escalation(req, c, input: input, consent: consentInput, errors: errors, today: today))
            }
            let staff = try req.requireStaff()
            try await req.application.transaction(on: req.store) { db in
                let consentID = level.involvesThirdParty
                    ? try await recordConsent(basis, remark: remark, step: "escalation:\(level.rawValue)", c, by: staff.userID, on: db) : nil
                let record = CaseEscalation()
                record.id = UUID()
                record.$case.id = c.id
                record.level = level.rawValue
                record.onDay = day.iso
                record.$consent.id = consentID
                record.noteSealed = try c.seal(note, table: "case_escalations", row: record.id, field: "note")
                try await record.create(on: db)
                c.record.ladderLevel = level.rawValue
                try await c.record.save(on: db)
            }
            return try await done(req, c, "case.escalation", anchor: "ladder", detail: String(level.rawValue))
        }
    }

    /// POST /cases/:caseID/referrals — passing on personal data needs consent.
    @Sendable static func refer(_ req: Request) async throws -> Response {
        try await change(req) { c, today, refuse in
            let input = req.form(CaseForms.Referral.self) ?? .init()
            let consentInput = req.form(CaseForms.Consent.self) ?? .init()
            var errors = FormErrors()
            let target = errors.choice(input.target, "target", ReferralTarget.self, label: "naar wie je doorverwijst")
            let day = errors.day(input.day, "day", label: "de datum")
            if let day, day > today { errors["day"] = "De datum ligt in de toekomst." }
            let note = errors.text(input.note, "note", label: "de toelichting", max: 4000, required: false) ?? ""
            let passes = input.passesPersonalData == "on"
            let (basis, remark) = CaseForms.consentBasis(consentInput, errors: &errors)
            if let target, errors.isEmpty, let problem = ConsentRule.check(.referral(target, passesPersonalData: passes), basis: basis, today: today) {
                errors[CaseForms.field(for: problem)] = problem.message
            }
            guard errors.isEmpty, let target, let day else {
                return try await refuse(CaseForms.referral(req, c, input: input, consent: consentInput, errors: errors, today: today))
            }
            let staff = try req.requireStaff()
            try await req.application.transaction(on: req.store) { db in
                let consentID = passes ? try await recordConsent(basis, remark: remark, step: "referral:\(target.rawValue)", c, by: staff.userID, on: db) : nil
                let record = CaseReferral()
                record.id = UUID()
                record.$case.id = c.id
                record.target = target.rawValue
                record.onDay = day.iso
                record.passesPersonalData = passes
                record.$consent.id = consentID
                record.noteSealed = try c.seal(note, table: "case_referrals", row: record.id, field: "note")
                try await record.create(on: db)
            }
            return try await done(req, c, "case.referral", anchor: "referrals", detail: target.rawValue)
        }
    }

    /// POST /cases/:caseID/report-on-behalf — always a step towards a third party.
    @Sendable static func reportOnBehalf(_ req: Request) async throws -> Response {
        try await change(req) { c, today, refuse in
            guard c.record.kindValue == .businessIntegrity else { throw Abort(.notFound) }
            let input = req.form(CaseForms.Report.self) ?? .init()
            let consentInput = req.form(CaseForms.Consent.self) ?? .init()
            var errors = FormErrors()
            let day = errors.day(input.day, "day", label: "de datum")
            if let day, day > today { errors["day"] = "De datum ligt in de toekomst." }
            let note = errors.text(input.note, "note", label: "de toelichting", max: 4000, required: false) ?? ""
            let (basis, remark) = CaseForms.consentBasis(consentInput, errors: &errors)
            if errors.isEmpty, let problem = ConsentRule.check(.reportOnBehalf, basis: basis, today: today) {
                errors[CaseForms.field(for: problem)] = problem.message
            }
            guard errors.isEmpty, let day else {
                return try await refuse(CaseForms.report(req, c, input: input, consent: consentInput, errors: errors, today: today))
            }
            let staff = try req.requireStaff()
            try await req.application.transaction(on: req.store) { db in
                guard let consentID = try await recordConsent(basis, remark: remark, step: "report_on_behalf", c, by: staff.userID, on: db) else {
                    throw Abort(.internalServerError)
                }
                let record = CaseReportOnBehalf()
                record.id = UUID()
                record.$case.id = c.id
                record.onDay = day.iso
                record.anonymous = input.anonymous == "on"
                record.$consent.id = consentID
                record.noteSealed = try c.seal(note, table: "case_reports_on_behalf", row: record.id, field: "note")
                try await record.create(on: db)
            }
            return try await done(req, c, "case.report_on_behalf", anchor: "report")
        }
    }

    /// POST /cases/:caseID/wbk — acknowledgement and feedback dates.
    @Sendable static func wbk(_ req: Request) async throws -> Response {
        try await change(req) { c, today, refuse in
            guard c.record.regimeValue == .whistleblower else { throw Abort(.notFound) }
            let input = req.form(CaseForms.WBK.self) ?? .init()
            var errors = FormErrors()
            let ack = errors.day(input.acknowledgedOn, "acknowledgedOn", label: "de datum van de ontvangstbevestiging", required: false)
            let feedback = errors.day(input.feedbackOn, "feedbackOn", label: "de datum van de terugkoppeling", required: false)
            let opened = Day(iso: c.record.openedOn)!
            if let ack, ack < opened { errors["acknowledgedOn"] = "De ontvangst kan niet vóór de melding (\(opened.dutch)) bevestigd zijn." }
            if let ack, ack > today { errors["acknowledgedOn"] = "De datum ligt in de toekomst." }
            if let feedback, feedback > today { errors["feedbackOn"] = "De datum ligt in de toekomst." }
            if let feedback, ack == nil || feedback < ack! { errors["feedbackOn"] = "Terugkoppeling volgt op de ontvangstbevestiging; vul die eerst in." }
            guard errors.isEmpty else { return try await refuse(CaseForms.wbk(req, c, input: input, errors: errors)) }
            c.record.acknowledgedOn = ack?.iso
            c.record.feedbackOn = feedback?.iso
            try await c.record.save(on: req.store)
            return try await done(req, c, "case.wbk", anchor: "wbk")
        }
    }

    /// POST /cases/:caseID/appointments
    @Sendable static func appointment(_ req: Request) async throws -> Response {
        try await change(req) { c, _, refuse in
            let input = req.form(CaseForms.Appointment.self) ?? .init()
            var errors = FormErrors()
            let startsAt = CaseForms.parseLocalDateTime(input.startsAt)
            if startsAt == nil { errors["startsAt"] = "Vul een geldige datum en tijd in, bijvoorbeeld 2026-11-23 14:30." }
            let duration = errors.integer(input.duration, "duration", label: "de duur", range: 5...600)
            let mode = errors.choice(input.mode, "mode", AppointmentMode.self, label: "de vorm")
            let place = errors.text(input.place, "place", label: "de plaats", max: 300, required: false) ?? ""
            guard errors.isEmpty, let startsAt, let duration, let mode else {
                return try await refuse(CaseForms.appointment(req, c, input: input, errors: errors))
            }
            let record = CaseAppointment()
            record.id = UUID()
            record.$case.id = c.id
            record.$counsellor.id = c.record.$counsellor.id
            record.startsAt = startsAt
            record.durationMinutes = duration
            record.mode = mode.rawValue
            record.placeSealed = try c.seal(place, table: "case_appointments", row: record.id, field: "place")
            try await record.create(on: req.store)
            return try await done(req, c, "case.appointment", anchor: "appointments")
        }
    }

    /// POST /cases/:caseID/time — quarter hours on this case, counted against the contract year.
    @Sendable static func time(_ req: Request) async throws -> Response {
        try await change(req) { c, today, refuse in
            let input = req.form(CaseForms.Time.self) ?? .init()
            var errors = FormErrors()
            let day = errors.day(input.day, "day", label: "de datum")
            if let day, day > today { errors["day"] = "De datum ligt in de toekomst." }
            let minutes = TimeEntryRules.minutes(input.hours, errors: &errors)
            guard errors.isEmpty, let day, let minutes else {
                return try await refuse(CaseForms.time(req, c, input: input, errors: errors, today: today))
            }
            let entry = TimeEntry()
            entry.$organisation.id = c.record.$organisation.id
            entry.$user.id = try req.requireStaff().userID
            entry.caseID = c.id
            entry.onDay = day.iso
            entry.minutes = minutes
            entry.description = "Melding \(c.record.reference)"
            try await entry.create(on: req.store)
            return try await done(req, c, "case.time", anchor: "hours", detail: String(minutes))
        }
    }

    /// POST /cases/:caseID/notes
    @Sendable static func note(_ req: Request) async throws -> Response {
        try await change(req) { c, _, refuse in
            let input = req.form(CaseForms.Note.self) ?? .init()
            var errors = FormErrors()
            let body = errors.text(input.body, "body", label: "de notitie", max: CasesController.storyLimit)
            guard errors.isEmpty, let body else { return try await refuse(CaseForms.note(req, c, input: input, errors: errors)) }
            let note = CaseNote()
            note.id = UUID()
            note.$case.id = c.id
            note.$author.id = try req.requireStaff().userID
            note.bodySealed = try c.seal(body, table: "case_notes", row: note.id, field: "body")
            try await note.create(on: req.store)
            return try await done(req, c, "case.note", anchor: "notes")
        }
    }

    /// POST /cases/:caseID/peer-summary
    @Sendable static func peerSummary(_ req: Request) async throws -> Response {
        try await change(req) { c, _, refuse in
            let input = req.form(CaseForms.Peer.self) ?? .init()
            var errors = FormErrors()
            let text = errors.text(input.peerSummary, "peerSummary", label: "de samenvatting", max: 4000, required: false) ?? ""
            guard errors.isEmpty else { return try await refuse(try CaseForms.peer(req, c, input: input, errors: errors)) }
            c.record.peerSummarySealed = try c.seal(text, field: "peer_summary")
            try await c.record.save(on: req.store)
            return try await done(req, c, "case.peer_summary", anchor: "peer")
        }
    }

    /// POST /cases/:caseID/aftercare — plan aftercare (*nazorg*); the case moves to aftercare.
    @Sendable static func aftercare(_ req: Request) async throws -> Response {
        try await change(req) { c, _, refuse in
            let input = req.form(CaseForms.Aftercare.self) ?? .init()
            var errors = FormErrors()
            let day = errors.day(input.aftercareOn, "aftercareOn", label: "de datum van de nazorg")
            if let day, let opened = Day(iso: c.record.openedOn), day < opened { errors["aftercareOn"] = "Nazorg kan niet vóór de melding liggen." }
            guard errors.isEmpty, let day else { return try await refuse(CaseForms.aftercare(req, c, input: input, errors: errors)) }
            c.record.aftercareOn = day.iso
            c.record.status = CaseStatus.aftercare.rawValue
            try await c.record.save(on: req.store)
            return try await done(req, c, "case.aftercare", anchor: "aftercare")
        }
    }

    /// POST /cases/:caseID/close — closure with an outcome.
    @Sendable static func close(_ req: Request) async throws -> Response {
        try await change(req) { c, today, refuse in
            let input = req.form(CaseForms.Close.self) ?? .init()
            var errors = FormErrors()
            let outcome = errors.choice(input.outcome, "outcome", Outcome.self, label: "de uitkomst")
            let day = errors.day(input.closedOn, "closedOn", label: "de datum van afsluiten")
            if let day, day > today { errors["closedOn"] = "De datum ligt in de toekomst." }
            if let day, let opened = Day(iso: c.record.openedOn), day < opened { errors["closedOn"] = "Een melding kan niet vóór de melddatum (\(opened.dutch)) zijn afgesloten." }
            let note = errors.text(input.closingNote, "closingNote", label: "de slotnotitie", max: 4000, required: false) ?? ""
            guard errors.isEmpty, let outcome, let day else { return try await refuse(CaseForms.close(req, c, input: input, errors: errors, today: today)) }
            c.record.outcome = outcome.rawValue
            c.record.closedOn = day.iso
            c.record.status = CaseStatus.closed.rawValue
            c.record.closingNoteSealed = try c.seal(note, field: "closing_note")
            try await c.record.save(on: req.store)
            return try await done(req, c, "case.close", anchor: "top", detail: outcome.rawValue, flash: .closed)
        }
    }

    /// POST /cases/:caseID/shares — the owner shares the case with a substitute; recorded.
    @Sendable static func share(_ req: Request) async throws -> Response {
        try await change(req) { c, _, refuse in
            guard c.isOwner else { throw Abort(.forbidden) }
            let counsellors = try await User.query(on: req.store).filter(\.$isCounsellor == true).filter(\.$active == true)
                .filter(\.$id != c.record.$counsellor.id).sort(\.$name).all()
            let input = req.form(CaseForms.Share.self) ?? .init()
            var errors = FormErrors()
            let user = counsellors.first { $0.id?.uuidString == input.user }
            if user == nil { errors["user"] = "Kies een vertrouwenspersoon uit de lijst." }
            let reason = errors.text(input.reason, "reason", label: "de reden", max: 300)
            if let user, try await CaseShare.query(on: req.store).filter(\.$case.$id == c.id).filter(\.$user.$id == user.id!).count() > 0 {
                errors["user"] = "Deze melding is al met \(user.name) gedeeld."
            }
            guard errors.isEmpty, let user, let reason else {
                return try await refuse(CaseForms.share(req, c, counsellors: counsellors, input: input, errors: errors))
            }
            let share = CaseShare()
            share.id = UUID()
            share.$case.id = c.id
            share.$user.id = user.id!
            share.grantedBy = try req.requireStaff().userID
            share.reasonSealed = try c.seal(reason, table: "case_shares", row: share.id, field: "reason")
            try await share.create(on: req.store)
            return try await done(req, c, "case.share", anchor: "shares", detail: "user:\(user.id!)")
        }
    }

    struct IdentityPage: Encodable, Sendable {
        let meta: PageMeta
        let reference: String
        let caseURL: String
        let form: FormView
    }

    static func identityForm(_ req: Request, _ c: OpenCase, input: CaseForms.Identity? = nil, errors: FormErrors = .init()) throws -> FormView {
        let v = try input ?? .init(reporterName: c.open(c.record.reporterNameSealed, field: "reporter_name"),
                                   reporterContact: c.open(c.record.reporterContactSealed, field: "reporter_contact"))
        var form = FormView(id: "identity", title: "Identiteit van de melder",
                            intro: "Apart van het verhaal bewaard en versleuteld. Elke keer dat deze pagina wordt geopend, wordt vastgelegd.",
                            action: "/cases/\(c.id)/identity", submit: "Opslaan", csrf: req.csrfToken)
        form.add("reporterName", "Naam", value: v.reporterName, maxlength: 200)
        form.add("reporterContact", "Contactgegevens", value: v.reporterContact, maxlength: 300)
        form.apply(errors)
        return form
    }

    /// GET /cases/:caseID/identity — the reporter's identity, only when needed; audited apart.
    @Sendable static func identity(_ req: Request) async throws -> Response {
        let c = try await CaseAccess.open(req, audit: "case.read_identity")
        return try await req.page("identity", IdentityPage(meta: req.meta("Identiteit melder \(c.record.reference)", section: "cases"),
                                                           reference: c.record.reference, caseURL: "/cases/\(c.id)", form: identityForm(req, c)))
    }

    /// POST /cases/:caseID/identity
    @Sendable static func updateIdentity(_ req: Request) async throws -> Response {
        let c = try await CaseAccess.open(req, audit: "case.update_identity")
        let input = req.form(CaseForms.Identity.self) ?? .init()
        var errors = FormErrors()
        let name = errors.text(input.reporterName, "reporterName", label: "de naam", max: 200, required: false) ?? ""
        let contact = errors.text(input.reporterContact, "reporterContact", label: "de contactgegevens", max: 300, required: false) ?? ""
        guard errors.isEmpty else {
            return try await req.page("identity", IdentityPage(meta: req.meta("Identiteit melder \(c.record.reference)", section: "cases"),
                                                               reference: c.record.reference, caseURL: "/cases/\(c.id)",
                                                               form: identityForm(req, c, input: input, errors: errors)), status: .unprocessableEntity)
        }
        c.record.reporterNameSealed = try c.seal(name, field: "reporter_name")
        c.record.reporterContactSealed = try c.seal(contact, field: "reporter_contact")
        try await c.record.save(on: req.store)
        try await req.audit("case.identity", subject: "case:\(c.id)")
        return req.redirect(to: "/cases/\(c.id)/identity", flash: .saved)
    }
}
