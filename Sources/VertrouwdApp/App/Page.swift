import Fluent
import SQLKit
import Vapor
import VertrouwdCore
import VertrouwdStore

/// What every page's layout needs besides its own content.
struct PageMeta: Encodable, Sendable {
    struct NavUser: Encodable, Sendable {
        let name: String
        let isAdmin: Bool
        let isCounsellor: Bool
        /// New reports and cases with a reporter's message nobody read (`Inbox.waiting`), filled
        /// in by `Request.page` just before it renders; written as `waiting`, absent for none.
        var waiting: WaitingCount? = nil

        enum CodingKeys: String, CodingKey { case name, isAdmin, isCounsellor, waiting }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name); try c.encode(isAdmin, forKey: .isAdmin);
            try c.encode(isCounsellor, forKey: .isCounsellor)
            try c.encodeIfPresent(waiting?.value.flatMap { $0 > 0 ? $0 : nil }, forKey: .waiting)
        }
    }

    let title: String
    let csrf: String
    let user: NavUser?
    let flash: String?
    let section: String
    var links = StaffLinks()
}

/// Short messages shown once after a redirect. The cookie carries only the code, never user text.
enum Flash: String {
    case saved, created, loggedOut = "logged_out", deactivated, closed, signedOff = "signed_off", destroyed
    case savedAsNewDraft = "saved_as_new_draft", handedOver = "handed_over", unshared
    case corrected, removed, secondFactorWorks = "second_factor_works", imported

    var message: String {
        switch self {
        case .saved: "Opgeslagen."
        case .secondFactorWorks:
            "Je authenticator-app werkt. Gebruik bij het inloggen de volgende code die de app toont."
        case .corrected: "Gewijzigd. Wat er veranderde en de reden staan in de auditlog."
        case .removed: "Verwijderd. De reden staat in de auditlog."
        case .savedAsNewDraft: "Die versie was intussen vastgesteld. Je tekst is opgeslagen als een nieuw concept."
        case .created: "Aangemaakt."
        case .imported: "Geïmporteerd. Wat er per organisatie veranderde, staat in de auditlog."
        case .unshared: "Delen beëindigd: de vervanger opent deze melding niet meer."
        case .handedOver:
            """
                Meldingen overgedragen. De nieuwe vertrouwenspersoon ziet ze op het overzicht; de vorige opent ze \
                niet meer.
                """
        case .loggedOut: "Je bent uitgelogd."
        case .deactivated: "Account gedeactiveerd; de sessies van dit account zijn beëindigd."
        case .closed: "Melding afgesloten."
        case .signedOff: "Jaarverslag vastgesteld. Deze versie kan nu worden gedownload."
        case .destroyed:
            "Verzoek toegekend: de inhoud van de melding is vernietigd. Het verwijderverslag staat in de auditlog."
        }
    }

    static let cookieName = "vt_flash"
}

extension Request {
    func meta(_ title: String, section: String = "") -> PageMeta {
        let count = storage[WaitingKey.self] ?? WaitingCount()
        storage[WaitingKey.self] = count
        let user = staff.map {
            PageMeta.NavUser(
                name: $0.user.name, isAdmin: $0.user.isAdmin, isCounsellor: $0.user.isCounsellor,
                waiting: count)
        }
        let flash = cookies[Flash.cookieName].flatMap { Flash(rawValue: $0.string) }?.message
        return PageMeta(title: title, csrf: csrfToken, user: user, flash: flash, section: section)
    }

    /// Renders a page; clears a flash message that was shown.
    func page(
        _ template: Template, _ context: some Encodable & Sendable, status: HTTPStatus = .ok
    ) async throws -> Response {
        // The menu's count, read now: after the handler (a case page that marked messages read
        // counts without them), and only for a page that is drawn (not a redirect or a download).
        if let staff, staff.user.isCounsellor, let count = storage[WaitingKey.self], count.value == nil {
            count.value = try await Inbox.waiting(for: staff.userID, on: db)
        }
        let response = try await view.render(template, context).encodeResponse(status: status, for: self)
        if cookies[Flash.cookieName] != nil {
            response.cookies[Flash.cookieName] = .expired
        }
        return response
    }

    /// Post/redirect/get: after a change, go to a page (or a part of it) and show one message there.
    func redirect(to url: SiteURL, anchor: String? = nil, flash: Flash) -> Response {
        let response = redirect(to: url, anchor: anchor)
        response.cookies[Flash.cookieName] = HTTPCookies.Value(
            string: flash.rawValue, maxAge: 60, path: "/",
            isSecure: application.settings.secureCookies,
            isHTTPOnly: true, sameSite: .strict)
        return response
    }
}

/// A page with one form and nothing else (`form-page.leaf`): a new organisation, a new case,
/// an enrolment link, renewing an account's credentials.
struct FormPage: Encodable, Sendable {
    let meta: PageMeta
    let form: FormView
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let v): try await transform(v)
        case .none: nil
        }
    }
}

/// Where a long list is — "51–100 van 9876" — with links to the pages before and after it.
struct Pager: Encodable, Sendable {
    static let perPage = 50

    let summary: String
    let previous: String?
    let next: String?

    /// Nil when everything fits on one page.
    init?(page: Int, total: Int, url: (Int) -> String) {
        guard total > Self.perPage else { return nil }
        let last = (total + Self.perPage - 1) / Self.perPage
        summary = "\((page - 1) * Self.perPage + 1)–\(min(page * Self.perPage, total)) van \(total)"
        previous = page > 1 ? url(page - 1) : nil
        next = page < last ? url(page + 1) : nil
    }
}

/// The menu's count of one request: made empty by `meta`, filled by `page` before it renders.
final class WaitingCount: @unchecked Sendable {  // one request's: written once before its page renders, then read
    var value: Int?
}

struct WaitingKey: StorageKey { typealias Value = WaitingCount }

enum Inbox {
    /// How many of the counsellor's cases wait for them: new reports not yet taken on, and cases
    /// (closed ones too) with a reporter's message nobody has read. Starts from the unread
    /// messages (a few, by `mailbox_messages_unread`), not from the counsellor's cases.
    static func waiting(for userID: UUID, on db: any Database) async throws -> Int {
        let sql = db as! any SQLDatabase
        let new =
            try await sql.raw(
                """
                SELECT COUNT(*) AS n FROM cases WHERE counsellor_id = \(bind: userID) AND status = \
                \(bind: CaseStatus.new.rawValue) \
                AND destroyed_on IS NULL
                """
            ).first()?.decode(column: "n", as: Int.self) ?? 0
        let unread =
            try await sql.raw(
                """
                SELECT COUNT(DISTINCT m.case_id) AS n FROM mailbox_messages m JOIN cases c ON c.id = m.case_id \
                WHERE m.read_at IS NULL AND m.sender = \(bind: MailboxMessage.Sender.reporter.rawValue) \
                AND c.destroyed_on IS NULL AND c.status <> \(bind: CaseStatus.new.rawValue) \
                AND (c.counsellor_id = \(bind: userID) OR c.id IN (SELECT case_id FROM case_shares WHERE user_id = \
                \(bind: userID)
                """ + CaseShare.running() + "))"
            ).first()?.decode(column: "n", as: Int.self) ?? 0
        return new + unread
    }
}
