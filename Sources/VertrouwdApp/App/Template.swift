import Vapor
import VertrouwdStore

/// Every template, by name: a page renders one of these, never a string. The files live in
/// `Resources/Views` in a folder per feature (`cases/case.leaf`); the layouts (`base`, `form`,
/// `form-page`, `error`) at the top and the reporter's pages in `public/`.
enum Template: String, Sendable {
    // layouts and shared pages
    case formPage = "form-page", error
    // accounts
    case account = "accounts/account", enrol = "accounts/enrol", enrolLink = "accounts/enrol-link"
    case login = "accounts/login", setup = "accounts/setup", users = "accounts/users", handOver = "accounts/handover"
    // cases
    case casePage = "cases/case", cases = "cases/cases", identity = "cases/identity", caseFile = "cases/case-file"
    // organisations, advice, reports, the dashboard, the counsellor's own log
    case organisation = "organisations/organisation", organisations = "organisations/organisations"
    case correction = "organisations/correct", hours = "organisations/hours"
    case importOrganisations = "organisations/import"
    case advice = "advice/advice", adviceNew = "advice/advice-new", signals = "advice/signals"
    case report = "reports/report", reportDocument = "reports/report-document", practiceOverview =
        "reports/practice-overview"
    case dashboard = "dashboard/dashboard"
    // policy documents, poster and mailing
    case policy = "policy/policy", policyDocument = "policy/document", policyTemplates = "policy/templates"
    case poster = "policy/poster", mailing = "policy/mailing"
    case development = "profession/development"
    // the reporter's pages
    case publicOrganisation = "public/organisation", publicForm = "public/form", publicReceipt = "public/receipt"
    case postbus = "public/postbus", postbusLogin = "public/postbus-login", postbusDeleted = "public/postbus-deleted"
    case publicError = "public/error"
}

extension ViewRenderer {
    func render(_ template: Template, _ context: some Encodable & Sendable) async throws -> View {
        try await render(template.rawValue, context).get()
    }
}
