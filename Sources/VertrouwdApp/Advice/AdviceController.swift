import Fluent
import Vapor
import VertrouwdCore
import VertrouwdReports
import VertrouwdStore

/// Signals and advice (*signaleren en (on)gevraagd adviseren*, seeds 000 §5, 001 §7, 002).
/// A signal is computed, never stored: the cases change, the signal follows. An advice is what
/// the counsellor sends to management; its figures obey the disclosure threshold.
enum AdviceController {
    // MARK: signals

    // MARK: writing an advice

    struct AdviceForm: Content { var subject, body, solicited, day, hours, category, smallSignal: String? }

    /// A signal of fewer than k cases on a theme: the letter names no figure, but a reader who
    /// knows that a signal takes `minimumCases` reads the theme as "3 to k−1 reports". The
    /// counsellor confirms before it is recorded (docs/ANONYMITY.md, rule 13).
    static func smallSignalCaution(_ req: Request, org: Organisation, category: CaseCategory?) async throws -> String? {
        guard let category else { return nil }
        let k = req.application.settings.disclosureThreshold
        let today = Day(Date())
        let rule = req.application.settings.signalRule
        let cases = try await SignalView.recentCases(in: [(try org.requireID())], today: today, rule: rule, on: req.db)
        guard
            let signal = Signals.detect(SignalView.signalCases(cases, today: today), today: today, rule: rule, k: k)
                .first(where: { $0.category == category && $0.department == nil }), signal.count < k
        else { return nil }
        return
            """
            Dit signaal telt minder dan \(k) meldingen. De brief noemt geen aantal, maar wie weet dat een \
            signaal er minstens \(rule.minimumCases) zijn, leest ‘\(category.label.lowercased())’ als \
            ‘\(rule.minimumCases) tot \(k - 1) meldingen’. Verwoord het thema ruimer, of wacht tot er meer zijn.
            """
    }

    static func adviceForm(
        _ req: Request, action: String, input: AdviceForm, errors: FormErrors = .init(), caution: String? = nil
    ) -> FormView {
        var form = FormView(
            id: "advice", title: nil,
            intro:
                """
                Het advies gaat naar de directie. Noem geen namen, afdelingen of aantallen onder de drempel; de \
                concepttekst houdt zich daar al aan.
                """,
            action: action, submit: "Advies vastleggen", csrf: req.csrfToken)
        form.radios(
            "solicited", "Soort advies", options: [("no", "Ongevraagd advies"), ("yes", "Gevraagd advies")],
            selected: input.solicited ?? "", required: true)
        form.add("subject", "Onderwerp", value: input.subject, required: true, maxlength: 200)
        form.add("body", "Tekst van het advies", type: "textarea", value: input.body, required: true, maxlength: 20_000)
        form.add("day", "Datum", type: "date", value: input.day ?? Day(Date()).iso, required: true)
        form.add(
            "hours", "Uren", value: input.hours,
            hint: "Tijd voor het advies; telt mee voor het tegoed en komt als activiteit in het jaarverslag.",
            required: true, inputmode: "decimal", maxlength: 8)
        if let category = input.category { form.add("category", "", type: "hidden", value: category) }
        if let caution {
            form.checkbox(
                "smallSignal", "Ik noem dit thema toch: het verraadt een klein aantal, en dat heb ik afgewogen.",
                checked: input.smallSignal == "on", hint: caution)
        }
        form.apply(errors)
        return form
    }

    struct NewPage: Encodable, Sendable {
        let meta: PageMeta
        let orgName: String
        let orgURL: String
        let form: FormView
    }

    static func requireCounsellor(_ req: Request, org: Organisation) async throws -> Staff {
        let staff = try req.requireStaff()
        guard staff.user.isCounsellor,
            try await Organisation.serves(staff.userID, organisation: try org.requireID(), on: req.db)
        else {
            throw Abort(.notFound)
        }
        return staff
    }

    /// GET /organisations/:orgID/advice/new[?category=…&department=…] — from a signal, a draft.
    @Sendable static func new(_ req: Request) async throws -> Response {
        let org = try await Organisation.named(in: req)
        _ = try await requireCounsellor(req, org: org)
        let k = req.application.settings.disclosureThreshold
        var input = AdviceForm(solicited: "no", day: Day(Date()).iso)
        if let category = (try? req.query.get(String.self, at: "category")).flatMap(CaseCategory.init(rawValue:)) {
            let department = try? req.query.get(String.self, at: "department")
            let today = Day(Date())
            let rule = req.application.settings.signalRule
            let cases = try await SignalView.recentCases(
                in: [(try org.requireID())], today: today, rule: rule, on: req.db)
            if let signal = Signals.detect(SignalView.signalCases(cases, today: today), today: today, rule: rule, k: k)
                .first(where: {
                    $0.category == category && $0.department == department.flatMap { $0.isEmpty ? nil : $0 }
                })
            {
                let draft = Signals.adviceDraft(for: signal, organisation: org.name, k: k)
                input.subject = draft.subject
                input.body = draft.body + "\n" + (try req.requireStaff().user.name)
                input.category = category.rawValue
            }
        }
        let caution = try await smallSignalCaution(
            req, org: org, category: input.category.flatMap(CaseCategory.init(rawValue:)))
        let form = adviceForm(
            req, action: SiteURL.advice(.value(try org.requireID())).path, input: input, caution: caution)
        let page = NewPage(
            meta: req.meta("Advies aan \(org.name)", section: "organisations"), orgName: org.name,
            orgURL: SiteURL.organisation(.value(try org.requireID())).path, form: form)
        return try await req.page(.adviceNew, page)
    }

    /// POST /organisations/:orgID/advice
    @Sendable static func create(_ req: Request) async throws -> Response {
        let org = try await Organisation.named(in: req)
        let staff = try await requireCounsellor(req, org: org)
        let input = req.form(AdviceForm.self) ?? AdviceForm()
        var errors = FormErrors()
        let k = req.application.settings.disclosureThreshold
        let subject = errors.text(input.subject, "subject", label: "het onderwerp", max: 200)
        let body = errors.text(input.body, "body", label: "de tekst van het advies", max: 20_000)
        let solicited: Bool? =
            switch input.solicited {
            case "yes": true;
            case "no": false;
            default: nil
            }
        if solicited == nil { errors["solicited"] = "Kies of het advies gevraagd of ongevraagd is." }
        let day = errors.day(input.day, "day", label: "de datum")
        let minutes = errors.hours(input.hours)
        if let day, errors["day"] == nil,
            let frozen = try await AnnualReportRecord.refusalToAdd(
                organisation: try org.requireID(), on: day, db: req.db)
        {
            errors["day"] = frozen
        }
        errors.noSmallFigures([("subject", subject ?? ""), ("body", body ?? "")], k: k)
        let category = input.category.flatMap(CaseCategory.init(rawValue:))
        let caution = try await smallSignalCaution(req, org: org, category: category)
        if caution != nil, input.smallSignal != "on" {
            errors["smallSignal"] =
                """
                Vink aan dat je het thema toch noemt, of laat de brief wachten tot het signaal ten minste \(k) \
                meldingen telt.
                """
        }
        guard errors.isEmpty, let subject, let body, let solicited, let day, let minutes else {
            let page = NewPage(
                meta: req.meta("Advies aan \(org.name)", section: "organisations"), orgName: org.name,
                orgURL: SiteURL.organisation(.value(try org.requireID())).path,
                form: adviceForm(
                    req, action: SiteURL.advice(.value(try org.requireID())).path, input: input, errors: errors,
                    caution: caution))
            return try await req.page(.adviceNew, page, status: .unprocessableEntity)
        }
        let advice = AdviceRecord()
        advice.$organisation.id = try org.requireID()
        advice.$user.id = staff.userID
        advice.solicited = solicited
        advice.category = category
        advice.subject = subject; advice.body = body; advice.givenOn = day
        advice.response = ""; advice.followUp = ""
        let entry = TimeEntry()
        entry.$organisation.id = try org.requireID()
        entry.$user.id = staff.userID
        entry.onDay = day; entry.minutes = minutes; entry.description = subject
        entry.activityKind = .advice
        try await req.store.transaction { db in
            try await advice.create(on: db)
            try await entry.create(on: db)
            try await req.audit(
                "advice.create", subject: "organisation:\(try org.requireID())",
                detail: (try advice.requireID()).uuidString)
        }
        return req.redirect(to: .advice(.value(try org.requireID()), .value(try advice.requireID())), flash: .created)
    }

    // MARK: one advice

    struct ShowPage: Encodable, Sendable {
        let meta: PageMeta
        let orgName: String
        let orgURL: String
        let subject: String
        let body: String
        let day: String
        let solicited: Bool
        let response: String
        let followUp: String
        let docxURL: String
        let form: FormView?
        /// The day it was sent to management, once marked.
        let sentOn: String?
        /// Why the text can no longer be corrected (sent, or counted in a signed-off report).
        let frozen: String?
        let textForm: FormView?
        let sentForm: FormView?
    }

    static func find(_ req: Request) async throws -> (Organisation, AdviceRecord) {
        let org = try await Organisation.named(in: req)
        guard let id = req.parameters.get("adviceID", as: UUID.self),
            let advice = try await AdviceRecord.find(id, on: req.db),
            advice.$organisation.id == org.id
        else { throw Abort(.notFound) }
        return (org, advice)
    }

    struct ResponseForm: Content { var response, followUp: String? }

    static func responseForm(
        _ req: Request, action: String, input: ResponseForm, errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "response", title: "Reactie van het management en opvolging", action: action, submit: "Opslaan",
            csrf: req.csrfToken)
        form.add("response", "Reactie van het management", type: "textarea", value: input.response, maxlength: 8000)
        form.add("followUp", "Opvolging", type: "textarea", value: input.followUp, maxlength: 8000)
        form.apply(errors)
        return form
    }

    /// GET /organisations/:orgID/advice/:adviceID
    @Sendable static func show(_ req: Request) async throws -> Response {
        let (org, advice) = try await find(req)
        return try await render(req, org: org, advice: advice, form: nil)
    }

    static func render(
        _ req: Request, org: Organisation, advice: AdviceRecord, form: FormView?, textForm: FormView? = nil,
        sentForm: FormView? = nil, status: HTTPStatus = .ok
    ) async throws -> Response {
        let url = { (part: SiteURL.AdvicePart?) in SiteURL.advice(.value(org.id!), .value(advice.id!), part).path }
        let canEdit = (try? await requireCounsellor(req, org: org)) != nil
        let isAuthor = canEdit && req.staff?.userID == advice.$user.id
        let frozen = try await frozen(advice, on: req.db)
        let page = ShowPage(
            meta: req.meta(advice.subject, section: "organisations"), orgName: org.name,
            orgURL: SiteURL.organisation(.value(try org.requireID())).path,
            subject: advice.subject, body: advice.body, day: advice.givenOn.dutch,
            solicited: advice.solicited, response: advice.response, followUp: advice.followUp, docxURL: url(.docx),
            form: canEdit
                ? (form
                    ?? responseForm(
                        req, action: url(.response),
                        input: .init(response: advice.response, followUp: advice.followUp))) : nil,
            sentOn: advice.sentOn?.dutch, frozen: frozen,
            textForm: isAuthor && frozen == nil
                ? (textForm
                    ?? self.textForm(req, action: url(.text), input: .init(subject: advice.subject, body: advice.body)))
                : nil,
            sentForm: isAuthor && advice.sentOn == nil
                ? (sentForm ?? self.sentForm(req, action: url(.sent), day: nil)) : nil)
        return try await req.page(.advice, page, status: status)
    }

    /// Why the advice's text may no longer be corrected: it was sent, or a signed-off annual
    /// report lists it.
    static func frozen(_ advice: AdviceRecord, on db: any Database) async throws -> String? {
        if let sent = Corrections.refusal(adviceSentOn: advice.sentOn) { return sent }
        let signed = try await AnnualReportRecord.signedOffYears(of: advice.$organisation.id, on: db)
        return Corrections.refusal(touching: [advice.givenOn], signedOff: signed)
    }

    // MARK: correcting the text before it is sent, and marking it sent

    struct TextForm: Content { var subject, body: String? }

    static func textForm(
        _ req: Request, action: String, input: TextForm, reason: CorrectionReason = .init(),
        errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "text", title: "Tekst wijzigen (nog niet verstuurd)",
            intro: "Zolang het advies niet verstuurd is, kun je de tekst verbeteren. De reden komt in de auditlog.",
            action: action, submit: "Wijziging opslaan", csrf: req.csrfToken)
        form.add("subject", "Onderwerp", value: input.subject, required: true, maxlength: 200)
        form.add("body", "Tekst van het advies", type: "textarea", value: input.body, required: true, maxlength: 20_000)
        form.addReason(reason, note: true)
        form.collapsible = true
        form.apply(errors)
        return form
    }

    /// POST /organisations/:orgID/advice/:adviceID/text
    /// Only its author rewrites an advice or marks it sent: it carries their name.
    static func requireAuthor(_ req: Request, org: Organisation, advice: AdviceRecord) async throws {
        let staff = try await requireCounsellor(req, org: org)
        guard staff.userID == advice.$user.id else { throw Abort(.notFound) }
    }

    @Sendable static func saveText(_ req: Request) async throws -> Response {
        let (org, advice) = try await find(req)
        try await requireAuthor(req, org: org, advice: advice)
        let input = req.form(TextForm.self) ?? TextForm()
        let reasonInput = req.form(CorrectionReason.self) ?? .init()
        var errors = FormErrors()
        let subject = errors.text(input.subject, "subject", label: "het onderwerp", max: 200)
        let body = errors.text(input.body, "body", label: "de tekst van het advies", max: 20_000)
        let reason = errors.reason(reasonInput, note: true)
        errors.noSmallFigures(
            [("subject", subject ?? ""), ("body", body ?? "")], k: req.application.settings.disclosureThreshold)
        if let frozen = try await frozen(advice, on: req.db) { errors.general = frozen }
        if errors.isEmpty, subject == advice.subject, body == advice.body {
            errors.general = "Er is niets veranderd: pas eerst de tekst aan."
        }
        guard errors.isEmpty, let subject, let body, let reason else {
            return try await render(
                req, org: org, advice: advice, form: nil,
                textForm: textForm(
                    req,
                    action: SiteURL.advice(.value(try org.requireID()), .value(try advice.requireID()), .text).path,
                    input: input, reason: reasonInput, errors: errors),
                status: .unprocessableEntity)
        }
        let changed = [("subject", subject != advice.subject), ("body", body != advice.body)].filter(\.1).map(\.0)
        try await req.store.transaction { db in
            // Read again inside the write: marked sent meanwhile wins.
            guard let current = try await AdviceRecord.find(advice.id, on: db), try await frozen(current, on: db) == nil
            else {
                throw ExplainedAbort(
                    status: .conflict, title: "Niet gewijzigd",
                    reason:
                        "Dit advies is intussen als verstuurd vastgelegd, of een vastgesteld jaarverslag telt het mee.")
            }
            current.subject = subject; current.body = body
            try await current.save(on: db)
            try await req.audit(
                "correction.change", subject: "organisation:\(try org.requireID())",
                detail: "advice:\(try advice.requireID()) \(changed.joined(separator: ",")) · \(reason)")
        }
        return req.redirect(to: .advice(.value(try org.requireID()), .value(try advice.requireID())), flash: .corrected)
    }

    struct SentForm: Content { var day: String? }

    static func sentForm(_ req: Request, action: String, day: String?, errors: FormErrors = .init()) -> FormView {
        var form = FormView(
            id: "sent", title: "Verstuurd aan de directie",
            intro:
                """
                Leg vast wanneer je het advies hebt verstuurd. Daarna staat de tekst vast: het is wat de \
                directie heeft.
                """,
            action: action, submit: "Vastleggen als verstuurd", csrf: req.csrfToken)
        form.add("day", "Verstuurd op", type: "date", value: day ?? Day(Date()).iso, required: true)
        form.confirm = "Vastleggen als verstuurd? Daarna kun je de tekst niet meer wijzigen."
        form.apply(errors)
        return form
    }

    /// POST /organisations/:orgID/advice/:adviceID/sent
    @Sendable static func markSent(_ req: Request) async throws -> Response {
        let (org, advice) = try await find(req)
        try await requireAuthor(req, org: org, advice: advice)
        let input = req.form(SentForm.self) ?? SentForm()
        var errors = FormErrors()
        let day = errors.day(input.day, "day", label: "de datum")
        if let day, day > Day(Date()) { errors["day"] = "Deze datum ligt in de toekomst." }
        if let day, day < advice.givenOn {
            errors["day"] = "Het advies is van \(advice.givenOn.dutch): het kan niet eerder verstuurd zijn."
        }
        if advice.sentOn != nil { errors.general = "Dit advies is al als verstuurd vastgelegd." }
        guard errors.isEmpty, let day else {
            return try await render(
                req, org: org, advice: advice, form: nil,
                sentForm: sentForm(
                    req,
                    action: SiteURL.advice(.value(try org.requireID()), .value(try advice.requireID()), .sent).path,
                    day: input.day, errors: errors),
                status: .unprocessableEntity)
        }
        try await req.store.transaction { db in
            // Once: a second press (or a second tab) finds it marked and changes nothing.
            guard let current = try await AdviceRecord.find(advice.id, on: db), current.sentOn == nil else { return }
            current.sentOn = day
            try await current.save(on: db)
            try await req.audit(
                "advice.sent", subject: "organisation:\(try org.requireID())",
                detail: (try advice.requireID()).uuidString)
        }
        return req.redirect(to: .advice(.value(try org.requireID()), .value(try advice.requireID())), flash: .saved)
    }

    /// POST /organisations/:orgID/advice/:adviceID/response
    @Sendable static func saveResponse(_ req: Request) async throws -> Response {
        let (org, advice) = try await find(req)
        _ = try await requireCounsellor(req, org: org)
        let input = req.form(ResponseForm.self) ?? ResponseForm()
        var errors = FormErrors()
        let response = errors.text(input.response, "response", label: "de reactie", max: 8000, required: false) ?? ""
        let followUp = errors.text(input.followUp, "followUp", label: "de opvolging", max: 8000, required: false) ?? ""
        guard errors.isEmpty else {
            let action = SiteURL.advice(.value(try org.requireID()), .value(try advice.requireID()), .response).path
            return try await render(
                req, org: org, advice: advice, form: responseForm(req, action: action, input: input, errors: errors),
                status: .unprocessableEntity)
        }
        advice.response = response; advice.followUp = followUp
        try await req.store.transaction { db in
            try await advice.save(on: db)
            try await req.audit(
                "advice.response", subject: "organisation:\(try org.requireID())",
                detail: (try advice.requireID()).uuidString)
        }
        return req.redirect(to: .advice(.value(try org.requireID()), .value(try advice.requireID())), flash: .saved)
    }

    /// GET /organisations/:orgID/advice/:adviceID/docx — the letter, editable.
    @Sendable static func docx(_ req: Request) async throws -> Response {
        let (org, advice) = try await find(req)
        let data = try ReportWriters.letterDocx(
            title: advice.subject,
            lines: ["\(org.name) · \(advice.givenOn.dutch) · \(advice.solicited ? "gevraagd" : "ongevraagd") advies"],
            body: advice.body)
        try await req.audit(
            "advice.export", subject: "organisation:\(try org.requireID())", detail: (try advice.requireID()).uuidString
        )
        return Response.document(data, format: .docx, name: "advies-\(org.slug)-\(advice.givenOn).docx")
    }
}
