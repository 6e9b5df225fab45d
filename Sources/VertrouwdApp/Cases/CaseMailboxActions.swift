import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The counsellor's side of a reporter's mailbox, on the case page: the thread, replies, the
/// WBK acknowledgement, a written record for the reporter to approve, and opening a mailbox for
/// a case that came in by phone or in person.
enum CaseMailboxActions {
    struct Thread: Encodable, Sendable {
        struct Item: Encodable, Sendable {
            let fromReporter: Bool; let sender, kind, body, at: String; let approvedAt: String?
        }
        let items: [Item]
        let issuedCode: String?
        let attachments: [Attachments.Listed]
    }

    /// The acknowledgement a counsellor sends within 7 days, in the reporter's language. It
    /// promises *beoordeling en, voor zover van toepassing, opvolging* (not that the counsellor
    /// handles everything), says who keeps the identity confidential, and names the external
    /// channels (EU directive 2019/1937 art. 9(1)(g)).
    static func acknowledgementText(_ language: Language) -> String {
        let authorities = ExternalReporting.names(language).map { "- \($0)" }.joined(separator: "\n")
        switch language {
        case .nl:
            return """
                Beste melder,

                Ik bevestig dat ik je melding van een vermoeden van een misstand heb ontvangen. Je hebt haar gedaan \
                als melding onder de Wet bescherming klokkenluiders. \
                Je melding wordt beoordeeld en, voor zover van toepassing, opgevolgd. \
                Binnen drie maanden na deze bevestiging krijg je in deze postbus informatie over de beoordeling en \
                de opvolging.

                Wie je bent, blijft vertrouwelijk: ik maak dat niet bekend zonder jouw uitdrukkelijke toestemming, \
                behalve als de wet mij daartoe verplicht. Dan hoor je dat eerst, als dat kan. \
                Niemand mag je benadelen omdat je meldt, als je redelijke gronden had om aan te nemen dat wat je \
                meldt klopt.

                Je mag ook melden bij een bevoegde instantie buiten je organisatie, bijvoorbeeld:
                \(authorities)

                Advies over je situatie krijg je gratis en vertrouwelijk bij de afdeling Advies van het Huis voor \
                Klokkenluiders.

                Je kunt in deze postbus altijd reageren of vragen stellen.

                Met vriendelijke groet,
                je vertrouwenspersoon
                """
        case .en:
            return """
                Dear reporter,

                I confirm that I have received your report of suspected wrongdoing. You made it as a report under \
                the Dutch Whistleblower Protection Act (Wet bescherming klokkenluiders). \
                Your report will be assessed and, where appropriate, followed up. \
                Within three months of this acknowledgement you will receive information in this mailbox about the \
                assessment and the follow-up.

                Your identity stays confidential: I will not disclose it without your explicit consent, \
                unless the law requires me to. Then you will be told first, where possible. \
                Nobody may treat you unfavourably because you reported, if you had reasonable grounds to believe \
                that what you report is true.

                You may also report to a competent authority outside your organisation, for example:
                \(authorities)

                You can get free and confidential advice from the advice department of the Huis voor Klokkenluiders.

                You can always reply or ask questions in this mailbox.

                Kind regards,
                your confidential counsellor
                """
        }
    }

    /// The language the reporter wrote in; Dutch for a case from before it was kept, or not from the web.
    static func reporterLanguage(_ c: OpenCase) -> Language {
        (try? c.open(c.record, \.$reporterLanguageSealed)).flatMap(Language.init(rawValue:)) ?? .nl
    }

    /// The thread for the case page; reporter messages count as read once the counsellor sees them.
    static func thread(
        _ req: Request, _ c: OpenCase, issuedCode: String? = nil, markRead: Bool = true
    ) async throws -> Thread? {
        guard try await Mailbox.query(on: req.db).filter(\.$case.$id == c.id).count() > 0 else { return nil }
        let messages = try await MailboxMessage.query(on: req.db).filter(\.$case.$id == c.id).sort(\.$createdAt).all()
        let unread = messages.filter { $0.sender == .reporter && $0.readAt == nil }
        if markRead, !unread.isEmpty {
            // A commit of the store: the dashboard's kept reminders ("a message on a closed case")
            // are worked out again.
            try await req.store.transaction { db in
                try await MailboxMessage.query(on: db).filter(\.$id ~~ unread.compactMap(\.id)).set(
                    \.$readAt, to: Date()
                ).update()
            }
        }
        return Thread(
            items: try messages.map { m in
                Thread.Item(
                    fromReporter: m.sender == .reporter,
                    sender: m.sender == .reporter ? "Melder" : "Vertrouwenspersoon",
                    kind: m.kind == .acknowledgement
                        ? "Ontvangstbevestiging" : (m.kind == .record ? "Verslag ter goedkeuring" : ""),
                    body: try c.open(m, \.$bodySealed),
                    at: CaseForms.dutchDateTime(
                        ISO8601DateFormatter.string(
                            from: m.createdAt, timeZone: Day.practiceTimeZone,
                            formatOptions: [
                                .withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate
                            ])),
                    approvedAt: m.approvedAt.map { Day($0).dutch })
            }, issuedCode: issuedCode, attachments: try await Attachments.list(c, on: req.db))
    }

    struct Reply: Content { var body, feedback: String? }

    static func replyForm(
        _ req: Request, _ c: OpenCase, input: Reply = .init(), errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "reply", title: "Bericht aan de melder",
            intro: "De melder leest dit in de postbus. Schrijf in de taal van de melder.",
            action: SiteURL.caseMailbox(.value(c.id), .reply).path, submit: "Versturen", csrf: req.csrfToken)
        form.add("body", "Bericht", type: "textarea", value: input.body, required: true, maxlength: Case.storyLimit)
        if c.record.regime == .whistleblower && c.record.feedbackOn == nil {
            form.checkbox(
                "feedback", "Dit bericht is de terugkoppeling (Wet bescherming klokkenluiders)",
                checked: input.feedback == "on")
        }
        form.apply(errors)
        return form
    }

    static func acknowledgementForm(
        _ req: Request, _ c: OpenCase, input: Reply? = nil, errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "acknowledge", title: "Ontvangstbevestiging sturen",
            intro:
                """
                Binnen 7 dagen na ontvangst. Na versturen staat de bevestiging op vandaag. De tekst staat in de \
                taal waarin de melder schreef.
                """,
            action: SiteURL.caseMailbox(.value(c.id), .acknowledge).path, submit: "Bevestiging versturen",
            csrf: req.csrfToken)
        form.add(
            "body", "Tekst", type: "textarea", value: input?.body ?? acknowledgementText(reporterLanguage(c)),
            required: true,
            maxlength: 4000)
        form.apply(errors)
        return form
    }

    static func recordForm(
        _ req: Request, _ c: OpenCase, input: Reply = .init(), errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "record", title: "Verslag ter controle en goedkeuring",
            intro:
                """
                Bij een mondelinge melding: de melder kan het verslag in de postbus controleren, verbeteren en \
                goedkeuren (EU-richtlijn 2019/1937, art. 18).
                """,
            action: SiteURL.caseMailbox(.value(c.id), .record).path, submit: "Verslag versturen", csrf: req.csrfToken)
        form.add("body", "Verslag", type: "textarea", value: input.body, required: true, maxlength: Case.storyLimit)
        form.apply(errors)
        return form
    }

    /// Opening a mailbox for a reporter who came by phone or in person.
    static func openMailboxForm(_ req: Request, _ c: OpenCase) -> FormView {
        FormView(
            id: "openMailbox", title: "Postbus openen voor deze melder",
            intro:
                """
                Voor een melding per telefoon of in persoon: de melder krijgt een ontvangstcode (die je \
                één keer ziet en doorgeeft) en kan daarmee berichten en een verslag lezen.
                """,
            action: SiteURL.caseMailbox(.value(c.id), .open).path, submit: "Postbus openen", csrf: req.csrfToken
        )
    }

    /// The mailbox forms for the case page (only "open a mailbox" when the case has none).
    static func forms(_ req: Request, _ c: OpenCase, hasMailbox: Bool, into forms: inout CaseFormSet) {
        guard hasMailbox else {
            forms.openMailbox = openMailboxForm(req, c)
            return
        }
        forms.reply = replyForm(req, c)
        forms.record = recordForm(req, c)
        if c.record.regime == .whistleblower && c.record.acknowledgedOn == nil {
            forms.acknowledge = acknowledgementForm(req, c)
        }
    }

    /// Posts the counsellor's message of `kind` from the form, or shows the form again.
    static func post(
        _ req: Request, kind: MailboxMessage.Kind, label: String, max: Int,
        form: @escaping (Request, OpenCase, Reply, FormErrors) -> FormView
    ) async throws -> Response {
        let (c, today) = try await CaseActions.open(req)
        guard try await Mailbox.query(on: req.db).filter(\.$case.$id == c.id).count() > 0 else {
            throw Abort(.notFound)
        }
        if kind == .acknowledgement, c.record.regime != .whistleblower { throw Abort(.notFound) }
        let input = req.form(Reply.self) ?? .init()
        var errors = FormErrors()
        guard let body = errors.text(input.body, "body", label: label, max: max) else {
            return try await CaseActions.refuse(req, c, form(req, c, input, errors))
        }
        return try await CaseActions.save(req, c, anchor: "mailbox", form: { form(req, c, input, $0) }) {
            try await req.cases.postToMailbox(
                c, kind: kind, body: body, isFeedback: kind == .message && input.feedback == "on", today: today)
        }
    }

    /// POST /cases/:caseID/mailbox/reply
    @Sendable static func reply(_ req: Request) async throws -> Response {
        try await post(req, kind: .message, label: "het bericht", max: Case.storyLimit) {
            replyForm($0, $1, input: $2, errors: $3)
        }
    }

    /// POST /cases/:caseID/mailbox/acknowledge — sends the acknowledgement and dates it today.
    @Sendable static func acknowledge(_ req: Request) async throws -> Response {
        try await post(req, kind: .acknowledgement, label: "de tekst", max: 4000) {
            acknowledgementForm($0, $1, input: $2, errors: $3)
        }
    }

    /// POST /cases/:caseID/mailbox/record — a written record for the reporter to check and approve.
    @Sendable static func record(_ req: Request) async throws -> Response {
        try await post(req, kind: .record, label: "het verslag", max: Case.storyLimit) {
            recordForm($0, $1, input: $2, errors: $3)
        }
    }

    /// POST /cases/:caseID/mailbox/open — a mailbox for a case that came in another way; the
    /// receipt code is shown to the counsellor once, to pass on to the reporter.
    @Sendable static func open(_ req: Request) async throws -> Response {
        let (c, _) = try await CaseActions.open(req)
        // The receipt code's hash is worked out first, outside the transaction.
        let prepared = try await MailboxService.prepare(
            language: .nl, kdf: req.application.settings.receiptKDF, app: req.application)
        let code: ReceiptCode
        do {
            code = try await req.cases.openMailbox(c, prepared)
        } catch let refusal as CaseLifecycle.Refusal {
            var errors = FormErrors()
            errors.general = refusal.message
            var form = openMailboxForm(req, c)
            form.apply(errors)
            return try await CaseActions.refuse(req, c, form)
        }
        return try await CasePage.render(req, c, issuedCode: code.grouped)
    }
}
