import Crypto
import Fluent
import NIOConcurrencyHelpers
import Vapor
import VertrouwdCore
import VertrouwdStore

extension Request {
    /// The reporter's language: an explicit choice (`?lang=en`, remembered in a cookie), else the
    /// browser's preference, else Dutch.
    var language: Language {
        if let q = query[String.self, at: "lang"], let l = Language(rawValue: q) { return l }
        if let c = cookies["vt_lang"]?.string, let l = Language(rawValue: c) { return l }
        return Language.negotiate(acceptLanguage: headers.first(name: .acceptLanguage))
    }

    /// Renders a public page; remembers an explicit language choice for this browser session
    /// only: a lasting cookie would be a trace, on a shared computer, of having visited the
    /// reporting channel.
    func publicPage(
        _ template: Template, _ context: some Encodable & Sendable, status: HTTPStatus = .ok
    ) async throws -> Response {
        let response = try await view.render(template, context).encodeResponse(status: status, for: self)
        if let q = query[String.self, at: "lang"], Language(rawValue: q) != nil {
            response.cookies["vt_lang"] = HTTPCookies.Value(
                string: q, path: "/",
                isSecure: application.settings.secureCookies, isHTTPOnly: true, sameSite: .lax)
        }
        return response
    }
}

/// The public channel of an organisation, at addresses printed on posters: its page, the
/// conversation request, the (anonymous) report, and the receipt with its code.
/// Nothing here stores or logs an IP address or user agent.
enum PublicController {
    struct Counsellor: Encodable, Sendable { let id, name, introduction: String }

    struct OrgPage: Encodable, Sendable {
        let t: PublicText
        let title: String
        let orgName: String
        let links: PublicLinks
        let counsellors: [Counsellor]
        let phone, whatsapp, whatsappLink, email, availability: String
        let available: Bool
        let whoMay: String
        /// Where the counsellor is the WBK channel: who else may report wrongdoing, and what then happens.
        let whoMayWhistleblower: String?
        let happensWhistleblower: String?
        /// The counsellors' own words and the organisation's availability are in Dutch: on an English
        /// page they are marked so (a screen reader reads them as Dutch).
        let contentLanguage: String?
        let internalCounsellors: [InternalCounsellor]
        let complaintsCommittee: String
        /// The competent authorities, where the counsellor is the organisation's WBK channel.
        let externalAuthorities: [String]
    }

    struct InternalCounsellor: Encodable, Sendable { let name, email, phone: String }

    struct FormPage: Encodable, Sendable {
        let t: PublicText
        let title: String
        let orgName: String
        let links: PublicLinks
        let intro: String
        let form: FormView
    }

    struct ReceiptPage: Encodable, Sendable {
        let t: PublicText
        let title: String
        let orgName: String
        let links: PublicLinks
        let code: String
        let reference: String
        let submittedAt: String
        /// The code is on this page only: a link to the other language would load an empty form
        /// and lose it. The switch posts the page's own code back to draw it in the other
        /// language (`receiptInOtherLanguage`); nothing is kept.
        let languageSwitch: LanguageSwitch
    }

    /// The receipt page's language switch: a button in a form with the page's own values.
    struct LanguageSwitch: Encodable, Sendable {
        let action: String
        let csrf: String
        let code: String
        let reference: String
        let at: String
        /// Our own signature over the rest: the switch draws only a receipt we issued.
        let seal: String
    }

    /// The signature a receipt page puts under its own values (HMAC with a key derived from the
    /// key file, so every instance and restart knows it): another page cannot have us draw a
    /// "proof of submission" for something never sent.
    static func receiptSeal(_ req: Request, slug: String, code: String, reference: String, at: String) -> String {
        req.store.signature("receipt-language-switch/v1", of: "\(slug)\n\(code)\n\(reference)\n\(at)")
    }

    static func receiptPage(
        _ req: Request, org: Organisation, code: String, reference: String, at: Date?
    ) async throws -> Response {
        let t = PublicText.of(req.language)
        let stamp = at.map { String(Int($0.timeIntervalSince1970)) } ?? ""
        let switcher = LanguageSwitch(
            action: SiteURL.receipt(slug: .value(org.slug)).path + "?lang=\(t.otherLang)", csrf: req.csrfToken,
            code: code, reference: reference, at: stamp,
            seal: receiptSeal(req, slug: org.slug, code: code, reference: reference, at: stamp))
        return try await req.publicPage(
            .publicReceipt,
            ReceiptPage(
                t: t, title: t.receiptTitle, orgName: org.name, links: PublicLinks(slug: org.slug), code: code,
                reference: reference,
                submittedAt: at.map { t.dateFormatter(.long).string(from: $0) } ?? "", languageSwitch: switcher))
    }

    /// POST /o/:slug/ontvangst?lang=… — the receipt page again in the other language, drawn from
    /// the code, reference and time the reporter's own page sent (its CSRF token and our
    /// signature with it): the code is shown once by us, and only ever again by the browser that
    /// holds it. Nothing is looked up (that would tell whether a code exists), kept or logged.
    @Sendable static func receiptInOtherLanguage(_ req: Request) async throws -> Response {
        let (org, _) = try await reachable(req)
        let stamp = String((req.formValue("at") ?? "").prefix(20))
        guard let code = ReceiptCode(typed: String((req.formValue("code") ?? "").prefix(100))),
            let reference = CaseReference(String((req.formValue("reference") ?? "").prefix(20))),
            let seal = req.formValue("seal"),
            Tokens.constantTimeEqual(
                seal, receiptSeal(req, slug: org.slug, code: code.grouped, reference: reference.description, at: stamp))
        else {
            return req.redirect(to: SiteURL.report(slug: .value(org.slug)).path)
        }
        let now = Date().timeIntervalSince1970
        let at = (req.formValue("at").flatMap(Double.init)).flatMap {
            now - 86_400...now + 60 ~= $0 ? Date(timeIntervalSince1970: $0) : nil
        }
        return try await receiptPage(req, org: org, code: code.grouped, reference: reference.description, at: at)
    }

    static func organisation(_ req: Request) async throws -> (Organisation, [User]) {
        guard let slug = req.parameters.get("slug"), OrganisationRules.isValidSlug(slug),
            let org = try await Organisation.query(on: req.db).filter(\.$slug == slug).first()
        else {
            throw Abort(.notFound)
        }
        let counsellors = try await org.$counsellors.get(on: req.db).filter { $0.active && $0.isCounsellor }.sorted {
            $0.name < $1.name
        }
        return (org, counsellors)
    }

    /// GET /o/:slug
    @Sendable static func show(_ req: Request) async throws -> Response {
        let (org, counsellors) = try await organisation(req)
        let t = PublicText.of(req.language)
        let digits = org.whatsapp.filter(\.isNumber)
        let international = digits.hasPrefix("06") ? "31" + digits.dropFirst() : digits
        return try await req.publicPage(
            .publicOrganisation,
            OrgPage(
                t: t, title: t.orgTitle.replacingOccurrences(of: "{org}", with: org.name), orgName: org.name,
                links: PublicLinks(slug: org.slug),
                counsellors: counsellors.map {
                    Counsellor(id: (try $0.requireID()).uuidString, name: $0.name, introduction: $0.introduction ?? "")
                },
                phone: org.phone, whatsapp: org.whatsapp,
                whatsappLink: international.isEmpty ? "" : "https://wa.me/\(international)",
                email: org.email, availability: org.availability, available: !counsellors.isEmpty,
                whoMay: t.whoMay.replacingOccurrences(of: "{org}", with: org.name),
                whoMayWhistleblower: org.whistleblowerChannel
                    ? t.whoMayWhistleblower.replacingOccurrences(of: "{org}", with: org.name) : nil,
                happensWhistleblower: org.whistleblowerChannel ? t.happensWhistleblower : nil,
                contentLanguage: req.language == .nl ? nil : "nl",
                internalCounsellors: try await OrganisationContact.query(on: req.db).filter(
                    \.$organisation.$id == (try org.requireID())
                )
                .filter(\.$role == .internalCounsellor).sort(\.$name).all()
                .map { InternalCounsellor(name: $0.name, email: $0.email, phone: $0.phone) },
                complaintsCommittee: org.complaintsCommittee,
                externalAuthorities: org.whistleblowerChannel ? ExternalReporting.names(req.language) : []))
    }

    // MARK: forms

    struct RequestForm: Content { var counsellor, mode, moments, contact, topic: String? }
    struct ReportForm: Sendable {
        var counsellor, topic, story, whistleblower, contactWish, contact: String?
        var files: [Upload]?
    }

    /// The report as sent, url-encoded or multipart with files (read by `FormFields`, fast for
    /// attachments of 10 MB).
    static func reportInput(_ req: Request) -> ReportForm {
        ReportForm(
            counsellor: req.formValue("counsellor"), topic: req.formValue("topic"), story: req.formValue("story"),
            whistleblower: req.formValue("whistleblower"), contactWish: req.formValue("contactWish"),
            contact: req.formValue("contact"), files: req.formFiles("files[]"))
    }

    static func counsellorChoice(_ form: inout FormView, _ counsellors: [User], selected: String?, t: PublicText) {
        if counsellors.count > 1 {
            form.radios(
                "counsellor", t.whichCounsellor, options: counsellors.map { ($0.id!.uuidString, $0.name) },
                selected: selected ?? "", required: true)
        } else if let only = counsellors.first {
            form.add("counsellor", "", type: "hidden", value: only.id!.uuidString)
        }
    }

    static func requestForm(
        _ req: Request, slug: String, counsellors: [User], input: RequestForm = .init(), errors: FormErrors = .init()
    ) -> FormView {
        let t = PublicText.of(req.language)
        let en = req.language == .en
        var form = FormView(
            id: "gesprek", action: SiteURL.conversation(slug: .value(slug)).path, submit: t.send, csrf: req.csrfToken)
        form.summaryTitle = t.checkForm
        counsellorChoice(&form, counsellors, selected: input.counsellor, t: t)
        form.radios(
            "mode", t.modeQuestion, options: AppointmentMode.allCases.map { ($0.rawValue, en ? $0.english : $0.label) },
            selected: input.mode ?? "", required: true)
        form.add(
            "moments", t.momentsQuestion, type: "textarea", value: input.moments, hint: t.momentsHint, maxlength: 1000)
        form.add(
            "contact", t.contactQuestion, value: input.contact, hint: t.contactHint, required: true,
            autocomplete: "off", maxlength: 300)
        form.add("topic", "\(t.topicQuestion) (\(t.optional))", type: "textarea", value: input.topic, maxlength: 4000)
        form.apply(errors)
        return form
    }

    /// The report form. The WBK tick appears only where the counsellor is the organisation's
    /// channel for reports under the Wet bescherming klokkenluiders.
    static func reportForm(
        _ req: Request, org: Organisation, counsellors: [User], input: ReportForm = .init(contactWish: "no"),
        errors: FormErrors = .init()
    ) -> FormView {
        let t = PublicText.of(req.language)
        var form = FormView(
            id: "melden", action: SiteURL.report(slug: .value(org.slug)).path, submit: t.send, csrf: req.csrfToken)
        form.summaryTitle = t.checkForm
        counsellorChoice(&form, counsellors, selected: input.counsellor, t: t)
        form.radios(
            "topic", "\(t.topicQuestion) (\(t.optional))",
            options: PublicTopic.allCases.map { ($0.rawValue, $0.label(req.language)) },
            selected: input.topic ?? "")
        form.add(
            "story", t.whatHappened, type: "textarea", value: input.story, hint: t.whatHappenedHint, required: true,
            maxlength: Case.storyLimit)
        if org.whistleblowerChannel {
            form.checkbox(
                "whistleblower", t.whistleblowerLabel, checked: input.whistleblower == "on", hint: t.whistleblowerHint)
        }
        form.radios(
            "contactWish", t.contactWish, options: [("no", t.contactNo), ("yes", t.contactYes)],
            selected: input.contactWish ?? "no")
        form.add(
            "contact", "\(t.contactHow) (\(t.optional))", value: input.contact, hint: t.anonymousNote,
            autocomplete: "off", maxlength: 300)
        form.files(
            "files", t.filesLabel, hint: t.filesHint, accept: AttachmentRules.accept, rules: t.fileRules,
            sending: t.sendingFiles,
            failed: t.sendingFailed)
        form.apply(errors)
        return form
    }

    static func chosenCounsellor(
        _ value: String?, _ counsellors: [User], t: PublicText, errors: inout FormErrors
    ) -> User? {
        // With one counsellor there is nothing to choose (the form carries it hidden anyway).
        if counsellors.count == 1, (value ?? "").isEmpty { return counsellors[0] }
        guard let user = counsellors.first(where: { $0.id?.uuidString == value }) else {
            errors["counsellor"] = t.errChoose
            return nil
        }
        return user
    }

    /// An organisation that can take a request or report: one with a counsellor.
    static func reachable(_ req: Request) async throws -> (Organisation, [User]) {
        let (org, counsellors) = try await organisation(req)
        guard !counsellors.isEmpty else { throw Abort(.notFound) }
        return (org, counsellors)
    }

    enum Which { case request, report }

    static func formPage(
        _ req: Request, _ org: Organisation, _ which: Which, _ form: FormView, status: HTTPStatus = .ok
    ) async throws -> Response {
        let t = PublicText.of(req.language)
        let response = try await req.publicPage(
            .publicForm,
            FormPage(
                t: t, title: which == .request ? t.requestTitle : t.reportTitle, orgName: org.name,
                links: PublicLinks(slug: org.slug),
                intro: which == .request ? try await responseIntro(req, t) : t.reportIntro, form: form), status: status)
        if let seconds = req.storage[RetryAfterKey.self] {
            response.headers.replaceOrAdd(name: .retryAfter, value: String(seconds))
        }
        return response
    }

    /// "usually within N working days", from the practice's setting.
    static func responseIntro(_ req: Request, _ t: PublicText) async throws -> String {
        let days = try await Practice.find(Practice.singletonID, on: req.db)?.responseWorkdays ?? 2
        return t.requestIntro.replacingOccurrences(of: "{days}", with: String(days))
    }

    /// GET /o/:slug/gesprek
    @Sendable static func showRequest(_ req: Request) async throws -> Response {
        let (org, counsellors) = try await reachable(req)
        return try await formPage(req, org, .request, requestForm(req, slug: org.slug, counsellors: counsellors))
    }

    /// GET /o/:slug/melden
    @Sendable static func showReport(_ req: Request) async throws -> Response {
        let (org, counsellors) = try await reachable(req)
        return try await formPage(req, org, .report, reportForm(req, org: org, counsellors: counsellors))
    }

    /// POST /o/:slug/gesprek
    @Sendable static func submitRequest(_ req: Request) async throws -> Response {
        let (org, counsellors) = try await reachable(req)
        let t = PublicText.of(req.language)
        let input = req.form(RequestForm.self) ?? .init()
        var errors = FormErrors()
        let counsellor = chosenCounsellor(input.counsellor, counsellors, t: t, errors: &errors)
        let mode = AppointmentMode(rawValue: input.mode ?? "")
        if mode == nil { errors["mode"] = t.errChoose }
        let moments =
            FormErrors.publicText(input.moments, "moments", max: 1000, required: false, t: t, errors: &errors) ?? ""
        let contact = FormErrors.publicText(input.contact, "contact", max: 300, required: true, t: t, errors: &errors)
        let topic = FormErrors.publicText(input.topic, "topic", max: 4000, required: false, t: t, errors: &errors) ?? ""
        let busy = errors.isEmpty ? admit(req, org, t: t, errors: &errors) : nil
        guard errors.isEmpty, let counsellor, let mode, let contact else {
            return try await formPage(
                req, org, .request,
                requestForm(req, slug: org.slug, counsellors: counsellors, input: input, errors: errors),
                status: busy ?? .unprocessableEntity)
        }
        let summary =
            """
            Gespreksaanvraag via de website.\nGewenste vorm: \(mode.label)\nMomenten: \
            \(moments.isEmpty ? "—" : moments)\n\nOnderwerp:\n\(topic.isEmpty ? "—" : topic)
            """
        let intake = CaseIntake(
            organisationID: try org.requireID(), counsellorID: try counsellor.requireID(), kind: .unclassified,
            categories: [],
            reporterRole: .unknown, channel: .webForm, openedOn: Day(Date()), department: "",
            relation: .unknown, regime: .confidential, summary: summary, reporterName: "",
            reporterContact: contact, accused: "", status: .new,
            reporterLanguage: req.language,
            reporterWords: ReporterWords(
                text: topic,
                answers: [
                    .init(question: t.modeQuestion, answer: req.language == .en ? mode.english : mode.label),
                    .init(question: t.momentsQuestion, answer: moments.isEmpty ? "—" : moments)
                ]))
        return try await submit(req, intake: intake, org: org, counsellor: counsellor)
    }

    /// A valid form counts against its sender's share and the organisation's (`FloodGuard`).
    /// Refused: the reason and when to try again, the status (429, with Retry-After), nothing kept.
    private static func admit(
        _ req: Request, _ org: Organisation, t: PublicText, errors: inout FormErrors
    ) -> HTTPStatus? {
        let guardian = req.application.floodGuard
        switch guardian.admit(organisation: org.id!, source: req.source) {
        case .allowed:
            return nil
        case .senderFull(let minutes):
            guardian.noteRefusal(organisation: org.id!)
            errors.general = t.errSenderBusy.replacingOccurrences(of: "{minutes}", with: String(minutes))
            req.storage[RetryAfterKey.self] = minutes * 60
        case .organisationFull(let minutes):
            errors.general = t.errBusy.replacingOccurrences(of: "{minutes}", with: String(minutes))
            req.storage[RetryAfterKey.self] = minutes * 60
        }
        return .tooManyRequests
    }

    /// Seconds for a `Retry-After` header on the answer.
    struct RetryAfterKey: StorageKey { typealias Value = Int }

    /// POST /o/:slug/melden
    @Sendable static func submitReport(_ req: Request) async throws -> Response {
        let (org, counsellors) = try await reachable(req)
        let t = PublicText.of(req.language)
        let input = reportInput(req)
        var errors = FormErrors()
        let counsellor = chosenCounsellor(input.counsellor, counsellors, t: t, errors: &errors)
        var topic: PublicTopic?
        if let raw = input.topic, !raw.isEmpty {
            topic = PublicTopic(rawValue: raw)
            if topic == nil { errors["topic"] = t.errChoose }
        }
        let story = FormErrors.publicText(
            input.story, "story", max: Case.storyLimit, required: true, t: t, errors: &errors)
        let wantsContact = input.contactWish == "yes"
        if let wish = input.contactWish, wish != "yes" && wish != "no" { errors["contactWish"] = t.errChoose }
        let contact =
            FormErrors.publicText(input.contact, "contact", max: 300, required: false, t: t, errors: &errors) ?? ""
        // The tick is only offered to a WBK channel; sent anyway (an old page), it is ignored.
        let whistleblower = input.whistleblower == "on" && org.whistleblowerChannel
        if whistleblower, let topic, !topic.mayBeWhistleblowing { errors["whistleblower"] = t.errWhistleblowerTopic }
        if wantsContact && contact.isEmpty && errors["contact"] == nil { errors["contact"] = t.errContact }
        let files = Attachments.check(input.files, t: t, errors: &errors)
        let busy = errors.isEmpty ? admit(req, org, t: t, errors: &errors) : nil
        if !errors.isEmpty { Attachments.remindToChooseAgain(input.files, t: t, errors: &errors) }
        guard errors.isEmpty, let counsellor, let story else {
            return try await formPage(
                req, org, .report, reportForm(req, org: org, counsellors: counsellors, input: input, errors: errors),
                status: busy ?? .unprocessableEntity)
        }
        let intake = CaseIntake(
            organisationID: try org.requireID(), counsellorID: try counsellor.requireID(),
            kind: topic?.kind ?? .unclassified,
            categories: topic.map { [$0.category] } ?? [], reporterRole: .unknown, channel: .webForm,
            openedOn: Day(Date()), department: "", relation: .unknown,
            regime: whistleblower ? .whistleblower : .confidential, summary: story,
            reporterName: "", reporterContact: wantsContact ? contact : "", accused: "", status: .new,
            reporterLanguage: req.language,
            reporterWords: ReporterWords(
                text: story,
                answers: (topic.map { [.init(question: t.topicQuestion, answer: $0.label(req.language))] } ?? [])
                    + (whistleblower ? [.init(question: t.whistleblowerLabel, answer: "✓")] : [])
                    + [.init(question: t.contactWish, answer: wantsContact ? t.contactYes : t.contactNo)]))
        return try await submit(req, intake: intake, org: org, counsellor: counsellor, files: files)
    }

    /// POST /o/:slug/gesprek, refused before it was read (expired or too large): the form again,
    /// filled in, with the reason. Nothing is saved.
    @Sendable static func refusedRequest(_ req: Request, _ refusal: FormRefusal) async throws -> Response {
        let (org, counsellors) = try await reachable(req)
        let t = PublicText.of(req.language)
        var errors = FormErrors()
        errors.general =
            switch refusal {
            case .expired: t.errFormExpired
            case .tooLarge: t.errFormTooLarge
            case .busy: t.errUploadBusy
            }
        let input = RequestForm(
            counsellor: req.formValue("counsellor"), mode: req.formValue("mode"), moments: req.formValue("moments"),
            contact: req.formValue("contact"), topic: req.formValue("topic"))
        return try await formPage(
            req, org, .request,
            requestForm(req, slug: org.slug, counsellors: counsellors, input: input, errors: errors),
            status: refusal.status)
    }

    /// POST /o/:slug/melden, refused before it was read: the story stays, the files must be
    /// chosen again (a browser does not keep them). Nothing is saved.
    @Sendable static func refusedReport(_ req: Request, _ refusal: FormRefusal) async throws -> Response {
        let (org, counsellors) = try await reachable(req)
        let input = reportInput(req)
        let errors = Attachments.errors(for: refusal, files: input.files, t: PublicText.of(req.language))
        return try await formPage(
            req, org, .report, reportForm(req, org: org, counsellors: counsellors, input: input, errors: errors),
            status: refusal.status)
    }

    /// Saves the case and its mailbox in one transaction and shows the receipt code once.
    static func submit(
        _ req: Request, intake: CaseIntake, org: Organisation, counsellor: User,
        files: [Attachments.Checked] = []
    ) async throws -> Response {
        let language = req.language
        let prepared = try await MailboxService.prepare(
            language: language, kdf: req.application.settings.receiptKDF, app: req.application)
        // The case, its mailbox, the files and the audit entry: all saved, or nothing.
        let (c, code) = try await CaseWriter.reporter(req.store).create(intake, action: "case.create.web") { c, db in
            let code = try await MailboxService.insert(prepared, caseID: c.id, on: db)
            if !files.isEmpty { try await Attachments.store(files, caseID: c.id, messageID: nil, key: c.key, on: db) }
            return code
        }
        Notifier.notify(req.application, to: counsellor.email, about: .newSubmission)
        return try await receiptPage(req, org: org, code: code.grouped, reference: c.record.reference, at: Date())
    }
}

extension AppointmentMode {
    var english: String {
        switch self {
        case .inPerson: "In person"
        case .phone: "By phone"
        case .online: "Online (video)"
        }
    }
}
