import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The reporter's mailbox (*postbus*): open it with the receipt code, read the report and the
/// counsellor's replies, send messages, approve or correct a written record, close it.
enum PostbusController {
    static let cookie = "vt_postbus"
    static let idleTimeout: TimeInterval = 20 * 60
    static let absoluteTimeout: TimeInterval = 2 * 3600

    struct LoginForm: Content { var code: String? }
    struct MessageForm: Sendable {
        var body: String?
        var files: [Upload]?
    }

    struct LoginPage: Encodable, Sendable {
        var links = PublicLinks()
        let t: PublicText
        let title: String
        let form: FormView
        let notice: String?
    }

    struct Message: Encodable, Sendable {
        let id: String
        let fromReporter: Bool
        let sender: String
        let kind: String
        let isRecord: Bool
        let body: String
        let at: String
        let approvedAt: String?
        let approveForm: FormView?
        let correctionForm: FormView?
    }

    struct Page: Encodable, Sendable {
        var links = PublicLinks()
        let t: PublicText
        let title: String
        let orgName: String
        let reference: String
        let submittedOn: String
        /// What the reporter sent, as sent; nil when it was not kept apart (`ReporterRights.wordsAsSent`).
        let words: ReporterWords?
        let attachments: [String]
        let messages: [Message]
        let form: FormView
        let csrf: String
        let flash: String?
        let rights: ReporterRights.Section
    }

    /// The mailbox of a case whose contents were destroyed: it says so, and nothing else.
    struct DeletedPage: Encodable, Sendable {
        var links = PublicLinks()
        let t: PublicText
        let title: String
        let reference: String
        let text: String
        let csrf: String
    }

    /// `typed`: what was typed, given back after a wrong code so one mistyped digit is fixed, not
    /// all 28 typed again.
    static func loginForm(_ req: Request, errors: FormErrors = .init(), typed: String? = nil) -> FormView {
        let t = PublicText.of(req.language)
        var form = FormView(id: "postbus", action: SiteURL.postbus.path, submit: t.open, csrf: req.csrfToken)
        form.summaryTitle = t.checkForm
        form.add(
            "code", t.codeLabel, type: "text", value: typed, hint: t.codeHint, required: true, autocomplete: "off",
            inputmode: "numeric", maxlength: 64)
        form.apply(errors)
        return form
    }

    /// The open mailbox of this browser, if any; an expired one is closed.
    static func current(_ req: Request) async throws -> (MailboxSession, Mailbox)? {
        guard let token = req.cookies[cookie]?.string, !token.isEmpty,
            let session = try await MailboxSession.query(on: req.db).filter(\.$id == Tokens.hash(token)).with(
                \.$mailbox
            ).first()
        else { return nil }
        let now = Date()
        if now.timeIntervalSince(session.lastSeenAt) > idleTimeout
            || now.timeIntervalSince(session.createdAt) > absoluteTimeout
        {
            try await session.delete(on: req.db)
            return nil
        }
        if now.timeIntervalSince(session.lastSeenAt) > 60 {
            session.lastSeenAt = now
            try await session.update(on: req.db)
        }
        return (session, session.mailbox)
    }

    static func expiredCookie(_ req: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: "", expires: Date(timeIntervalSince1970: 0), path: SiteURL.postbus.path,
            isSecure: req.application.settings.secureCookies, isHTTPOnly: true, sameSite: .strict)
    }

    /// The mailbox closed while the reporter was writing: ask for the code again and show what
    /// they typed, so nothing is lost (it is not stored).
    static func expired(_ req: Request) async throws -> Response {
        let t = PublicText.of(req.language)
        let page = ExpiredPage(
            t: t, title: t.mailboxTitle, form: loginForm(req), notice: t.errExpired,
            kept: ErrorPageMiddleware.keptText(req).map(\.value))
        let response = try await req.publicPage(.postbusLogin, page, status: .unauthorized)
        response.cookies[cookie] = expiredCookie(req)
        return response
    }

    struct ExpiredPage: Encodable, Sendable {
        var links = PublicLinks()
        let t: PublicText
        let title: String
        let form: FormView
        let notice: String?
        let kept: [String]
    }

    /// GET /postbus
    @Sendable static func show(_ req: Request) async throws -> Response {
        guard let (_, mailbox) = try await current(req) else {
            let t = PublicText.of(req.language)
            let notice = req.cookies[cookie] != nil ? t.errExpired : nil
            let response = try await req.publicPage(
                .postbusLogin, LoginPage(t: t, title: t.mailboxTitle, form: loginForm(req), notice: notice))
            if req.cookies[cookie] != nil { response.cookies[cookie] = expiredCookie(req) }
            return response
        }
        return try await render(req, mailbox)
    }

    /// POST /postbus — open with the receipt code. Every wrong code gets the same answer.
    @Sendable static func open(_ req: Request) async throws -> Response {
        let t = PublicText.of(req.language)
        let input = req.form(LoginForm.self) ?? .init()
        guard let code = ReceiptCode(typed: String((input.code ?? "").prefix(200))) else {
            return try await refuse(req, t)
        }
        let outcome: MailboxService.Outcome
        do {
            outcome = try await MailboxService.check(
                code, kdf: req.application.settings.receiptKDF, app: req.application, source: req.source, on: req.db)
        } catch is Hashing.Busy {
            return try await refuse(req, t, message: t.busyCode, status: .serviceUnavailable)
        }
        switch outcome {
        case .wrong, .wait:
            return try await refuse(req, t)
        case .opened(let mailbox):
            let token = Tokens.random()
            let session = MailboxSession()
            session.id = Tokens.hash(token)
            session.$mailbox.id = try mailbox.requireID()
            session.createdAt = Date()
            session.lastSeenAt = Date()
            try await req.store.transaction { db in
                try await session.create(on: db)
                try await Audit.record(
                    "mailbox.open", subject: "case:\(mailbox.$case.id)", actor: "reporter", store: req.store, db: db)
            }
            let response = req.redirect(to: SiteURL.postbus.path, redirectType: .normal)
            response.cookies[cookie] = HTTPCookies.Value(
                string: token, path: SiteURL.postbus.path, isSecure: req.application.settings.secureCookies,
                isHTTPOnly: true, sameSite: .strict)
            return response
        }
    }

    static func refuse(
        _ req: Request, _ t: PublicText, message: String? = nil, status: HTTPStatus = .unprocessableEntity
    ) async throws -> Response {
        var errors = FormErrors()
        errors["code"] = message ?? t.wrongCode
        let typed = String((req.formValue("code") ?? "").prefix(64))
        let response = try await req.publicPage(
            .postbusLogin,
            LoginPage(
                t: t, title: t.mailboxTitle, form: loginForm(req, errors: errors, typed: typed),
                notice: nil), status: status)
        if status == .serviceUnavailable { response.headers.replaceOrAdd(name: .retryAfter, value: "5") }
        return response
    }

    static func caseKey(_ req: Request, _ record: Case) throws -> OpenCase {
        try OpenCase(record: record, key: req.application.keys.caseKey(of: record), isOwner: false)
    }

    static func messageForm(_ req: Request, input: MessageForm = .init(), errors: FormErrors = .init()) -> FormView {
        let t = PublicText.of(req.language)
        var form = FormView(
            id: "bericht", action: SiteURL.postbusMessages.path, submit: t.sendMessage, csrf: req.csrfToken)
        form.summaryTitle = t.checkForm
        form.add(
            "body", t.messageLabel, type: "textarea", value: input.body, required: true, maxlength: Case.storyLimit)
        form.files(
            "files", t.filesLabel, hint: t.filesHint, accept: AttachmentRules.accept, rules: t.fileRules,
            sending: t.sendingFiles,
            failed: t.sendingFailed)
        form.apply(errors)
        return form
    }

    static func render(
        _ req: Request, _ mailbox: Mailbox, form: FormView? = nil, flash: String? = nil,
        rights: ReporterRights.Section? = nil, status: HTTPStatus = .ok
    ) async throws -> Response {
        let t = PublicText.of(req.language)
        guard
            let record = try await Case.query(on: req.db).filter(\.$id == mailbox.$case.id).with(\.$organisation)
                .first()
        else { throw Abort(.notFound) }
        if let destroyed = record.destroyedOn {
            let rt = ReporterRights.Text.of(req.language)
            return try await req.publicPage(
                .postbusDeleted,
                DeletedPage(
                    t: t, title: rt.deletedTitle, reference: record.reference,
                    text: rt.deletedText.replacingOccurrences(of: "{day}", with: destroyed.dutch), csrf: req.csrfToken))
        }
        let c = try caseKey(req, record)
        let rightsSection = if let rights { rights } else { try await ReporterRights.section(req, c) }
        let messages = try await MailboxMessage.query(on: req.db).filter(\.$case.$id == c.id).sort(\.$createdAt).all()
        let formatter = t.dateFormatter(.medium)
        let views = try messages.map { m -> Message in
            let isRecord = m.kind == .record
            var approve: FormView?
            var correct: FormView?
            if isRecord && m.approvedAt == nil {
                approve = FormView(
                    id: "approve-\(try m.requireID())",
                    action: SiteURL.postbusRecord(.value(try m.requireID()), .approve).path,
                    submit: t.approve, csrf: req.csrfToken)
                var f = FormView(
                    id: "correct-\(try m.requireID())",
                    action: SiteURL.postbusRecord(.value(try m.requireID()), .correct).path,
                    submit: t.sendCorrection, csrf: req.csrfToken)
                f.add("body", t.correction, type: "textarea", required: true, maxlength: Case.storyLimit)
                f.secondary = true
                correct = f
            }
            let kind = m.kind == .acknowledgement ? t.acknowledgement : (isRecord ? t.recordTitle : "")
            return Message(
                id: (try m.requireID()).uuidString, fromReporter: m.sender == .reporter,
                sender: m.sender == .reporter ? t.you : t.counsellor, kind: kind, isRecord: isRecord,
                body: try c.open(m, \.$bodySealed),
                at: formatter.string(from: m.createdAt), approvedAt: m.approvedAt.map { formatter.string(from: $0) },
                approveForm: approve, correctionForm: correct)
        }
        let submitted = record.createdAt.map { formatter.string(from: $0) } ?? record.openedOn.dutch
        return try await req.publicPage(
            .postbus,
            Page(
                t: t, title: t.mailboxTitle, orgName: record.organisation.name, reference: record.reference,
                submittedOn: submitted,
                words: try await ReporterRights.wordsAsSent(c, on: req.db),
                attachments: try await Attachments.list(c, on: req.db).map { "\($0.name) (\($0.size))" },
                messages: views,
                form: form ?? messageForm(req), csrf: req.csrfToken, flash: flash,
                rights: rightsSection), status: status)
    }

    /// Adds a message from the reporter, sealed with the case key (at most
    /// `MailboxThrottle.messagesPerDay` a day, counted in the transaction that adds it).
    static func post(_ req: Request, _ mailbox: Mailbox, body: String, files: [Attachments.Checked] = []) async throws {
        guard let record = try await Case.find(mailbox.$case.id, on: req.db) else { throw Abort(.notFound) }
        let c = try caseKey(req, record)
        try await CaseWriter.reporter(req.store).postFromReporter(c, mailbox: mailbox, body: body, files: files)
        if let counsellor = try await User.find(record.$counsellor.id, on: req.db) {
            Notifier.notify(req.application, to: counsellor.email, about: .newMessage)
        }
    }

    /// POST /postbus/messages
    @Sendable static func send(_ req: Request) async throws -> Response {
        guard let (_, mailbox) = try await current(req) else { return try await expired(req) }
        let t = PublicText.of(req.language)
        let input = MessageForm(req)
        var errors = FormErrors()
        let body = FormErrors.publicText(
            input.body, "body", max: Case.storyLimit, required: true, t: t, errors: &errors)
        let files = Attachments.check(input.files, t: t, errors: &errors)
        if !errors.isEmpty { Attachments.remindToChooseAgain(input.files, t: t, errors: &errors) }
        guard errors.isEmpty, let body else {
            return try await render(
                req, mailbox, form: messageForm(req, input: input, errors: errors), status: .unprocessableEntity)
        }
        do {
            try await post(req, mailbox, body: body, files: files)
        } catch is TooManyMessages {
            errors.general = t.tooManyMessages
            Attachments.remindToChooseAgain(input.files, t: t, errors: &errors)
            return try await render(
                req, mailbox, form: messageForm(req, input: input, errors: errors), status: .tooManyRequests)
        }
        return try await render(req, mailbox, flash: t.sent)
    }

    /// POST /postbus/messages, refused before it was read (expired or too large): the mailbox
    /// with the message still in the form and the reason. Nothing is sent.
    @Sendable static func refusedMessage(_ req: Request, _ refusal: FormRefusal) async throws -> Response {
        guard let (_, mailbox) = try await current(req) else { return try await expired(req) }
        let input = MessageForm(req)
        let errors = Attachments.errors(for: refusal, files: input.files, t: PublicText.of(req.language))
        return try await render(
            req, mailbox, form: messageForm(req, input: input, errors: errors), status: refusal.status)
    }

    static func record(_ req: Request, _ mailbox: Mailbox) async throws -> MailboxMessage {
        guard let id = req.parameters.get("messageID", as: UUID.self),
            let message = try await MailboxMessage.query(on: req.db).filter(\.$id == id).filter(
                \.$case.$id == mailbox.$case.id
            )
            .filter(\.$kind == .record).first()
        else { throw Abort(.notFound) }
        return message
    }

    /// POST /postbus/records/:messageID/approve — the reporter approves the written record.
    @Sendable static func approve(_ req: Request) async throws -> Response {
        guard let (_, mailbox) = try await current(req) else { return try await expired(req) }
        let message = try await record(req, mailbox)
        try await CaseWriter.reporter(req.store).approveRecord(message, mailbox: mailbox)
        return try await render(req, mailbox, flash: PublicText.of(req.language).sent)
    }

    /// POST /postbus/records/:messageID/correct — a correction, sent as a message.
    @Sendable static func correct(_ req: Request) async throws -> Response {
        guard let (_, mailbox) = try await current(req) else { return try await expired(req) }
        _ = try await record(req, mailbox)
        let t = PublicText.of(req.language)
        let input = MessageForm(body: req.formValue("body"))
        var errors = FormErrors()
        let body = FormErrors.publicText(
            input.body, "body", max: Case.storyLimit, required: true, t: t, errors: &errors)
        guard errors.isEmpty, let body else {
            // Keep what was typed: it goes into the general message box with the error.
            return try await render(
                req, mailbox, form: messageForm(req, input: input, errors: errors), status: .unprocessableEntity)
        }
        do {
            try await post(
                req, mailbox,
                body: (req.language == .en ? "Correction to the record:\n" : "Correctie op het verslag:\n") + body)
        } catch is TooManyMessages {
            errors.general = t.tooManyMessages
            return try await render(
                req, mailbox, form: messageForm(req, input: input, errors: errors), status: .tooManyRequests)
        }
        return try await render(req, mailbox, flash: t.sent)
    }

    /// POST /postbus/logout
    @Sendable static func close(_ req: Request) async throws -> Response {
        if let (session, _) = try await current(req) { try await session.delete(on: req.db) }
        let t = PublicText.of(req.language)
        let response = try await req.publicPage(
            .postbusLogin, LoginPage(t: t, title: t.mailboxTitle, form: loginForm(req), notice: t.closed))
        response.cookies[cookie] = expiredCookie(req)
        return response
    }
}

extension PostbusController.MessageForm {
    /// The message as sent, url-encoded or multipart with files (read by `FormFields`).
    init(_ req: Request) {
        self.init(body: req.formValue("body"), files: req.formFiles("files[]"))
    }
}
