import Foundation
import Vapor
import VertrouwdStore

/// A value in an address, or (in `routes.swift`) the place of the route parameter it fills.
enum Parameter<Value: CustomStringConvertible & Sendable>: Sendable {
    case key
    case value(Value)

    func component(_ name: String) -> String {
        switch self {
        case .key: ":\(name)"
        case .value(let value): value.description
        }
    }
}

/// Every address of the site, in one place. `routes.swift` registers each route from one of these
/// (with `.key` for its parameters), and redirects, form actions and the links pages hand to their
/// templates are made from them: a route renamed here renames every link to it.
enum SiteURL: Sendable {
    // public and operational
    case healthz, login, logout, setup
    case enrol(token: Parameter<String>)
    case enrolConfirm
    case calendar(file: Parameter<String>)
    case calendarFeed
    // the public channel (stable: printed on posters)
    case organisationPage(slug: Parameter<String>)
    case conversation(slug: Parameter<String>)
    case report(slug: Parameter<String>)
    /// The receipt page again, in the other language, from what the reporter's own page posts.
    case receipt(slug: Parameter<String>)
    case postbus
    case postbusMessages
    case postbusRecord(Parameter<UUID>, RecordAction)
    case postbusLogout
    case postbusFile
    case postbusRequests
    // staff
    case dashboard
    /// Every signal in the organisations a counsellor serves (the dashboard shows the first few).
    case signals
    case account, accountRenew, accountPassword, accountProfile, development
    case organisations, newOrganisation
    /// The admin's import of organisations from a spreadsheet, and its confirmation.
    case importOrganisations, importOrganisationsConfirm
    case organisation(Parameter<UUID>, OrganisationPart? = nil)
    /// A row of the organisation's page corrected or removed (`CorrectionKind`).
    case correction(Parameter<UUID>, kind: Parameter<String>, row: Parameter<UUID>, remove: Bool = false)
    case annualReport(Parameter<UUID>, year: Parameter<UUID>, ReportPart? = nil)
    case newAdvice(Parameter<UUID>)
    case policy(Parameter<UUID>, kind: Parameter<String>, version: Parameter<Int>? = nil, PolicyPart? = nil)
    case advice(Parameter<UUID>, Parameter<UUID>? = nil, AdvicePart? = nil)
    case practiceOverview
    /// The hours statement for invoicing, and its CSV.
    case hours, hoursCSV
    case users
    case retentionSettings
    case policyTemplates
    case policyTemplate(kind: Parameter<String>)
    case user(Parameter<UUID>, UserAction)
    case cases, newCase
    case `case`(Parameter<UUID>, CasePart? = nil)
    /// An hour entry of a case corrected or removed.
    case caseTime(Parameter<UUID>, entry: Parameter<UUID>, remove: Bool = false)
    case caseMailbox(Parameter<UUID>, MailboxAction)
    case attachment(Parameter<UUID>, Parameter<UUID>)

    enum RecordAction: String, Sendable { case approve, correct }
    enum OrganisationPart: String, Sendable {
        case time, counsellors, contacts, phases, contractYears = "contract-years"
        case poster, posterDocx = "poster.docx", mailing, mailingDocx = "mailing.docx"
    }
    enum PolicyPart: String, Sendable { case adopt, docx }
    enum ReportPart: Sendable {
        case sections, signOff, export(Parameter<String>)

        var components: [String] {
            switch self {
            case .sections: ["sections"]
            case .signOff: ["sign-off"]
            case .export(let format): ["export", format.component("format")]
            }
        }
    }
    enum AdvicePart: String, Sendable { case response, docx, text, sent }
    enum UserAction: String, Sendable {
        case deactivate, activate, resetTOTP = "reset-totp", unlock, handOver = "handover"
    }
    enum CasePart: String, Sendable {
        case identity, details, steps, escalations, referrals, reportOnBehalf = "report-on-behalf", wbk, appointments,
            time
        case notes, peerSummary = "peer-summary", aftercare, close, reopen, shares, unshare
        case hold, requestAnswer = "request-answer", file
    }
    enum MailboxAction: String, Sendable { case reply, acknowledge, record, open }

    /// The path's components, parameters as `:name` where `.key`.
    var components: [String] {
        switch self {
        case .healthz: ["healthz"]
        case .login: ["login"]
        case .logout: ["logout"]
        case .setup: ["setup"]
        case .enrol(let token): ["enrol", token.component("token")]
        case .enrolConfirm: ["enrol-confirm"]
        case .calendar(let file): ["calendar", file.component("file")]
        case .calendarFeed: ["calendar-feed"]
        case .signals: ["signals"]
        case .organisationPage(let slug): ["o", slug.component("slug")]
        case .conversation(let slug): ["o", slug.component("slug"), "gesprek"]
        case .report(let slug): ["o", slug.component("slug"), "melden"]
        case .receipt(let slug): ["o", slug.component("slug"), "ontvangst"]
        case .postbus: ["postbus"]
        case .postbusMessages: ["postbus", "messages"]
        case .postbusRecord(let id, let action): ["postbus", "records", id.component("messageID"), action.rawValue]
        case .postbusLogout: ["postbus", "logout"]
        case .postbusFile: ["postbus", "file"]
        case .postbusRequests: ["postbus", "requests"]
        case .dashboard: []
        case .account: ["account"]
        case .accountRenew: ["account", "renew"]
        case .accountPassword: ["account", "password"]
        case .accountProfile: ["account", "profile"]
        case .development: ["account", "development"]
        case .organisations: ["organisations"]
        case .newOrganisation: ["organisations", "new"]
        case .importOrganisations: ["organisations", "import"]
        case .importOrganisationsConfirm: ["organisations", "import", "confirm"]
        case .organisation(let id, let part):
            ["organisations", id.component("orgID")] + (part.map { [$0.rawValue] } ?? [])
        case .correction(let org, let kind, let row, let remove):
            ["organisations", org.component("orgID"), "correct", kind.component("correctable"), row.component("rowID")]
                + (remove ? ["remove"] : [])
        case .annualReport(let org, let year, let part):
            ["organisations", org.component("orgID"), "years", year.component("yearID"), "report"]
                + (part?.components ?? [])
        case .newAdvice(let org): ["organisations", org.component("orgID"), "advice", "new"]
        case .policy(let org, let kind, let version, let part):
            ["organisations", org.component("orgID"), "policy", kind.component("kind")]
                + (version.map { [$0.component("version")] } ?? []) + (part.map { [$0.rawValue] } ?? [])
        case .advice(let org, let id, let part):
            ["organisations", org.component("orgID"), "advice"] + (id.map { [$0.component("adviceID")] } ?? [])
                + (part.map { [$0.rawValue] } ?? [])
        case .practiceOverview: ["reports"]
        case .hours: ["admin", "hours"]
        case .hoursCSV: ["admin", "hours", "csv"]
        case .users: ["admin", "users"]
        case .retentionSettings: ["admin", "retention"]
        case .policyTemplates: ["admin", "policy"]
        case .policyTemplate(let kind): ["admin", "policy", kind.component("kind")]
        case .user(let id, let action): ["admin", "users", id.component("userID"), action.rawValue]
        case .cases: ["cases"]
        case .newCase: ["cases", "new"]
        case .case(let id, let part): ["cases", id.component("caseID")] + (part.map { [$0.rawValue] } ?? [])
        case .caseTime(let id, let entry, let remove):
            ["cases", id.component("caseID"), "time", entry.component("entryID")] + (remove ? ["remove"] : [])
        case .caseMailbox(let id, let action): ["cases", id.component("caseID"), "mailbox", action.rawValue]
        case .attachment(let id, let file):
            ["cases", id.component("caseID"), "attachments", file.component("attachmentID")]
        }
    }

    /// The address to link to, e.g. `/cases/7d4c…/notes`.
    var path: String { "/" + components.joined(separator: "/") }

    /// The address with a fragment (`#notes`) to land on a part of the page.
    func path(anchor: String) -> String { path + "#" + anchor }

    /// What `routes.swift` registers.
    var pathComponents: [PathComponent] { components.map { PathComponent(stringLiteral: $0) } }
}

extension Request {
    /// A redirect to an address of the site (303: the browser follows it with a GET).
    func redirect(to url: SiteURL, anchor: String? = nil) -> Response {
        redirect(to: anchor.map { url.path(anchor: $0) } ?? url.path, redirectType: .normal)
    }
}

/// The staff pages' fixed links, for the templates (`meta.links.cases`).
struct StaffLinks: Encodable, Sendable {
    let dashboard = SiteURL.dashboard.path
    let signals = SiteURL.signals.path
    let cases = SiteURL.cases.path
    let closedCases = SiteURL.cases.path + "?closed=1"
    let newCase = SiteURL.newCase.path
    let organisations = SiteURL.organisations.path
    let newOrganisation = SiteURL.newOrganisation.path
    let importOrganisations = SiteURL.importOrganisations.path
    let practiceOverview = SiteURL.practiceOverview.path
    let hours = SiteURL.hours.path
    let users = SiteURL.users.path
    let retentionSettings = SiteURL.retentionSettings.path
    let policyTemplates = SiteURL.policyTemplates.path
    let account = SiteURL.account.path
    let development = SiteURL.development.path
    let login = SiteURL.login.path
    let logout = SiteURL.logout.path
}

/// The reporter's pages' links (`links.report`): the organisation's pages when known.
struct PublicLinks: Encodable, Sendable {
    let organisation: String?
    let conversation: String?
    let report: String?
    let postbus = SiteURL.postbus.path
    let postbusLogout = SiteURL.postbusLogout.path
    let postbusFile = SiteURL.postbusFile.path

    init(slug: String? = nil) {
        organisation = slug.map { SiteURL.organisationPage(slug: .value($0)).path }
        conversation = slug.map { SiteURL.conversation(slug: .value($0)).path }
        report = slug.map { SiteURL.report(slug: .value($0)).path }
    }
}

extension Request {
    /// Where printed links and QR codes lead: `VERTROUWD_PUBLIC_URL`, or, when it is unset (a
    /// laptop, a first try), the Host header only if it names this machine: a loopback name or
    /// address, or the address the server listens on, with a numeric port. Any other Host gives
    /// `http://localhost:PORT`: a stranger's header never decides where a poster's QR code or an
    /// enrolment link points. The pages that print such links warn while the setting is unset.
    var siteBase: String {
        if let configured = application.settings.publicURL {
            return configured.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        }
        let listening = application.http.server.configuration.hostname.lowercased()
        let fallback = "http://localhost:\(application.http.server.configuration.port)"
        guard let host = headers.first(name: .host)?.lowercased(), host.count <= 100 else { return fallback }
        var name = host, port = ""
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") {
            name = String(host[..<colon]); port = String(host[host.index(after: colon)...])
        }
        let allowed: Set<String> = ["localhost", "127.0.0.1", "[::1]", listening]
        guard allowed.contains(name),
            port.isEmpty || (port.count <= 5 && port.allSatisfy(\.isASCII) && port.allSatisfy(\.isNumber))
        else {
            return fallback
        }
        return "http://" + host
    }
}
