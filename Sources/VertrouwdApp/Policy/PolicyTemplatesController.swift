import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The practice's templates for policy documents (admin). A new draft for an organisation starts
/// from the template in use; documents already made do not change with it.
enum PolicyTemplatesController {
    struct Row: Encodable, Sendable { let label, url, state: String }
    struct IndexPage: Encodable, Sendable {
        let meta: PageMeta
        let templates: [Row]
        let placeholders: [String]
    }

    /// GET /admin/policy
    @Sendable static func index(_ req: Request) async throws -> Response {
        var rows: [Row] = []
        for kind in PolicyKind.allCases {
            let edited = try await PolicyTemplate.find(kind.rawValue, on: req.db)
            rows.append(
                Row(
                    label: kind.label, url: SiteURL.policyTemplate(kind: .value(kind.rawValue)).path,
                    state: edited.map { "aangepast op \(Day($0.updatedAt).dutch) door \($0.updatedBy)" }
                        ?? "standaardtekst"))
        }
        return try await req.page(
            .policyTemplates,
            IndexPage(
                meta: req.meta("Sjablonen beleidsdocumenten", section: "policy"), templates: rows,
                placeholders: PolicyPlaceholder.allCases.map { "{{\($0.rawValue)}}" }))
    }

    struct Input: Content { var body, reset: String? }

    static func form(_ req: Request, _ kind: PolicyKind, body: String?, errors: FormErrors = .init()) -> FormView {
        var form = FormView(
            id: "template", title: kind.label,
            intro:
                """
                    Nieuwe concepten voor organisaties beginnen met deze tekst; bestaande documenten veranderen \
                    niet. Invulplekken:
                    """
                + " " + PolicyPlaceholder.allCases.map { "{{\($0.rawValue)}}" }.joined(separator: ", ")
                + ". Leeg opslaan zet de standaardtekst terug.",
            action: SiteURL.policyTemplate(kind: .value(kind.rawValue)).path, submit: "Sjabloon opslaan",
            csrf: req.csrfToken)
        form.add("body", "Tekst", type: "textarea", value: body, maxlength: PolicyController.maxLength)
        form.apply(errors)
        return form
    }

    /// GET /admin/policy/:kind
    @Sendable static func show(_ req: Request) async throws -> Response {
        let kind = try req.policyKind()
        let body = try await PolicyTemplates.current(kind, on: req.db)
        return try await req.page(
            .formPage, FormPage(meta: req.meta(kind.label, section: "policy"), form: form(req, kind, body: body)))
    }

    /// POST /admin/policy/:kind — saves the template; empty restores the built-in one.
    @Sendable static func save(_ req: Request) async throws -> Response {
        let kind = try req.policyKind()
        let input = req.form(Input.self) ?? .init()
        var errors = FormErrors()
        let body =
            errors.text(input.body, "body", label: "de tekst", max: PolicyController.maxLength, required: false) ?? ""
        if errors.isEmpty, !body.isEmpty, let problem = PolicyText.problem(in: body) { errors["body"] = problem }
        guard errors.isEmpty else {
            return try await req.page(
                .formPage,
                FormPage(
                    meta: req.meta(kind.label, section: "policy"),
                    form: form(req, kind, body: input.body, errors: errors)),
                status: .unprocessableEntity)
        }
        let staff = try req.requireStaff()
        try await req.store.transaction { db in
            let existing = try await PolicyTemplate.find(kind.rawValue, on: db)
            if body.isEmpty {
                try await existing?.delete(on: db)
            } else {
                let template = existing ?? PolicyTemplate()
                template.id = kind.rawValue
                template.body = body
                template.updatedAt = Date()
                template.updatedBy = staff.user.name
                try await template.save(on: db)
            }
            try await req.audit("policy.template", detail: "\(kind.rawValue)\(body.isEmpty ? " reset" : "")")
        }
        return req.redirect(to: .policyTemplates, flash: .saved)
    }
}
