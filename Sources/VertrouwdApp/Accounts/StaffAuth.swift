import Fluent
import Vapor
import VertrouwdStore

private struct StaffKey: StorageKey { typealias Value = Staff }
private struct AnonymousCSRFKey: StorageKey { typealias Value = String }

extension Request {
    var staff: Staff? {
        get { storage[StaffKey.self] }
        set { storage[StaffKey.self] = newValue }
    }

    /// The logged-in staff member, or a 401 that the error page turns into a login redirect.
    func requireStaff() throws -> Staff {
        guard let staff else { throw Abort(.unauthorized) }
        return staff
    }

    /// The CSRF token to put in forms: the session's once logged in, else the visitor's cookie.
    var csrfToken: String {
        staff?.session.csrfToken ?? storage[AnonymousCSRFKey.self] ?? cookies[StaffAuthMiddleware.csrfCookie]?.string
            ?? ""
    }

    fileprivate func setAnonymousCSRF(_ token: String) { storage[AnonymousCSRFKey.self] = token }
}

/// Loads the staff session from its cookie, enforcing the idle (30 min) and absolute (12 h)
/// timeouts and the account still being active. Visitors without a session get a random
/// CSRF cookie, so even the login form cannot be submitted from another site.
struct StaffAuthMiddleware: AsyncMiddleware {
    static let sessionCookie = "vt_session"
    static let csrfCookie = "vt_csrf"
    /// `last_seen_at` is written at most this often, not on every request.
    static let touchInterval: TimeInterval = 60

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        var endedSession = false
        if let token = request.cookies[Self.sessionCookie]?.string, !token.isEmpty {
            if let staff = try await Self.load(token: token, on: request) {
                request.staff = staff
            } else {
                endedSession = true
            }
        }
        var newCSRF: String?
        if request.staff == nil && request.cookies[Self.csrfCookie] == nil {
            newCSRF = Tokens.random()
            request.setAnonymousCSRF(newCSRF!)
        }
        let response = try await next.respond(to: request)
        if endedSession && response.cookies[Self.sessionCookie] == nil {
            response.cookies[Self.sessionCookie] = .expired
        }
        if let newCSRF, response.cookies[Self.csrfCookie] == nil {
            response.cookies[Self.csrfCookie] = Self.cookie(newCSRF, on: request)
        }
        return response
    }

    static func cookie(_ value: String, on request: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: value, expires: nil, maxAge: nil, domain: nil, path: "/",
            isSecure: request.application.settings.secureCookies, isHTTPOnly: true, sameSite: .strict)
    }

    static func load(token: String, on request: Request) async throws -> Staff? {
        let settings = request.application.settings
        guard
            let session = try await StaffSession.query(on: request.db)
                .filter(\.$id == Tokens.hash(token)).with(\.$user).first()
        else { return nil }
        let now = Date()
        let user = session.user
        if !user.active
            || now.timeIntervalSince(session.lastSeenAt) > settings.sessionIdleTimeout
            || now.timeIntervalSince(session.createdAt) > settings.sessionAbsoluteTimeout
        {
            try await session.delete(on: request.db)
            return nil
        }
        if now.timeIntervalSince(session.lastSeenAt) > touchInterval {
            session.lastSeenAt = now
            try await session.update(on: request.db)
        }
        return try Staff(user: user, session: session)
    }
}

/// Refuses every state-changing request whose form does not carry the right token.
/// Vapor has no CSRF protection of its own; SameSite=Strict cookies are the second wall.
/// Runs after `RequestBodyMiddleware`, so the token is read from the whole body, however long.
/// A route that draws its form again on refusal gets `.expired` instead of a 403 page; it
/// changes nothing either way (see `RoutesBuilder.post(_:limit:refused:use:)`).
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method != .GET && request.method != .HEAD else {
            return try await next.respond(to: request)
        }
        let expected = request.staff?.session.csrfToken ?? request.cookies[StaffAuthMiddleware.csrfCookie]?.string ?? ""
        // Without an expected token there is nothing to compare: the body is not even read.
        let sent = expected.isEmpty ? "" : request.formValue(Self.field) ?? ""
        guard !expected.isEmpty, Tokens.constantTimeEqual(expected, sent) else {
            // A post from another site gets no form of ours filled in with its text.
            guard request.route?.drawsRefusedForms == true, !request.isCrossSite else {
                throw Abort(.forbidden, reason: "csrf")
            }
            // "Too large" is what stops the form: saying "expired" would cost a second upload.
            if request.formRefusal == nil { request.formRefusal = .expired }
            return try await next.respond(to: request)
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    /// Sent by a page of another site, as the browser tells (`Sec-Fetch-Site`, else `Origin`).
    var isCrossSite: Bool {
        if let site = headers.first(name: "Sec-Fetch-Site") { return site == "cross-site" || site == "same-site" }
        guard let origin = headers.first(name: .origin) else { return false }
        guard let host = headers.first(name: .host), let ours = URL(string: "http://" + host)?.host else { return true }
        return URL(string: origin)?.host != ours
    }
}

/// Lets through logged-in staff only; visitors are sent to the login page.
struct RequireStaffMiddleware: AsyncMiddleware {
    var admin = false
    var counsellor = false

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let staff = request.staff else {
            if request.method == .GET {
                let next = request.url.path.hasPrefix("/") && !request.url.path.hasPrefix("//") ? request.url.path : "/"
                return request.redirect(
                    to: SiteURL.login.path + "?next="
                        + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
            }
            throw Abort(.unauthorized)
        }
        // An account whose password or second factor an admin may have seen (made before the
        // enrolment links) renews both before anything else.
        if staff.user.renewCredentials == true {
            if request.method == .GET { return request.redirect(to: SiteURL.accountRenew.path) }
            throw Abort(.forbidden)
        }
        if admin && !staff.user.isAdmin { throw Abort(.forbidden) }
        if counsellor && !staff.user.isCounsellor { throw Abort(.forbidden) }
        return try await next.respond(to: request)
    }
}

/// Only a logged-in staff member, whatever else: for the page where an account renews its
/// credentials, which `RequireStaffMiddleware` sends it to.
struct LoggedInMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.staff != nil else {
            if request.method == .GET { return request.redirect(to: SiteURL.login.path) }
            throw Abort(.unauthorized)
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    /// Names the browser a login or an enrolment came from, for the audit log: a hash of its
    /// form cookie (`vt_csrf`, random, made at its first page), never the cookie itself. An
    /// enrolment completed in the browser that then logs in as someone else shows as the same tag.
    var browserTag: String {
        guard let cookie = cookies[StaffAuthMiddleware.csrfCookie]?.string, !cookie.isEmpty else {
            return "browser:none"
        }
        return "browser:" + String(Tokens.hash("browser-tag:" + cookie).prefix(12))
    }
}
