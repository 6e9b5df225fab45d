import Vapor
import VertrouwdStore

/// Headers on every response. No script runs inline, nothing is framed, no page leaks its address
/// to another site, and no page of a case is kept in a browser cache.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let h = response.headers
        var headers = h
        // A handler may set a stricter policy of its own (a downloaded attachment, an exported
        // report): keep it.
        if h.first(name: "Content-Security-Policy") == nil {
            headers.add(
                name: "Content-Security-Policy",
                value:
                    """
                        default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action \
                        'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'
                        """
            )
        }
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        // Nothing to another site; our own form posts keep their Origin (with `no-referrer` a browser
        // sends `Origin: null`, and one without `Sec-Fetch-Site` would look cross-site).
        headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        headers.replaceOrAdd(
            name: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        headers.replaceOrAdd(name: "Cross-Origin-Opener-Policy", value: "same-origin")
        // Behind TLS, browsers keep to https for a year: no first request in the clear to strip.
        if request.application.settings.publicURL?.hasPrefix("https://") == true {
            headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000")
        }
        if !request.url.path.hasPrefix("/css/") && !request.url.path.hasPrefix("/js/") {
            headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        response.headers = headers
        return response
    }
}

/// Behind TLS, every cookie of ours travels as `__Host-vt_…`: a browser accepts such a cookie
/// only from this very host, over https, with `Path=/` and no `Domain`, so a sibling subdomain
/// (or a network attacker on plain http) cannot plant a session, CSRF or mailbox cookie. The
/// code inside speaks of `vt_…`; the prefix is added and removed here, at the edge, and a
/// cookie without it is not believed.
struct HostCookiesMiddleware: AsyncMiddleware {
    static let prefix = "__Host-"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.application.settings.secureCookies else { return try await next.respond(to: request) }
        var inner = HTTPCookies()
        for (name, value) in request.cookies.all where name.hasPrefix(Self.prefix + "vt_") {
            inner[String(name.dropFirst(Self.prefix.count))] = value
        }
        request.cookies = inner
        let response = try await next.respond(to: request)
        var outer = HTTPCookies()
        for (name, value) in response.cookies.all {
            guard name.hasPrefix("vt_") else { outer[name] = value; continue }
            var value = value
            value.path = "/"
            value.domain = nil
            value.isSecure = true
            outer[Self.prefix + name] = value
        }
        response.cookies = outer
        return response
    }
}
