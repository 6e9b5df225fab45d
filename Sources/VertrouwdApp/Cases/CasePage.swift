import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The case page: the facts, the story, the checklist, the ladder, consents, referrals,
/// appointments, hours, notes, and closure — each with its own small form.
enum CasePage {
    struct Context: Encodable, Sendable {
        struct Step: Encodable, Sendable {
            let code, label: String; let number: Int; let doneOn: String?; let form: FormView
        }
        struct Escalation: Encodable, Sendable { let level, day, basis, note: String }
        struct Referral: Encodable, Sendable { let target, day, basis, note: String; let passesPersonalData: Bool }
        struct Report: Encodable, Sendable { let day, basis, note: String; let anonymous: Bool }
        struct Appointment: Encodable, Sendable { let when, mode, place: String; let minutes: Int }
        struct Note: Encodable, Sendable { let at, author, body: String }
        struct Entry: Encodable, Sendable { let day, hours, who: String; let correctURL: String? }
        struct Share: Encodable, Sendable { let name, at, reason, user: String; let until: String?; let ended: Bool }

        let meta: PageMeta
        let url: String
        let reference: String
        let organisation: String
        let kind: String
        let categories: String
        let reporterRole: String
        let channel: String
        let department: String
        let relation: String
        let regime: String
        let isWhistleblower: Bool
        let openedOn: String
        let status: String
        let isClosed: Bool
        let ladder: String
        /// The highest rung reached, when the case stepped down since.
        let highestRung: String?
        let deadlines: [DeadlineView]
        let summary: String
        /// What the reporter sent through the website, as sent (never the summary).
        let words: ReporterWords?
        /// The language the reporter wrote in on the public pages ("Engels"), or empty.
        let reporterLanguage: String
        let accused: String
        let peerSummary: String
        let closingNote: String
        let outcome: String
        let aftercareOn: String
        let steps: [Step]
        let escalations: [Escalation]
        let referrals: [Referral]
        let reports: [Report]
        let appointments: [Appointment]
        let notes: [Note]
        let entries: [Entry]
        let totalHours: String
        let shares: [Share]
        let isOwner: Bool
        let isBusinessIntegrity: Bool
        let isNew: Bool
        let mailbox: CaseMailboxActions.Thread?
        let forms: CaseFormSet
        /// A refused form shown at the top because its own place is hidden.
        let displaced: FormView?
        let retention: Retention
    }

    static func languageName(_ code: String) -> String {
        switch code {
        case "nl": "Nederlands"
        case "en": "Engels (de ontvangstbevestiging en de antwoorden bij voorkeur in het Engels)"
        default: ""
        }
    }

    /// Retention and the reporter's requests: what happens to the file, and when.
    struct Retention: Encodable, Sendable {
        let summary: String
        let requests: [ReporterRights.StaffRequest]
    }

    static func retention(_ req: Request, _ c: OpenCase, override: FormView?) async throws -> Retention {
        let r = c.record
        let policy = try await Practice.retention(on: req.db)
        let summary: String
        if let held = r.legalHoldOn {
            summary = "Bewaarplicht sinds \(held.dutch): deze melding wordt niet vernietigd tot die is opgeheven."
        } else if let closed = r.closedOn, r.status == .closed {
            summary =
                """
                De inhoud wordt vernietigd na \(closed.adding(months: policy.months).dutch) (bewaartermijn \
                \(policy.months) maanden na afsluiten),
                """
                + " zodra de melding in een vastgesteld jaarverslag is geteld. Getallen zonder inhoud blijven."
        } else {
            summary =
                """
                Na het afsluiten geldt een bewaartermijn van \(policy.months) maanden; daarna wordt de inhoud \
                vernietigd.
                """
        }
        return Retention(summary: summary, requests: try await ReporterRights.staffRequests(req, c, override: override))
    }

    /// GET /cases/:caseID
    @Sendable static func show(_ req: Request) async throws -> Response {
        try await render(req, try await CaseAccess.open(req))
    }

    static func basisText(_ consent: CaseConsent?, _ c: OpenCase) -> String {
        guard let consent else { return "Geen toestemming nodig" }
        let remark = (try? c.open(consent, \.$remarkSealed)) ?? ""
        if consent.basis == "legal_duty" {
            return "Zonder toestemming (wettelijke plicht of conflict van plichten): \(remark)"
        }
        let method = consent.method?.label.lowercased() ?? ""
        let day = consent.givenOn?.dutch ?? ""
        return "Toestemming \(method) op \(day)" + (remark.isEmpty ? "" : " — \(remark)")
    }

    static func render(
        _ req: Request, _ c: OpenCase, override: FormView? = nil, status: HTTPStatus = .ok,
        issuedCode: String? = nil
    ) async throws -> Response {
        try await req.page(.casePage, context(req, c, override: override, issuedCode: issuedCode), status: status)
    }

    /// Everything the case page shows, opened with the case's key.
    static func context(
        _ req: Request, _ c: OpenCase, override: FormView? = nil, issuedCode: String? = nil,
        markRead: Bool = true
    ) async throws -> Context {
        let r = c.record
        let id = c.id
        let db = req.db
        let today = Day(Date())
        let staff = try req.requireStaff()
        // The queries: the case's rows, its mailbox thread, its retention; then only what they hold.
        let rows = try await CaseRows.read(c, on: db)
        let thread = try await CaseMailboxActions.thread(req, c, issuedCode: issuedCode, markRead: markRead)
        let retention = try await retention(req, c, override: override)
        let base = SiteURL.case(.value(id)).path

        let steps = Workflow.steps(for: r.kind).map { step in
            let done = rows.doneSteps.first { $0.step == step.code }
            let own = override.flatMap { $0.id == "step-\(step.code)" ? $0 : nil }
            let form = own ?? CaseForms.step(req, c, step, done: done != nil, day: today.iso)
            return Context.Step(
                code: step.code, label: step.label, number: step.number,
                doneOn: done?.doneOn.dutch, form: form)
        }

        var forms = CaseForms.all(req, c, today: today)
        CaseMailboxActions.forms(req, c, hasMailbox: thread != nil, into: &forms)
        if c.isOwner { forms.share = CaseForms.share(req, c, counsellors: rows.substitutes) }
        if r.status == .closed { forms.reopen = CaseForms.reopen(req, c) }
        let done = Set(rows.doneSteps.map(\.step))
        if var close = forms.close {
            CaseForms.askOpenSteps(
                &close, open: Workflow.steps(for: r.kind).filter { !done.contains($0.code) }, checked: false)
            forms.close = close
        }
        forms.hold = try ReporterRights.holdForm(req, c)
        // A refused form that has no place on the page as it is (a form of a closed case other
        // than reopening, the hold and answers, or reopening a case that runs) is shown at the top.
        let stays = override.map { $0.id == "hold" || $0.id.hasPrefix("answer-") } ?? false
        let displaced = override.flatMap { form in
            !stays
                && ((r.status == .closed && form.id != "reopen" && form.id != "reply")
                    || (r.status != .closed && form.id == "reopen"))
                ? form : nil
        }
        if let override { forms.put(override) }
        forms.update { id, form in if id != "reply" || override?.id == "reply" { form.collapsible = true } }
        if r.status == .new { forms.details?.collapsible = false }

        let context = Context(
            meta: req.meta("Melding \(r.reference)", section: "cases"), url: base, reference: r.reference,
            organisation: r.organisation.name, kind: r.kind.label, categories: r.categoryLabels,
            reporterRole: r.reporterRole.label, channel: r.channel.label,
            department: r.department, relation: r.relation.label, regime: r.regime.label,
            isWhistleblower: r.regime == .whistleblower, openedOn: r.openedOn.dutch,
            status: r.status.label, isClosed: r.status == .closed, ladder: r.ladderLevel.label,
            highestRung: r.ladderHighest > r.ladderLevel ? r.ladderHighest.label : nil,
            deadlines: r.whistleblowerClock.map {
                [$0.acknowledgement(today: today), $0.feedback(today: today)].map(DeadlineView.init)
            } ?? [],
            summary: try c.open(r, \.$summarySealed),
            words: r.reporterWordsSealed.isEmpty ? nil : ReporterWords(stored: try c.open(r, \.$reporterWordsSealed)),
            reporterLanguage: Self.languageName((try? c.open(r, \.$reporterLanguageSealed)) ?? ""),
            accused: try c.open(r, \.$accusedSealed),
            peerSummary: try c.open(r, \.$peerSummarySealed),
            closingNote: try c.open(r, \.$closingNoteSealed),
            outcome: r.outcome?.label ?? "",
            aftercareOn: r.aftercareOn?.dutch ?? "",
            steps: steps,
            escalations: try rows.escalations.map {
                .init(
                    level: $0.level.label, day: $0.onDay.dutch, basis: basisText($0.consent, c),
                    note: try c.open($0, \.$noteSealed))
            },
            referrals: try rows.referrals.map {
                .init(
                    target: $0.target.label, day: $0.onDay.dutch, basis: basisText($0.consent, c),
                    note: try c.open($0, \.$noteSealed), passesPersonalData: $0.passesPersonalData)
            },
            reports: try rows.reports.map {
                .init(
                    day: $0.onDay.dutch, basis: basisText($0.consent, c), note: try c.open($0, \.$noteSealed),
                    anonymous: $0.anonymous)
            },
            appointments: try rows.appointments.map {
                .init(
                    when: CaseForms.dutchDateTime($0.startsAt), mode: $0.mode.label,
                    place: try c.open($0, \.$placeSealed), minutes: $0.durationMinutes)
            },
            notes: try rows.notes.map {
                .init(
                    at: $0.createdAt.map { Day($0).dutch } ?? "", author: $0.author.name,
                    body: try c.open($0, \.$bodySealed))
            },
            entries: rows.entries.map {
                .init(
                    day: $0.onDay.dutch, hours: Hours.format(minutes: $0.minutes), who: $0.user.name,
                    correctURL: CaseCorrections.mayCorrect($0, in: c, staff: staff)
                        ? CaseCorrections.action(c, $0) : nil)
            },
            totalHours: Hours.format(minutes: rows.entries.reduce(0) { $0 + $1.minutes }),
            shares: try rows.shares.map {
                .init(
                    name: $0.user.name, at: $0.grantedAt.map { Day($0).dutch } ?? "",
                    reason: try c.open($0, \.$reasonSealed), user: $0.$user.id.uuidString,
                    until: $0.endsOn?.dutch, ended: $0.endsOn.map { $0 < today } ?? false)
            },
            isOwner: c.isOwner, isBusinessIntegrity: r.kind == .businessIntegrity, isNew: r.status == .new,
            mailbox: thread, forms: forms, displaced: displaced, retention: retention)
        return context
    }

    /// The case file for the counsellor's dossier (*dossier*): everything on the case page, to
    /// print or save as PDF, without forms and without the reporter's identity. Only the case's
    /// own counsellor makes one, and each is written to the audit log (`case.export`).
    struct FilePage: Encodable, Sendable {
        let generatedAt: String
        let practice: String
        let backURL: String
        let c: Context
    }

    /// GET /cases/:caseID/file
    @Sendable static func file(_ req: Request) async throws -> Response {
        let c = try await CaseAccess.open(req)
        guard c.isOwner else { throw Abort(.notFound) }
        try await req.audit("case.export", subject: "case:\(c.id)")
        let practice = try await Practice.find(Practice.singletonID, on: req.db)?.name ?? ""
        let page = FilePage(
            generatedAt: PublicText.nl.dateFormatter(.long).string(from: Date()), practice: practice,
            backURL: SiteURL.case(.value(c.id)).path, c: try await context(req, c, markRead: false))
        return try await req.printPage(.caseFile, page)
    }
}
