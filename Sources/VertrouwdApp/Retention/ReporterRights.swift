import Fluent
import Vapor
import VertrouwdCore
import VertrouwdReports
import VertrouwdStore

/// The reporter's rights through the mailbox (AVG art. 15–17): download their own file, ask for
/// a correction or for deletion; and the counsellor's side: answer those requests within the
/// legal month, and place a legal hold (*bewaarplicht*) that keeps a case past its retention.
enum ReporterRights {
    /// The mailbox's texts for these rights, in the reporter's language (B1).
    struct Text: Encodable, Sendable {
        let title, intro, download, downloadHint: String
        let correctionTitle, correctionLabel, correctionSubmit: String
        let deletionTitle, deletionIntro, deletionConfirm, deletionSubmit, deletionConfirmMissing: String
        let requestsTitle, correction, deletion, madeOn, answerBy, waiting, granted, refused, refusedNote: String
        let requestSent, deletedTitle, tooManyDownloads, deletedText: String
        let fileTitle, fileReport, fileContact, fileMessages, fileAttachments, fileNoStaffNotes: String

        static let nl = Text(
            title: "Je gegevens",
            intro:
                """
                Je mag je eigen dossier inzien, en vragen om het te verbeteren of te verwijderen. De \
                vertrouwenspersoon beslist binnen een maand; moet iets bewaard blijven, dan hoor je waarom.
                """,
            download: "Download je dossier (ZIP)",
            downloadHint:
                """
                Je melding, je berichten, de antwoorden en je bijlagen. Het bestand komt in je downloads: \
                bewaar het op een veilige plek, niet op een telefoon of computer van je werk.
                """,
            correctionTitle: "Iets verbeteren", correctionLabel: "Wat klopt er niet, en wat moet het zijn?",
            correctionSubmit: "Verbetering vragen",
            deletionTitle: "Vragen om je dossier te verwijderen",
            deletionIntro:
                """
                De vertrouwenspersoon beslist binnen een maand. Wordt je verzoek toegekend, dan is je melding \
                meteen en voorgoed niet meer te lezen, ook niet voor de vertrouwenspersoon, en werkt deze \
                postbus niet meer. Download je dossier eerst als je het wilt houden. Wat blijft: het kenmerk, \
                de data en de soort melding, zonder inhoud (voor het jaarverslag).
                """,
            deletionConfirm: "Ik wil dat mijn dossier wordt verwijderd", deletionSubmit: "Verwijdering vragen",
            deletionConfirmMissing: "Vink aan dat je je dossier wilt laten verwijderen.",
            requestsTitle: "Je verzoeken", correction: "Verbetering", deletion: "Verwijdering", madeOn: "gevraagd op",
            answerBy: "antwoord uiterlijk", waiting: "Wacht op antwoord", granted: "Toegekend", refused: "Afgewezen",
            refusedNote:
                "Ben je het niet eens met dit besluit? Je kunt een klacht indienen bij de Autoriteit Persoonsgegevens.",
            requestSent: "Je verzoek is verstuurd. Je krijgt binnen een maand antwoord in deze postbus.",
            deletedTitle: "Je dossier is verwijderd",
            tooManyDownloads:
                "Je hebt je dossier het afgelopen uur al vaak gedownload. Probeer het over een uur opnieuw.",
            deletedText:
                """
                De inhoud van je melding is vernietigd op {day}. Niemand kan haar nog lezen. Bewaard zijn \
                alleen het kenmerk, de data en de soort melding, zonder inhoud.
                """,
            fileTitle: "Dossier", fileReport: "Je melding", fileContact: "Je naam en contactgegevens",
            fileMessages: "Berichten",
            fileAttachments: "Bijlagen (in de map bijlagen)",
            fileNoStaffNotes: "Werkaantekeningen van de vertrouwenspersoon horen niet bij dit bestand.")

        static let en = Text(
            title: "Your data",
            intro:
                """
                You may see your own file, and ask for it to be corrected or deleted. The counsellor decides \
                within one month; if something has to be kept, you will be told why.
                """,
            download: "Download your file (ZIP)",
            downloadHint:
                """
                Your report, your messages, the replies and your attachments. The file goes to your downloads: \
                keep it somewhere safe, not on a work phone or computer.
                """,
            correctionTitle: "Correct something", correctionLabel: "What is wrong, and what should it be?",
            correctionSubmit: "Ask for a correction",
            deletionTitle: "Ask for your file to be deleted",
            deletionIntro:
                """
                The counsellor decides within one month. If your request is granted, nobody can read your \
                report any more, not even the counsellor, and this mailbox stops working. Download your file \
                first if you want to keep it. What stays: the reference, the dates and the kind of report, \
                without content (for the annual report).
                """,
            deletionConfirm: "I want my file to be deleted", deletionSubmit: "Ask for deletion",
            deletionConfirmMissing: "Tick the box to say you want your file deleted.",
            requestsTitle: "Your requests", correction: "Correction", deletion: "Deletion", madeOn: "asked on",
            answerBy: "answer by", waiting: "Waiting for an answer", granted: "Granted", refused: "Refused",
            refusedNote:
                """
                Do you disagree with this decision? You can complain to the Dutch Data Protection Authority \
                (Autoriteit Persoonsgegevens).
                """,
            requestSent: "Your request was sent. You will get an answer in this mailbox within one month.",
            deletedTitle: "Your file was deleted",
            tooManyDownloads: "You downloaded your file many times in the last hour. Please try again in an hour.",
            deletedText:
                """
                The contents of your report were destroyed on {day}. Nobody can read them any more. Only the \
                reference, the dates and the kind of report were kept, without content.
                """,
            fileTitle: "File", fileReport: "Your report", fileContact: "Your name and contact details",
            fileMessages: "Messages",
            fileAttachments: "Attachments (in the folder bijlagen)",
            fileNoStaffNotes: "The counsellor's working notes are not part of this file.")

        static func of(_ language: Language) -> Text { language == .en ? en : nl }
    }

    /// The reporter's side of a request, for the mailbox.
    struct RequestView: Encodable, Sendable { let kind, madeOn, answerBy, status, note: String; let refused: Bool }

    /// The rights section of the mailbox.
    struct Section: Encodable, Sendable {
        let t: Text
        let requests: [RequestView]
        let correctionForm: FormView
        let deletionForm: FormView?
    }

    struct RequestForm: Content { var kind: String?; var body: String?; var confirm: String? }

    static func section(
        _ req: Request, _ c: OpenCase, input: RequestForm = .init(), errors: FormErrors = .init()
    ) async throws -> Section {
        let t = Text.of(req.language)
        let pt = PublicText.of(req.language)
        let rows = try await ReporterRequest.query(on: req.db).filter(\.$case.$id == c.id).sort(\.$madeAt).all()
        let formatter = pt.dateFormatter(.medium)
        let views = try rows.map { r in
            RequestView(
                kind: r.kind == .deletion ? t.deletion : t.correction,
                madeOn: formatter.string(from: r.madeAt),
                answerBy: formatter.string(
                    from: Calendar(identifier: .gregorian).date(byAdding: .month, value: 1, to: r.madeAt) ?? r.madeAt),
                status: r.answer.map { $0 == .granted ? t.granted : t.refused } ?? t.waiting,
                note: try r.answerNote(c), refused: r.answer == .refused)
        }
        var correction = FormView(
            id: "verbetering", title: t.correctionTitle, action: SiteURL.postbusRequests.path,
            submit: t.correctionSubmit, csrf: req.csrfToken)
        correction.summaryTitle = pt.checkForm
        correction.add("kind", "", type: "hidden", value: "correction")
        correction.add(
            "body", t.correctionLabel, type: "textarea", value: input.kind == "correction" ? input.body : nil,
            required: true, maxlength: Case.storyLimit)
        correction.secondary = true
        var deletion: FormView?
        if !rows.contains(where: { $0.kind == .deletion && $0.answeredAt == nil }) {
            var form = FormView(
                id: "verwijdering", title: t.deletionTitle, intro: t.deletionIntro,
                action: SiteURL.postbusRequests.path, submit: t.deletionSubmit, csrf: req.csrfToken)
            form.summaryTitle = pt.checkForm
            form.add("kind", "", type: "hidden", value: "deletion")
            form.checkbox("confirm", t.deletionConfirm, checked: false)
            form.secondary = true
            deletion = form
        }
        if input.kind == "deletion" { deletion?.apply(errors) } else { correction.apply(errors) }
        return Section(t: t, requests: views, correctionForm: correction, deletionForm: deletion)
    }

    /// GET /postbus/file — the reporter's own file as a ZIP: a plain-text printout of what they
    /// sent and the replies, and their attachments. No staff notes. Audited.
    @Sendable static func download(_ req: Request) async throws -> Response {
        guard let (_, mailbox) = try await PostbusController.current(req) else {
            return try await PostbusController.expired(req)
        }
        guard
            let record = try await Case.query(on: req.db).filter(\.$id == mailbox.$case.id).with(\.$organisation)
                .first(),
            record.destroyedOn == nil
        else { return req.redirect(to: .postbus) }
        let c = try PostbusController.caseKey(req, record)
        let t = Text.of(req.language)
        // The download is recorded first and counted in the same transaction, after the audit
        // log's lock: of twelve parallel downloads five are counted, not all twelve (a count
        // read before any of them was recorded let every one through).
        struct TooMany: Error {}
        let hourAgo = Int64((Date().timeIntervalSince1970 - 3600) * 1000)
        do {
            try await req.store.transaction { db in
                try await Audit.record(
                    "mailbox.download", subject: "case:\(c.id)", actor: "reporter", store: req.store, db: db)
                let recent = try await AuditEvent.query(on: db).filter(\.$action == "mailbox.download")
                    .filter(\.$subject == "case:\(c.id)").filter(\.$atMillis > hourAgo).count()
                if recent > Self.downloadsPerHour { throw TooMany() }
            }
        } catch is TooMany {
            return try await PostbusController.render(req, mailbox, flash: t.tooManyDownloads, status: .tooManyRequests)
        }

        let pt = PublicText.of(req.language)
        let formatter = pt.dateFormatter(.medium)
        var text =
            "\(t.fileTitle) \(record.reference) — \(record.organisation.name)\n\n== \(t.fileReport) "
            + "(\(record.createdAt.map { formatter.string(from: $0) } ?? record.openedOn.dutch))\n\n"
        if let words = try await Self.wordsAsSent(c, on: req.db) {
            text +=
                words.text + "\n" + words.answers.map { "\n\($0.question)\n  \($0.answer)" }.joined()
                + (words.answers.isEmpty ? "" : "\n")
        } else {
            text += pt.wordsNotKept + "\n"
        }
        let identity = [try c.open(record, \.$reporterNameSealed), try c.open(record, \.$reporterContactSealed)].filter
        { !$0.isEmpty }
        if !identity.isEmpty { text += "\n== \(t.fileContact)\n\n" + identity.joined(separator: "\n") + "\n" }
        text += "\n== \(t.fileMessages)\n"
        for m in try await MailboxMessage.query(on: req.db).filter(\.$case.$id == c.id).sort(\.$createdAt).all() {
            text +=
                "\n-- \(m.sender == .reporter ? pt.you : pt.counsellor), \(formatter.string(from: m.createdAt))\n"
                + (try c.open(m, \.$bodySealed)) + "\n"
        }
        let requests = try await section(req, c).requests
        if !requests.isEmpty {
            text += "\n== \(t.requestsTitle)\n"
            for r in requests {
                text += "\n-- \(r.kind), \(t.madeOn) \(r.madeOn): \(r.status)\n" + (r.note.isEmpty ? "" : r.note + "\n")
            }
        }
        // The attachments are read twice, a piece at a time: once to count (a ZIP names each
        // entry's size and CRC before its bytes), once to send. The file is never whole in memory.
        var entries: [(path: String, attachment: Attachment, crc: UInt32)] = []
        var used: Set<String> = []
        for a in try await Attachment.query(on: req.db).filter(\.$case.$id == c.id).sort(\.$createdAt).all() {
            var name = Self.safeName(
                try c.open(a, \.$filenameSealed), kind: AttachmentKind(rawValue: a.kind)?.fileExtension ?? "bin")
            while used.contains(name) { name = "1-" + name }
            used.insert(name)
            var crc: UInt32 = 0, size = 0
            try await Attachments.pieces(of: a, key: c.key, on: req.db) {
                crc = ZipStream.crc($0, continuing: crc); size += $0.count
            }
            // The size is the entry's in the ZIP's headers: a file that does not match is no file.
            guard size == a.size else { throw EnvelopeError.unreadable }
            entries.append(("bijlagen/" + name, a, crc))
        }
        if !entries.isEmpty {
            text += "\n== \(t.fileAttachments)\n" + entries.map { "- \($0.path)" }.joined(separator: "\n") + "\n"
        }
        text += "\n\(t.fileNoStaffNotes)\n"
        let printout = Data(text.utf8), printoutName = "dossier-\(record.reference).txt"
        let db = req.db, key = c.key, logger = req.logger, sent = entries
        let body = Response.Body(managedAsyncStream: { writer in
            var zip = ZipStream(modified: Date())
            do {
                try await writer.writeBuffer(
                    ByteBuffer(
                        data: try zip.header(path: printoutName, size: printout.count, crc: ZipStream.crc(printout))))
                try await writer.writeBuffer(ByteBuffer(data: printout))
                for entry in sent {
                    try await writer.writeBuffer(
                        ByteBuffer(data: try zip.header(path: entry.path, size: entry.attachment.size, crc: entry.crc)))
                    try await Attachments.pieces(of: entry.attachment, key: key, on: db) {
                        try await writer.writeBuffer(ByteBuffer(data: $0))
                    }
                }
                try await writer.writeBuffer(ByteBuffer(data: zip.end()))
            } catch {
                // The answer has begun: the download ends short, and the log says why.
                logger.error("a reporter's file could not be sent whole: \(String(reflecting: error))")
                throw error
            }
        })
        let response = Response(status: .ok, body: body)
        response.headers.contentType = .zip
        response.headers.replaceOrAdd(
            name: .contentDisposition, value: "attachment; filename=\"dossier-\(record.reference).zip\"")
        return response
    }

    static let downloadsPerHour = 5

    /// What the reporter sent, for their own eyes (the mailbox, their file). Kept apart since
    /// migration 19; for an older web report, the summary only while the audit log shows the
    /// counsellor never saved the details form over it (`case.accept`, `case.details`). Otherwise
    /// nil: the reporter is told it is not shown, never given the counsellor's text as theirs.
    static func wordsAsSent(_ c: OpenCase, on db: any Database) async throws -> ReporterWords? {
        // Filled in (sealed, if only an empty text for a case a counsellor opened): it decides.
        if !c.record.reporterWordsSealed.isEmpty {
            return ReporterWords(stored: try c.open(c.record, \.$reporterWordsSealed))
        }
        // Empty only in a row from before migration 19: the summary is the reporter's only if
        // the case came in through the website and nobody saved the details form over it.
        let audit = AuditEvent.query(on: db).filter(\.$subject == "case:\(c.id)")
        guard try await audit.copy().filter(\.$action == "case.create.web").count() > 0,
            try await audit.copy().filter(\.$action ~~ ["case.accept", "case.details"]).count() == 0
        else { return nil }
        return ReporterWords(text: try c.open(c.record, \.$summarySealed))
    }

    /// A file name safe inside a ZIP: no folders, no control characters, ends in its kind.
    static func safeName(_ name: String, kind: String) -> String {
        let base = String(
            name.unicodeScalars.filter { $0.value >= 32 && !"/\\:*?\"<>|".unicodeScalars.contains($0) }.prefix(100)
        )
        .trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        let named = base.isEmpty ? "bijlage" : base
        return named.lowercased().hasSuffix("." + kind) ? named : named + "." + kind
    }

    /// POST /postbus/requests — a request to correct or delete the file; audited.
    @Sendable static func request(_ req: Request) async throws -> Response {
        guard let (_, mailbox) = try await PostbusController.current(req) else {
            return try await PostbusController.expired(req)
        }
        guard let record = try await Case.find(mailbox.$case.id, on: req.db), record.destroyedOn == nil else {
            return req.redirect(to: .postbus)
        }
        let c = try PostbusController.caseKey(req, record)
        let t = Text.of(req.language)
        let input = req.form(RequestForm.self) ?? .init()
        var errors = FormErrors()
        let kind = ReporterRequest.Kind(rawValue: input.kind ?? "") ?? .correction
        var body = ""
        switch kind {
        case .deletion:
            if input.confirm != "on" { errors["confirm"] = t.deletionConfirmMissing }
        case .correction:
            body =
                FormErrors.publicText(
                    input.body, "body", max: Case.storyLimit, required: true, t: PublicText.of(req.language),
                    errors: &errors) ?? ""
        }
        guard errors.isEmpty else {
            let section = try await Self.section(
                req, c, input: RequestForm(kind: kind.rawValue, body: input.body, confirm: nil), errors: errors)
            return try await PostbusController.render(req, mailbox, rights: section, status: .unprocessableEntity)
        }
        do {
            try await CaseWriter.reporter(req.store).addReporterRequest(c, kind: kind, body: body)
        } catch is TooManyMessages {
            errors.general = PublicText.of(req.language).tooManyMessages
            let section = try await Self.section(
                req, c, input: RequestForm(kind: kind.rawValue, body: input.body, confirm: nil), errors: errors)
            return try await PostbusController.render(req, mailbox, rights: section, status: .tooManyRequests)
        }
        if let counsellor = try await User.find(record.$counsellor.id, on: req.db) {
            Notifier.notify(req.application, to: counsellor.email, about: .newMessage)
        }
        return try await PostbusController.render(req, mailbox, flash: t.requestSent)
    }

    // MARK: the counsellor's side

    /// A reporter's request as the counsellor sees it, with the form to answer it.
    struct StaffRequest: Encodable, Sendable {
        let kind, madeOn, dueOn, body, answer, note: String
        let overdue: Bool
        let form: FormView?
    }

    struct AnswerForm: Content { var request: String?; var answer: String?; var note: String? }
    struct HoldForm: Content { var reason: String?; var lift: String? }

    static func answerForm(
        _ req: Request, _ c: OpenCase, _ r: ReporterRequest, input: AnswerForm = .init(),
        errors: FormErrors = .init()
    ) -> FormView {
        let deletion = r.kind == .deletion
        var form = FormView(
            id: "answer-\(r.id!)",
            title: deletion ? "Verzoek tot verwijdering beantwoorden" : "Verzoek tot verbetering beantwoorden",
            intro: deletion
                ? """
                Toekennen vernietigt de inhoud van deze melding meteen en voorgoed (de sleutel wordt \
                verwijderd); de statistische gegevens blijven.
                """
                : "Verbeter het dossier waar nodig en laat de melder weten wat je hebt gedaan.",
            action: SiteURL.case(.value(c.id), .requestAnswer).path, submit: "Antwoord versturen", csrf: req.csrfToken)
        form.add("request", "", type: "hidden", value: r.id!.uuidString)
        form.radios(
            "answer", "Besluit", options: [("granted", "Toekennen"), ("refused", "Afwijzen")],
            selected: input.answer ?? "",
            required: true)
        form.add(
            "note", "Toelichting voor de melder", type: "textarea", value: input.note,
            hint: deletion
                ? """
                Verplicht bij afwijzen: de melder krijgt de reden en hoort dat hij kan klagen bij de Autoriteit \
                Persoonsgegevens.
                """
                : nil,
            required: !deletion, maxlength: 4000)
        form.apply(errors)
        return form
    }

    static func staffRequests(_ req: Request, _ c: OpenCase, override: FormView? = nil) async throws -> [StaffRequest] {
        let today = Day(Date())
        return try await ReporterRequest.query(on: req.db).filter(\.$case.$id == c.id).sort(\.$madeAt).all().map { r in
            let form =
                r.answeredAt == nil && c.isOwner
                ? (override?.id == "answer-\(try r.requireID())" ? override : answerForm(req, c, r)) : nil
            return StaffRequest(
                kind: r.kind == .deletion ? "Verwijdering" : "Verbetering", madeOn: Day(r.madeAt).dutch,
                dueOn: r.dueOn.dutch, body: try c.open(r, \.$bodySealed),
                answer: r.answer.map { $0 == .granted ? "Toegekend" : "Afgewezen" } ?? "Nog niet beantwoord",
                note: try r.answerNote(c), overdue: r.answeredAt == nil && r.dueOn < today, form: form)
        }
    }

    static func holdForm(
        _ req: Request, _ c: OpenCase, input: HoldForm = .init(), errors: FormErrors = .init()
    ) throws -> FormView {
        let held = c.record.legalHoldOn != nil
        var form = FormView(
            id: "hold", title: held ? "Bewaarplicht" : "Bewaarplicht instellen",
            intro: held
                ? "Deze melding wordt niet vernietigd zolang de bewaarplicht geldt. Pas de reden aan, of hef haar op."
                : """
                Moet deze melding langer bewaard blijven dan de bewaartermijn (bijvoorbeeld voor een lopende \
                procedure)? Leg de reden vast.
                """,
            action: SiteURL.case(.value(c.id), .hold).path, submit: held ? "Reden opslaan" : "Bewaarplicht instellen",
            csrf: req.csrfToken)
        let current = held ? try c.open(c.record, \.$legalHoldReasonSealed) : nil
        form.add(
            "reason", "Reden", type: "textarea", value: input.reason ?? current,
            required: true, maxlength: 1000)
        if held { form.checkbox("lift", "Bewaarplicht opheffen", checked: input.lift == "on") }
        form.apply(errors)
        return form
    }

    /// POST /cases/:caseID/hold — place, change or lift a legal hold; audited.
    @Sendable static func hold(_ req: Request) async throws -> Response {
        let (c, today) = try await CaseActions.open(req)
        let input = req.form(HoldForm.self) ?? .init()
        let form = { (errors: FormErrors) in try holdForm(req, c, input: input, errors: errors) }
        if input.lift == "on" {
            // A substitute may place a hold, not lift one.
            guard c.isOwner else { throw Abort(.forbidden) }
            return try await CaseActions.save(req, c, anchor: "retention", form: form) {
                try await req.cases.setLegalHold(c, reason: nil, today: today)
            }
        }
        var errors = FormErrors()
        guard let reason = errors.text(input.reason, "reason", label: "de reden", max: 1000) else {
            return try await CaseActions.refuse(req, c, form(errors))
        }
        return try await CaseActions.save(req, c, anchor: "retention", form: form) {
            try await req.cases.setLegalHold(c, reason: reason, today: today)
        }
    }

    /// POST /cases/:caseID/request-answer — the counsellor answers a reporter's request; a
    /// deletion granted destroys the case's contents at once (`RetentionRun.destroy`).
    @Sendable static func answer(_ req: Request) async throws -> Response {
        let (c, today) = try await CaseActions.open(req)
        guard c.isOwner else { throw Abort(.forbidden) }
        let input = req.form(AnswerForm.self) ?? .init()
        guard let id = input.request.flatMap(UUID.init(uuidString:)),
            let request = try await ReporterRequest.query(on: req.db).filter(\.$id == id).filter(\.$case.$id == c.id)
                .first()
        else { throw Abort(.notFound) }
        let form = { (errors: FormErrors) in answerForm(req, c, request, input: input, errors: errors) }
        var errors = FormErrors()
        let answer = ReporterRequest.Answer(rawValue: input.answer ?? "")
        if answer == nil { errors["answer"] = "Kies toekennen of afwijzen." }
        // A correction's answer and every refusal give their reasons (AVG art. 12(4)).
        let note =
            errors.text(
                input.note, "note", label: "de toelichting", max: 4000,
                required: request.kind == .correction || answer == .refused) ?? ""
        guard errors.isEmpty, let answer else { return try await CaseActions.refuse(req, c, form(errors)) }
        let staff = try req.requireStaff()
        let response = try await CaseActions.save(req, c, anchor: "requests", form: form) {
            guard try await req.cases.answerReporterRequest(c, requestID: id, answer: answer, note: note) else {
                return
            }
            if request.kind == .deletion && answer == .granted {
                // Should this fail half-way, the next retention run destroys it (`RetentionRun.run`).
                _ = try await RetentionRun(store: req.store, actor: "user:\(staff.userID)")
                    .destroy([c.id], cause: .reporterRequest, today: today)
            }
        }
        // The case page of a destroyed case says only that: back to the overview instead.
        if response.status == .seeOther, request.kind == .deletion, answer == .granted {
            return req.redirect(to: .dashboard, flash: .destroyed)
        }
        return response
    }
}
