import Vapor

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
            headers.add(name: "Content-Security-Policy", value:
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
        }
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        // Nothing to another site; our own form posts keep their Origin (with `no-referrer` a browser
        // sends `Origin: null`, and one without `Sec-Fetch-Site` would look cross-site).
        headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        headers.replaceOrAdd(name: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        headers.replaceOrAdd(name: "Cross-Origin-Opener-Policy", value: "same-origin")
        if !request.url.path.hasPrefix("/css/") && !request.url.path.hasPrefix("/js/") {
            headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        response.headers = headers
        return response
    }
}
