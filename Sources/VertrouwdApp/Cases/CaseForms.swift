import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The small forms of the case page, drawn with the values the case has now (or, after a
/// refused submission, with what the counsellor typed and the errors).
/// The fields of a case's facts, in the intake form and the details form alike.
protocol CaseFactsForm {
    var categories: [String]? { get }
    var reporterRole: String? { get }
    var channel: String? { get }
    var department: String? { get }
    var relation: String? { get }
    var regime: String? { get }
    var summary: String? { get }
    var accused: String? { get }
}

enum CaseForms {
    struct Consent: Content {
        var consentBasis: String?
        var consentOn: String?
        var consentMethod: String?
        var consentRemark: String?
    }

    /// The four consent fields shared by every step towards a third party.
    static func addConsentFields(_ form: inout FormView, _ input: Consent) {
        form.choice(
            "consentBasis", "Grondslag",
            options: [
                ("consent", "De melder gaf toestemming"),
                (
                    "legal_duty",
                    "Zonder toestemming: een wettelijke plicht of een conflict van plichten (reden verplicht)"
                )
            ],
            selected: [input.consentBasis ?? ""],
            hint:
                """
                Nodig voor elke stap waarbij iemand anders dan de melder iets hoort. Er is geen algemene plicht \
                om strafbare feiten te melden: zonder toestemming alleen bij een wettelijke plicht of als \
                zwijgen ernstig gevaar laat bestaan (conflict van plichten). Schrijf de reden op.
                """,
            blank: "Geen toestemming nodig voor deze stap")
        form.add("consentOn", "Toestemming gegeven op", type: "date", value: input.consentOn)
        form.choice(
            "consentMethod", "Hoe gegeven", ConsentMethod.self, selected: [input.consentMethod ?? ""], blank: "Kies hoe"
        )
        form.add(
            "consentRemark", "Toelichting (zonder toestemming: de reden)", value: input.consentRemark,
            maxlength: 1000)
    }

    /// Reads the consent fields: nil when none was given.
    static func consent(_ input: Consent, errors: inout FormErrors) -> CaseWriter.Consent? {
        let remark =
            errors.text(input.consentRemark, "consentRemark", label: "de toelichting", max: 1000, required: false) ?? ""
        switch input.consentBasis ?? "" {
        case "":
            return nil
        case "consent":
            let day = errors.day(input.consentOn, "consentOn", label: "de datum van de toestemming")
            let method = errors.choice(
                input.consentMethod, "consentMethod", ConsentMethod.self, label: "hoe de toestemming is gegeven")
            guard let day, let method else { return nil }
            return .init(basis: .reporterConsent(givenOn: day, method: method), remark: remark)
        case "legal_duty":
            return .init(basis: .legalDuty(reason: remark), remark: remark)
        default:
            errors["consentBasis"] = "Kies een grondslag uit de lijst."
            return nil
        }
    }

    /// The consent field a refusal belongs beside.
    static func field(for problem: ConsentError) -> String {
        switch problem {
        case .legalDutyWithoutReason: "consentRemark"
        case .givenInTheFuture: "consentOn"
        case .missing, .reporterConsentRequired: "consentBasis"
        }
    }

    struct Details: Content, CaseFactsForm {
        var kind: String?
        var categories: [String]?
        var reporterRole, channel, department, relation, regime, summary, accused: String?
    }

    /// The facts the intake form and the details form both set, checked (the kind is chosen apart:
    /// nil when it was refused). Nil when any is wrong; the errors say which.
    static func facts(
        _ input: some CaseFactsForm, kind: CaseKind?, organisation: Organisation?, errors: inout FormErrors
    )
        -> CaseWriter.Details?
    {
        let categories = errors.categories(
            input.categories, required: kind != nil && kind != .informationRequest && kind != .unclassified)
        let role = errors.choice(input.reporterRole, "reporterRole", ReporterRole.self, label: "wie meldt")
        let channel = errors.choice(input.channel, "channel", IntakeChannel.self, label: "hoe de melding binnenkwam")
        let department = errors.department(input.department, of: organisation)
        let relation = errors.choice(
            input.relation, "relation", AccusedRelation.self, label: "de relatie tot de beklaagde")
        let regime = errors.choice(input.regime, "regime", Regime.self, label: "het regime")
        let summary =
            errors.text(input.summary, "summary", label: "het verhaal", max: Case.storyLimit, required: false) ?? ""
        let accused = errors.text(input.accused, "accused", label: "de beklaagde", max: 300, required: false) ?? ""
        guard let kind, let role, let channel, let relation, let regime else { return nil }
        return .init(
            kind: kind, categories: categories, reporterRole: role, channel: channel, department: department,
            relation: relation, regime: regime, summary: summary, accused: accused)
    }

    /// A case becomes a report under the Wet bescherming klokkenluiders only where the counsellor is
    /// the organisation's channel for it (its meldregeling names the counsellor): elsewhere the
    /// law's clocks and the promise of an investigation do not hold, and the organisation's own
    /// channel is the place. Checked when a case is made or moves to that regime, not afterwards.
    static func refuseWhistleblowerRegime(
        _ regime: Regime?, becoming: Bool, at organisation: Organisation?, errors: inout FormErrors
    ) {
        guard becoming, regime == .whistleblower, let organisation, !organisation.whistleblowerChannel else { return }
        errors["regime"] =
            """
            Bij \(organisation.name) is de vertrouwenspersoon geen meldkanaal onder de Wet bescherming \
            klokkenluiders. Kies Vertrouwelijk en verwijs de melder naar het meldkanaal van de organisatie of naar \
            een bevoegde instantie; of laat de beheerder eerst vastleggen dat jij het meldkanaal bent.
            """
    }

    struct Escalation: Content { var level, day, note: String? }
    struct Referral: Content { var target, day, passesPersonalData, note: String? }
    struct Report: Content { var day, selfReportConsidered, anonymous, note: String? }
    struct WBK: Content { var acknowledgedOn, feedbackOn: String? }
    struct Appointment: Content { var startsAt, duration, mode, place: String? }
    struct Time: Content { var day, hours, overBudget: String? }
    struct Note: Content { var body: String? }
    struct Peer: Content { var peerSummary: String? }
    struct Aftercare: Content { var aftercareOn: String? }
    struct Close: Content { var outcome, closedOn, closingNote, openSteps: String? }
    struct Share: Content { var user, reason, ends: String? }
    struct Identity: Content { var reporterName, reporterContact: String? }

    static func details(
        _ req: Request, _ c: OpenCase, input: Details? = nil, consent: Consent = .init(), errors: FormErrors = .init()
    ) throws -> FormView {
        let r = c.record
        let v =
            try input
            ?? Details(
                kind: r.kind == .unclassified ? nil : r.kind.rawValue,
                categories: r.categories.map(\.category.rawValue),
                reporterRole: r.reporterRole.rawValue, channel: r.channel.rawValue, department: r.department,
                relation: r.relation.rawValue, regime: r.regime.rawValue,
                summary: c.open(r, \.$summarySealed), accused: c.open(r, \.$accusedSealed))
        let accepting = r.status == .new
        var form = FormView(
            id: "details", title: accepting ? "Aannemen: indelen en opslaan" : "Gegevens en verhaal",
            intro: accepting
                ? """
                Deze aanvraag of melding kwam via de website binnen. Deel haar in; bij opslaan wordt het een \
                lopende melding.
                """
                : nil,
            action: SiteURL.case(.value(c.id), .details).path, submit: accepting ? "Aannemen" : "Opslaan",
            csrf: req.csrfToken)
        if accepting || r.kind == .unclassified {
            form.choice(
                "kind", "Soort", options: CaseKind.classified.map { ($0.rawValue, $0.label) }, selected: [v.kind ?? ""],
                hint: CaseKind.distinction, required: true, blank: "Kies de soort")
        }
        form.choice(
            "categories", "Waar gaat het over?", CaseCategory.self, selected: v.categories ?? [], multiple: true)
        form.choice("reporterRole", "Wie meldt", ReporterRole.self, selected: [v.reporterRole ?? ""], required: true)
        form.choice("channel", "Binnengekomen via", IntakeChannel.self, selected: [v.channel ?? ""], required: true)
        form.add("department", "Afdeling", value: v.department, maxlength: 120)
        form.choice(
            "relation", "Relatie tot de beklaagde", AccusedRelation.self, selected: [v.relation ?? ""], required: true)
        form.choice(
            "regime", "Regime", Regime.self, selected: [v.regime ?? ""],
            hint:
                """
                Een vertrouwelijk gesprek wordt alleen met toestemming van de melder een melding onder de Wet \
                bescherming klokkenluiders.
                """,
            required: true)
        form.add("summary", "Het verhaal", type: "textarea", value: v.summary, maxlength: Case.storyLimit)
        form.add("accused", "Beklaagde", value: v.accused, maxlength: 300)
        if c.record.regime == .confidential {
            form.choice(
                "consentBasis", "Toestemming voor melding onder de Wet bescherming klokkenluiders",
                options: [("consent", "De melder gaf toestemming")], selected: [consent.consentBasis ?? ""],
                hint:
                    "Alleen nodig als je het regime wijzigt naar een melding onder de Wet bescherming klokkenluiders.",
                blank: "Niet van toepassing")
            form.add("consentOn", "Toestemming gegeven op", type: "date", value: consent.consentOn)
            form.choice(
                "consentMethod", "Hoe gegeven", ConsentMethod.self, selected: [consent.consentMethod ?? ""],
                blank: "Kies hoe")
            form.add("consentRemark", "Toelichting", value: consent.consentRemark, maxlength: 1000)
        }
        form.apply(errors)
        return form
    }

    /// Ticking a step off on a day, or (once done) undoing it.
    static func step(
        _ req: Request, _ c: OpenCase, _ step: WorkflowStep, done: Bool, day: String?, errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "step-\(step.code)", action: SiteURL.case(.value(c.id), .steps).path,
            submit: done ? "Ongedaan maken" : "Afvinken",
            csrf: req.csrfToken)
        form.add("step", "Stap", type: "hidden", value: step.code)
        if done {
            form.add("undo", "", type: "hidden", value: "1")
            form.secondary = true
        } else {
            form.add("day", "Gedaan op (stap \(step.number))", type: "date", value: day, required: true)
        }
        form.apply(errors)
        return form
    }

    static func escalation(
        _ req: Request, _ c: OpenCase, input: Escalation = .init(), consent: Consent = .init(),
        errors: FormErrors = .init(), today: Day
    ) -> FormView {
        var form = FormView(
            id: "escalation", title: "Stap op de escalatieladder",
            action: SiteURL.case(.value(c.id), .escalations).path,
            submit: "Stap vastleggen", csrf: req.csrfToken)
        form.choice(
            "level", "Niveau", options: LadderLevel.allCases.map { (String($0.rawValue), $0.label) },
            selected: [input.level ?? String(c.record.ladderLevel.rawValue)], required: true)
        form.add("day", "Datum", type: "date", value: input.day ?? today.iso, required: true)
        form.add("note", "Toelichting", type: "textarea", value: input.note, maxlength: 4000)
        addConsentFields(&form, consent)
        form.apply(errors)
        return form
    }

    static func referral(
        _ req: Request, _ c: OpenCase, input: Referral = .init(), consent: Consent = .init(),
        errors: FormErrors = .init(), today: Day
    ) -> FormView {
        var form = FormView(
            id: "referral", title: "Doorverwijzing", action: SiteURL.case(.value(c.id), .referrals).path,
            submit: "Doorverwijzing vastleggen", csrf: req.csrfToken)
        form.choice(
            "target", "Naar", ReferralTarget.self, selected: [input.target ?? ""], required: true,
            blank: "Kies naar wie")
        form.add("day", "Datum", type: "date", value: input.day ?? today.iso, required: true)
        form.checkbox(
            "passesPersonalData", "Ik geef gegevens van de melder door (dan is toestemming nodig)",
            checked: input.passesPersonalData == "on")
        form.add("note", "Toelichting", type: "textarea", value: input.note, maxlength: 4000)
        addConsentFields(&form, consent)
        form.apply(errors)
        return form
    }

    static func report(
        _ req: Request, _ c: OpenCase, input: Report = .init(), consent: Consent = .init(),
        errors: FormErrors = .init(), today: Day
    ) -> FormView {
        var form = FormView(
            id: "report", title: "Namens de melder melden bij de leiding",
            intro:
                """
                Stap 4 bij zakelijke integriteit. In eerste instantie meldt de melder zelf bij het management, \
                als de aard van de melding hiertoe aanleiding geeft. Alleen als dat niet mogelijk is, meld je \
                namens de melder. Weeg af of de melder anoniem kan blijven.
                """,
            action: SiteURL.case(.value(c.id), .reportOnBehalf).path, submit: "Melding namens melder vastleggen",
            csrf: req.csrfToken)
        form.add("day", "Datum", type: "date", value: input.day ?? today.iso, required: true)
        form.checkbox(
            "selfReportConsidered",
            "Zelf melden bij het management is met de melder besproken en is niet mogelijk",
            checked: input.selfReportConsidered == "on", hint: "Schrijf bij de toelichting waarom niet.")
        form.checkbox(
            "anonymous", "De melder blijft anoniem tegenover de organisatie", checked: input.anonymous == "on")
        form.add("note", "Toelichting", type: "textarea", value: input.note, maxlength: 4000)
        addConsentFields(&form, consent)
        form.apply(errors)
        return form
    }

    static func wbk(_ req: Request, _ c: OpenCase, input: WBK? = nil, errors: FormErrors = .init()) -> FormView {
        let v = input ?? WBK(acknowledgedOn: c.record.acknowledgedOn?.iso, feedbackOn: c.record.feedbackOn?.iso)
        var form = FormView(
            id: "wbk", title: "Termijnen klokkenluidersmelding", action: SiteURL.case(.value(c.id), .wbk).path,
            submit: "Opslaan",
            csrf: req.csrfToken)
        form.add("acknowledgedOn", "Ontvangst bevestigd op", type: "date", value: v.acknowledgedOn)
        form.add("feedbackOn", "Terugkoppeling gegeven op", type: "date", value: v.feedbackOn)
        form.apply(errors)
        return form
    }

    static func appointment(
        _ req: Request, _ c: OpenCase, input: Appointment = .init(), errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "appointment", title: "Afspraak maken", action: SiteURL.case(.value(c.id), .appointments).path,
            submit: "Afspraak vastleggen", csrf: req.csrfToken)
        form.add("startsAt", "Datum en tijd", type: "datetime-local", value: input.startsAt, required: true)
        form.add(
            "duration", "Duur in minuten", type: "number", value: input.duration ?? "60", required: true,
            inputmode: "numeric")
        form.choice(
            "mode", "Vorm", AppointmentMode.self, selected: [input.mode ?? ""], required: true, blank: "Kies de vorm")
        form.add(
            "place", "Plaats of link", value: input.place,
            hint: "Een plek die veilig is voor de melder. Versleuteld; niet in je agenda-feed.", maxlength: 300)
        form.apply(errors)
        return form
    }

    static func time(
        _ req: Request, _ c: OpenCase, input: Time = .init(), errors: FormErrors = .init(), today: Day
    ) -> FormView {
        var form = FormView(
            id: "time", title: "Uren schrijven", action: SiteURL.case(.value(c.id), .time).path,
            submit: "Uren schrijven",
            csrf: req.csrfToken)
        form.add("day", "Datum", type: "date", value: input.day ?? today.iso, required: true)
        form.add(
            "hours", "Uren", value: input.hours, hint: "In kwartieren: 0,25 · 0,5 · 1,75 of 1:45.", required: true,
            inputmode: "decimal", maxlength: 8)
        form.askOverBudget(errors, checked: input.overBudget == "on")
        form.apply(errors)
        return form
    }

    static func note(_ req: Request, _ c: OpenCase, input: Note = .init(), errors: FormErrors = .init()) -> FormView {
        var form = FormView(
            id: "note", title: "Notitie toevoegen", action: SiteURL.case(.value(c.id), .notes).path,
            submit: "Notitie opslaan",
            csrf: req.csrfToken)
        form.add(
            "body", "Notitie", type: "textarea", value: input.body, hint: "Versleuteld opgeslagen.", required: true,
            maxlength: Case.storyLimit)
        form.apply(errors)
        return form
    }

    static func peer(
        _ req: Request, _ c: OpenCase, input: Peer? = nil, errors: FormErrors = .init()
    ) throws
        -> FormView
    {
        let v = try input ?? Peer(peerSummary: c.open(c.record, \.$peerSummarySealed))
        var form = FormView(
            id: "peerSummary", title: "Geanonimiseerde samenvatting voor intervisie",
            intro:
                """
                Voor overleg met vakgenoten: zonder namen, organisatie, afdeling of andere details waaraan \
                iemand te herkennen is.
                """,
            action: SiteURL.case(.value(c.id), .peerSummary).path, submit: "Opslaan", csrf: req.csrfToken)
        form.add("peerSummary", "Samenvatting", type: "textarea", value: v.peerSummary, maxlength: 4000)
        form.apply(errors)
        return form
    }

    static func aftercare(
        _ req: Request, _ c: OpenCase, input: Aftercare? = nil, errors: FormErrors = .init()
    ) -> FormView {
        let v = input ?? Aftercare(aftercareOn: c.record.aftercareOn?.iso)
        var form = FormView(
            id: "aftercare", title: "Nazorg", action: SiteURL.case(.value(c.id), .aftercare).path,
            submit: "Nazorg plannen",
            csrf: req.csrfToken)
        form.add("aftercareOn", "Nazorg op", type: "date", value: v.aftercareOn, required: true)
        form.apply(errors)
        return form
    }

    static func close(
        _ req: Request, _ c: OpenCase, input: Close = .init(), errors: FormErrors = .init(), today: Day
    ) -> FormView {
        var form = FormView(
            id: "close", title: "Melding afsluiten", action: SiteURL.case(.value(c.id), .close).path,
            submit: "Afsluiten",
            csrf: req.csrfToken)
        form.choice(
            "outcome", "Uitkomst", Outcome.self, selected: [input.outcome ?? ""], required: true,
            blank: "Kies de uitkomst")
        form.add("closedOn", "Afgesloten op", type: "date", value: input.closedOn ?? today.iso, required: true)
        form.add(
            "closingNote", "Slotnotitie", type: "textarea", value: input.closingNote, hint: "Versleuteld.",
            maxlength: 4000)
        form.apply(errors)
        return form
    }

    /// The close form asks first when steps of the workflow are not ticked off: it names them,
    /// and closing needs a tick that this is meant.
    static func askOpenSteps(_ form: inout FormView, open: [WorkflowStep], checked: Bool) {
        guard !open.isEmpty else { return }
        let names = open.map { "\($0.number). \($0.label)" }.joined(separator: "; ")
        let i = form.fields.firstIndex { $0.name == "closingNote" } ?? form.fields.endIndex
        var ask = FormView(id: form.id, action: "", submit: "", csrf: "")
        ask.checkbox(
            "openSteps", "Ik sluit af terwijl er stappen open staan", checked: checked,
            hint: "Niet afgevinkt: \(names).")
        form.fields.insert(contentsOf: ask.fields, at: i)
    }

    static func reopen(_ req: Request, _ c: OpenCase, errors: FormErrors = .init()) -> FormView {
        var form = FormView(
            id: "reopen", title: "Melding heropenen",
            intro:
                """
                Komt de melder terug op deze melding? Heropen haar: uitkomst en afsluitdatum vervallen, de rest \
                blijft staan.
                """,
            action: SiteURL.case(.value(c.id), .reopen).path, submit: "Heropenen", csrf: req.csrfToken)
        form.apply(errors)
        return form
    }

    static func share(
        _ req: Request, _ c: OpenCase, counsellors: [User], input: Share = .init(), errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "share", title: "Delen met een vervanger",
            intro: "Alleen bij afwezigheid. De vervanger kan de melding dan lezen en bijwerken; dit wordt vastgelegd.",
            action: SiteURL.case(.value(c.id), .shares).path, submit: "Delen", csrf: req.csrfToken)
        form.choice(
            "user", "Vervanger", options: counsellors.map { ($0.id!.uuidString, $0.name) },
            selected: [input.user ?? ""],
            required: true, blank: "Kies een vertrouwenspersoon")
        form.add("reason", "Reden", value: input.reason, required: true, maxlength: 300)
        form.add(
            "ends", "Tot en met", type: "date", value: input.ends,
            hint:
                """
                De laatste dag van de vervanging. Daarna opent de vervanger de melding niet meer. Leeg: tot je \
                het delen beëindigt.
                """
        )
        form.apply(errors)
        return form
    }

    /// Every form of the case page with the case's current values.
    static func all(_ req: Request, _ c: OpenCase, today: Day) -> CaseFormSet {
        var forms = CaseFormSet()
        forms.escalation = escalation(req, c, today: today)
        forms.referral = referral(req, c, today: today)
        forms.appointment = appointment(req, c)
        forms.time = time(req, c, today: today)
        forms.note = note(req, c)
        forms.aftercare = aftercare(req, c)
        forms.close = close(req, c, today: today)
        forms.details = try? details(req, c)
        forms.peerSummary = try? peer(req, c)
        if c.record.regime == .whistleblower { forms.wbk = wbk(req, c) }
        if c.record.kind == .businessIntegrity { forms.report = report(req, c, today: today) }
        return forms
    }

    struct IdentityPage: Encodable, Sendable {
        let meta: PageMeta
        let reference: String
        let caseURL: String
        let form: FormView

        init(_ req: Request, _ c: OpenCase, form: FormView) {
            meta = req.meta("Identiteit melder \(c.record.reference)", section: "cases")
            reference = c.record.reference
            caseURL = SiteURL.case(.value(c.id)).path
            self.form = form
        }
    }

    static func identity(
        _ req: Request, _ c: OpenCase, input: Identity? = nil, errors: FormErrors = .init()
    ) throws -> FormView {
        let v =
            try input
            ?? .init(
                reporterName: c.open(c.record, \.$reporterNameSealed),
                reporterContact: c.open(c.record, \.$reporterContactSealed))
        var form = FormView(
            id: "identity", title: "Identiteit van de melder",
            intro:
                """
                Apart van het verhaal bewaard en versleuteld. Elke keer dat deze pagina wordt geopend, wordt \
                vastgelegd.
                """,
            action: SiteURL.case(.value(c.id), .identity).path, submit: "Opslaan", csrf: req.csrfToken)
        form.add("reporterName", "Naam", value: v.reporterName, maxlength: 200)
        form.add("reporterContact", "Contactgegevens", value: v.reporterContact, maxlength: 300)
        form.apply(errors)
        return form
    }

    /// `2026-11-23T14:30` → `23-11-2026 14:30`.
    static func dutchDateTime(_ local: String) -> String {
        guard local.count >= 16, let day = Day(iso: String(local.prefix(10))) else { return local }
        return "\(day.dutch) \(local.dropFirst(11).prefix(5))"
    }

    /// Checks `yyyy-MM-ddTHH:mm` (what a datetime-local field sends).
    static func parseLocalDateTime(_ text: String?) -> String? {
        guard let t = text?.trimmingCharacters(in: .whitespaces), t.count == 16 || t.count == 19,
            let day = Day(iso: String(t.prefix(10)))
        else { return nil }
        let rest = t.dropFirst(10)
        guard rest.first == "T" else { return nil }
        let time = rest.dropFirst().prefix(5).split(separator: ":")
        guard time.count == 2, let h = Int(time[0]), let m = Int(time[1]), (0..<24).contains(h), (0..<60).contains(m),
            time[0].count == 2, time[1].count == 2
        else { return nil }
        return "\(day.iso)T\(time[0]):\(time[1])"
    }
}

extension FormErrors {
    /// The categories ticked, all from the list; at least one when `required`.
    mutating func categories(_ values: [String]?, required: Bool) -> [CaseCategory] {
        let categories = (values ?? []).compactMap(CaseCategory.init(rawValue:))
        if categories.count != (values ?? []).count {
            self["categories"] = "Kies alleen categorieën uit de lijst."
        } else if required && categories.isEmpty {
            self["categories"] = "Kies minstens één categorie (of 'Overig')."
        }
        return categories
    }

    /// A department as the organisation recorded it (any case), or empty.
    mutating func department(_ value: String?, of org: Organisation?) -> String {
        let typed = text(value, "department", label: "de afdeling", max: 120, required: false) ?? ""
        guard !typed.isEmpty, let org else { return typed }
        if let match = org.departmentList.first(where: { $0.lowercased() == typed.lowercased() }) { return match }
        self["department"] =
            org.departmentList.isEmpty
            ? "Voor deze organisatie zijn geen afdelingen vastgelegd; laat dit leeg."
            : "Kies een afdeling zoals vastgelegd bij de organisatie: \(org.departmentList.joined(separator: ", "))."
        return typed
    }
}
