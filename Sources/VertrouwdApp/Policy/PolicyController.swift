import Fluent
import SQLKit
import Vapor
import VertrouwdCore
import VertrouwdReports
import VertrouwdStore

/// An organisation's policy documents (*beleid*, PRODUCT §2): PSA-beleid, klachtenregeling and
/// meldregeling, each versioned. The organisation's counsellors and the admins make a draft
/// from the practice's template (or from the adopted version), adapt it, and record its adoption
/// and the works council's consent (required for the meldregeling, unless there is no works
/// council). Adopted versions stay readable and are never written again. Export: a print page
/// and an editable Word document.
enum PolicyController {
    struct VersionView: Encodable, Sendable {
        let version: Int
        let status: String
        let isDraft: Bool
        let adoptedOn: String?
        let adoptedBy: String
        let worksCouncil: String?
        let made: String
        let url: String
        let docxURL: String
    }

    struct Page: Encodable, Sendable {
        let meta: PageMeta
        let orgName: String
        let orgURL: String
        let kind: String
        let kindLabel: String
        let needsConsent: Bool
        let versions: [VersionView]
        let adopted: VersionView?
        let draft: VersionView?
        let draftHTML: String?
        let addressWarning: String?
        let forms: [FormView]
    }

    /// Who may work on an organisation's policy: its counsellors and the admins (`named(in:)`).
    static func load(_ req: Request) async throws -> (Organisation, PolicyKind) {
        let org = try await Organisation.named(in: req)
        return (org, try req.policyKind())
    }

    static func versions(_ org: Organisation, _ kind: PolicyKind, on db: any Database) async throws -> [PolicyDocument]
    {
        try await PolicyDocument.query(on: db).filter(\.$organisation.$id == (try org.requireID())).filter(
            \.$kind == kind
        )
        .sort(\.$version, .descending).all()
    }

    static func view(_ d: PolicyDocument, _ org: Organisation) -> VersionView {
        let url = { (part: SiteURL.PolicyPart?) in
            SiteURL.policy(.value(org.id!), kind: .value(d.kind.rawValue), version: .value(d.version), part).path
        }
        return VersionView(
            version: d.version, status: d.status.label, isDraft: d.status == .draft,
            adoptedOn: d.adoptedOn?.dutch, adoptedBy: d.adoptedBy, worksCouncil: d.worksCouncil,
            made: "\(Day(d.createdAt).dutch), \(d.createdBy)", url: url(nil), docxURL: url(.docx))
    }

    // MARK: forms

    struct EditInput: Content { var body: String? }
    struct AdoptInput: Content { var adoptedOn, adoptedBy, consentOn, noWorksCouncil: String? }

    static func editForm(
        _ req: Request, _ org: Organisation, _ d: PolicyDocument, input: EditInput? = nil, errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "edit", title: "Concept bewerken (versie \(d.version))",
            intro:
                """
                Kopjes met ## en ###, opsommingen met - of 1., vet met **woorden**. Invulplekken tussen {{ }} \
                worden bij het tonen ingevuld.
                """,
            action: SiteURL.policy(.value(org.id!), kind: .value(d.kind.rawValue), version: .value(d.version)).path,
            submit: "Concept opslaan", csrf: req.csrfToken)
        form.add("body", "Tekst", type: "textarea", value: input?.body ?? d.body, required: true, maxlength: maxLength)
        form.apply(errors)
        return form
    }

    static func adoptForm(
        _ req: Request, _ org: Organisation, _ d: PolicyDocument, input: AdoptInput = .init(),
        errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "adopt", title: "Vaststellen",
            intro:
                """
                Leg vast wanneer en door wie de organisatie deze versie heeft vastgesteld. Sla wijzigingen in \
                de tekst eerst op: vastgesteld wordt de opgeslagen tekst. Daarna verandert deze versie niet \
                meer; een wijziging wordt een nieuwe versie.
                """,
            action: SiteURL.policy(.value(org.id!), kind: .value(d.kind.rawValue), version: .value(d.version), .adopt)
                .path,
            submit: "Versie \(d.version) vaststellen", csrf: req.csrfToken)
        form.add("adoptedOn", "Vastgesteld op", type: "date", value: input.adoptedOn, required: true)
        form.add(
            "adoptedBy", "Vastgesteld door", value: input.adoptedBy,
            hint: "Bijvoorbeeld: de directie, of het college van bestuur.",
            required: true, maxlength: 200)
        form.add(
            "consentOn", "Instemming ondernemingsraad op", type: "date", value: input.consentOn,
            hint: d.kind.needsWorksCouncilConsent
                ? """
                De meldregeling heeft de instemming van de OR nodig (WOR art. 27), op of voor de dag van \
                vaststellen.
                """
                : "Als de OR heeft ingestemd (WOR art. 27), op of voor de dag van vaststellen.",
            required: d.kind.needsWorksCouncilConsent)
        form.checkbox(
            "noWorksCouncil", "De organisatie heeft geen ondernemingsraad", checked: input.noWorksCouncil == "on")
        form.apply(errors)
        return form
    }

    static let maxLength = 60_000

    // MARK: handlers

    /// GET /organisations/:orgID/policy/:kind
    @Sendable static func show(_ req: Request) async throws -> Response {
        let (org, kind) = try await load(req)
        return try await render(req, org, kind)
    }

    static func render(
        _ req: Request, _ org: Organisation, _ kind: PolicyKind, override: FormView? = nil,
        status: HTTPStatus = .ok
    ) async throws -> Response {
        let all = try await versions(org, kind, on: req.db)
        let draft = all.first { $0.status == .draft }
        let adopted = all.first { $0.status == .adopted }
        let facts = try await PolicyFacts.of(org, on: req)
        var forms: [FormView] = []
        if let draft {
            forms.append(editForm(req, org, draft))
            forms.append(adoptForm(req, org, draft))
        } else {
            forms.append(
                FormView(
                    id: "draft", title: "Nieuwe versie",
                    intro: adopted.map {
                        "Maakt een concept van de vastgestelde versie \($0.version), om aan te passen."
                    }
                        ?? """
                        Maakt een concept van het sjabloon van de praktijk, met de gegevens van \(org.name) al \
                        ingevuld.
                        """,
                    action: SiteURL.policy(.value(try org.requireID()), kind: .value(kind.rawValue)).path,
                    submit: "Concept maken", csrf: req.csrfToken))
        }
        // A form refused because its version was adopted meanwhile still comes back, with what was typed.
        if let override {
            if let i = forms.firstIndex(where: { $0.id == override.id }) {
                forms[i] = override
            } else {
                forms.insert(override, at: 0)
            }
        }
        let page = Page(
            meta: req.meta("\(kind.label) – \(org.name)", section: "organisations"), orgName: org.name,
            orgURL: SiteURL.organisation(.value(try org.requireID())).path, kind: kind.rawValue, kindLabel: kind.label,
            needsConsent: kind.needsWorksCouncilConsent, versions: all.map { view($0, org) },
            adopted: adopted.map { view($0, org) }, draft: draft.map { view($0, org) },
            draftHTML: draft.map {
                PolicyWriters.html(PolicyText($0.shown(address: facts.publicAddress)), titleLevel: 3)
            },
            addressWarning: facts.addressIsConfigured ? nil : PolicyFacts.unconfiguredWarning, forms: forms)
        return try await req.page(.policy, page, status: status)
    }

    /// Makes the next version as a draft, unless a draft exists; returns it, or nil.
    static func makeDraft(
        _ req: Request, _ org: Organisation, _ kind: PolicyKind, body: String? = nil
    ) async throws -> PolicyDocument? {
        let staff = try req.requireStaff()
        let template = try await PolicyTemplates.draft(kind, facts: try await PolicyFacts.of(org, on: req), on: req.db)
        return try await req.store.transaction { db -> PolicyDocument? in
            let all = try await versions(org, kind, on: db)
            guard !all.contains(where: { $0.status == .draft }) else { return nil }
            let d = PolicyDocument()
            d.$organisation.id = try org.requireID()
            d.kind = kind
            d.version = (all.first?.version ?? 0) + 1
            d.status = .draft
            d.body = body ?? all.first { $0.status == .adopted }?.body ?? template
            d.createdAt = Date()
            d.createdBy = staff.user.name
            d.adoptedBy = ""
            d.noWorksCouncil = false
            // Two clicks at once: the unique version number lets only one of them in.
            try await d.create(on: db)
            try await req.audit(
                "policy.draft", subject: "organisation:\(try org.requireID())", detail: "\(kind.rawValue) v\(d.version)"
            )
            return d
        }
    }

    /// POST /organisations/:orgID/policy/:kind — a new draft: from the adopted version, else from
    /// the practice's template with the organisation's facts filled in. One draft at a time.
    @Sendable static func newDraft(_ req: Request) async throws -> Response {
        let (org, kind) = try await load(req)
        var made: PolicyDocument?
        do {
            made = try await makeDraft(req, org, kind)
        } catch {
            // Two clicks at once: the other one made it.
            guard try await versions(org, kind, on: req.db).contains(where: { $0.status == .draft }) else {
                throw error
            }
        }
        let back = SiteURL.policy(.value(try org.requireID()), kind: .value(kind.rawValue))
        return made == nil ? req.redirect(to: back) : req.redirect(to: back, flash: .created)
    }

    static func version(_ req: Request, _ org: Organisation, _ kind: PolicyKind) async throws -> PolicyDocument {
        guard let version = req.parameters.get("version", as: Int.self),
            let d = try await PolicyDocument.query(on: req.db).filter(\.$organisation.$id == (try org.requireID()))
                .filter(
                    \.$kind == kind
                )
                .filter(\.$version == version).first()
        else { throw Abort(.notFound) }
        return d
    }

    /// Writes `columns` to a version only while it is a draft, in one statement (a colleague may
    /// adopt it between reading and writing); false when it was adopted meanwhile.
    static func writeDraft(
        _ d: PolicyDocument, _ columns: [(String, any Encodable & Sendable)], on db: any Database
    ) async throws -> Bool {
        var update = (db as! any SQLDatabase).update(PolicyDocument.schema)
        for (column, value) in columns { update = update.set(column, to: value) }
        let rows = try await update.where("id", .equal, (try d.requireID())).where(
            "status", .equal, PolicyStatus.draft.rawValue
        )
        .returning("id").all()
        return !rows.isEmpty
    }

    /// POST /organisations/:orgID/policy/:kind/:version — saves a draft's text. When the version
    /// was adopted meanwhile, the text becomes the next draft rather than being lost.
    @Sendable static func save(_ req: Request) async throws -> Response {
        let (org, kind) = try await load(req)
        let d = try await version(req, org, kind)
        let input = req.form(EditInput.self) ?? .init()
        var errors = FormErrors()
        let body = errors.text(input.body, "body", label: "de tekst", max: maxLength)
        if let body, errors["body"] == nil, let problem = PolicyText.problem(in: body) { errors["body"] = problem }
        guard errors.isEmpty, let body else {
            return try await render(
                req, org, kind, override: editForm(req, org, d, input: input, errors: errors),
                status: .unprocessableEntity)
        }
        let saved = try await req.store.transaction { db in
            guard try await writeDraft(d, [("body", body)], on: db) else { return false }
            try await req.audit(
                "policy.edit", subject: "organisation:\(try org.requireID())", detail: "\(kind.rawValue) v\(d.version)")
            return true
        }
        let back = SiteURL.policy(.value(try org.requireID()), kind: .value(kind.rawValue))
        if saved { return req.redirect(to: back, flash: .saved) }
        if (try? await makeDraft(req, org, kind, body: body)) != nil {
            return req.redirect(to: back, flash: .savedAsNewDraft)
        }
        errors.general =
            """
            Versie \(d.version) is intussen vastgesteld en er is al een nieuw concept. Je tekst is niet \
            opgeslagen; kopieer hem naar het concept.
            """
        return try await render(
            req, org, kind, override: editForm(req, org, d, input: input, errors: errors), status: .conflict)
    }

    /// POST /organisations/:orgID/policy/:kind/:version/adopt
    @Sendable static func adopt(_ req: Request) async throws -> Response {
        let (org, kind) = try await load(req)
        let d = try await version(req, org, kind)
        let input = req.form(AdoptInput.self) ?? .init()
        var errors = FormErrors()
        let today = Day(Date())
        let previous = try await versions(org, kind, on: req.db).first {
            $0.status == .adopted && $0.version < d.version
        }?.adoptedOn
        let adoptedOn = errors.day(input.adoptedOn, "adoptedOn", label: "de datum van vaststellen")
        if let adoptedOn, adoptedOn > today { errors["adoptedOn"] = "Vaststellen kan niet in de toekomst." }
        if let adoptedOn, let previous, adoptedOn < previous {
            errors["adoptedOn"] = "De vorige versie is vastgesteld op \(previous.dutch); kies die dag of later."
        }
        let adoptedBy = errors.text(input.adoptedBy, "adoptedBy", label: "wie het vaststelde", max: 200)
        let noWorksCouncil = input.noWorksCouncil == "on"
        let consentOn = errors.day(
            input.consentOn, "consentOn", label: "de datum van de instemming van de OR",
            required: kind.needsWorksCouncilConsent && !noWorksCouncil)
        if noWorksCouncil && consentOn != nil {
            errors["noWorksCouncil"] = "Kies één van beide: de datum van de instemming van de OR, of dat er geen OR is."
        }
        if let consentOn, let adoptedOn, consentOn > adoptedOn {
            errors["consentOn"] =
                "De OR stemt in vóór de regeling wordt vastgesteld: kies een datum op of voor \(adoptedOn.dutch)."
        }
        guard errors.isEmpty, let adoptedOn, let adoptedBy else {
            return try await render(
                req, org, kind, override: adoptForm(req, org, d, input: input, errors: errors),
                status: .unprocessableEntity)
        }
        let adopted = try await req.store.transaction { db in
            guard
                try await writeDraft(
                    d,
                    [
                        ("status", PolicyStatus.adopted.rawValue), ("adopted_on", adoptedOn.iso),
                        ("adopted_by", adoptedBy), ("works_council_consent_on", consentOn?.iso),
                        ("no_works_council", noWorksCouncil)
                    ], on: db)
            else { return false }
            try await req.audit(
                "policy.adopt", subject: "organisation:\(try org.requireID())",
                detail: "\(kind.rawValue) v\(d.version) \(adoptedOn.iso)")
            return true
        }
        guard adopted else {
            errors.general = "Versie \(d.version) is al vastgesteld."
            return try await render(
                req, org, kind, override: adoptForm(req, org, d, input: input, errors: errors), status: .conflict)
        }
        return req.redirect(to: .policy(.value(try org.requireID()), kind: .value(kind.rawValue)), flash: .saved)
    }

    struct DocumentPage: Encodable, Sendable {
        let title: String
        let html: String
        let status: String
        let isDraft: Bool
        let backURL: String
        let docxURL: String
    }

    static func statusLine(_ d: PolicyDocument) -> String {
        d.status == .draft
            ? "Concept, versie \(d.version)"
            : "Versie \(d.version), vastgesteld op \(d.adoptedOn?.dutch ?? "") door \(d.adoptedBy)"
    }

    /// GET /organisations/:orgID/policy/:kind/:version — the print page of one version.
    @Sendable static func document(_ req: Request) async throws -> Response {
        let (org, kind) = try await load(req)
        let d = try await version(req, org, kind)
        let text = PolicyText(d.shown(address: try await PolicyFacts.of(org, on: req).publicAddress))
        return try await req.printPage(
            .policyDocument,
            DocumentPage(
                title: text.title ?? kind.label, html: PolicyWriters.html(text), status: statusLine(d),
                isDraft: d.status == .draft,
                backURL: SiteURL.policy(.value(try org.requireID()), kind: .value(kind.rawValue)).path,
                docxURL: view(d, org).docxURL))
    }

    /// GET /organisations/:orgID/policy/:kind/:version/docx — editable, for the house style.
    @Sendable static func docx(_ req: Request) async throws -> Response {
        let (org, kind) = try await load(req)
        let d = try await version(req, org, kind)
        let text = PolicyText(d.shown(address: try await PolicyFacts.of(org, on: req).publicAddress))
        let data = try PolicyWriters.docx(text, title: text.title ?? kind.label, footer: statusLine(d))
        let name = "\(kind.templateName)-\(org.slug)-v\(d.version)\(d.status == .draft ? "-concept" : "").docx"
        return Response.document(data, format: .docx, name: name)
    }
}

extension Request {
    /// The policy kind named in the address (`:kind`), or 404.
    func policyKind() throws -> PolicyKind {
        guard let kind = parameters.get("kind").flatMap(PolicyKind.init(rawValue:)) else { throw Abort(.notFound) }
        return kind
    }
}
