import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The reporter's identity (name and contact details): kept apart from the story, on its own
/// page, and every opening of it is audited apart (`case.read_identity`).
enum CaseIdentity {
    /// GET /cases/:caseID/identity — the reporter's identity, only when needed; audited apart.
    @Sendable static func show(_ req: Request) async throws -> Response {
        let c = try await CaseAccess.open(req, audit: "case.read_identity")
        return try await req.page(.identity, CaseForms.IdentityPage(req, c, form: CaseForms.identity(req, c)))
    }

    /// POST /cases/:caseID/identity
    @Sendable static func update(_ req: Request) async throws -> Response {
        let c = try await CaseAccess.open(req, audit: "case.update_identity")
        let input = req.form(CaseForms.Identity.self) ?? .init()
        var errors = FormErrors()
        let name = errors.text(input.reporterName, "reporterName", label: "de naam", max: 200, required: false) ?? ""
        let contact =
            errors.text(
                input.reporterContact, "reporterContact", label: "de contactgegevens", max: 300, required: false) ?? ""
        guard errors.isEmpty else {
            let form = try CaseForms.identity(req, c, input: input, errors: errors)
            return try await req.page(
                .identity, CaseForms.IdentityPage(req, c, form: form), status: .unprocessableEntity)
        }
        try await req.cases.setIdentity(c, name: name, contact: contact)
        return req.redirect(to: .case(.value(c.id), .identity), flash: .saved)
    }
}
