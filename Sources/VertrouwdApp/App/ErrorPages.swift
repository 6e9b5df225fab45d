import LeafKit
import Vapor
import VertrouwdStore

/// Turns every error into a plain Dutch page: no stack trace, no internal reason, no echo of
/// what was sent. Unexpected errors are logged with the path only (never a body or address).
struct ErrorPageMiddleware: AsyncMiddleware {
    struct Context: Encodable, Sendable {
        let meta: PageMeta
        let status: Int
        let heading: String
        let message: String
        /// What the user typed in a form that could not be accepted (expired session or token),
        /// shown back so nothing they wrote is lost. Never stored, never logged.
        let kept: [Kept]
    }

    struct Kept: Encodable, Sendable {
        let label: String
        let value: String
    }

    struct PublicError: Encodable, Sendable {
        var links = PublicLinks()
        let t: PublicText
        let title: String
        let orgName: String
        let message: String
        let kept: [String]
    }

    /// The reporter's pages get errors in the reporter's language and layout.
    static func isReporterPage(_ path: String) -> Bool {
        path.hasPrefix("/o/") || path == "/postbus" || path.hasPrefix("/postbus/")
    }

    /// Fields never shown back: tokens, passwords and codes.
    static let secretFields: Set<String> = ["_csrf", "password", "password2", "code", "current"]

    /// Dutch labels for the fields of the staff forms, for showing back what was typed. One name
    /// can stand on several forms ("body" is a note, a message or a letter): the label is general.
    static let fieldLabels: [String: String] = [
        "accused": "Beklaagde", "availability": "Bereikbaarheid", "body": "Tekst", "closingNote": "Slotnotitie",
        "consentRemark": "Toelichting bij de toestemming", "contact": "Contactgegevens", "department": "Afdeling",
        "departments": "Afdelingen", "email": "E-mailadres", "focus": "Speerpunten", "followUp": "Opvolging",
        "introduction": "Korte introductie", "moments": "Momenten", "name": "Naam", "note": "Toelichting",
        "organisation": "Organisatie", "peerSummary": "Samenvatting voor intervisie", "phone": "Telefoon",
        "place": "Plaats of link", "practice": "Naam van de praktijk", "reason": "Reden",
        "recommendations": "Aanbevelingen", "reporterContact": "Contactgegevens melder", "reporterName": "Naam melder",
        "response": "Reactie van het management", "role": "Rol", "slug": "Publiek adres", "story": "Het verhaal",
        "subject": "Onderwerp", "summary": "Het verhaal", "topic": "Onderwerp", "what": "Wat",
        "whatsapp": "WhatsApp-nummer"
    ]

    /// The text fields of a refused form post, with Dutch labels, so nothing typed is lost. Not
    /// for a post from another site or to an address that does not exist: our page does not
    /// show another site's text. At most 100 fields and 1 MB.
    static func keptText(_ request: Request) -> [Kept] {
        guard request.method == .POST, request.route != nil, !request.isCrossSite else { return [] }
        var room = 1_048_576
        return request.formFields.prefix(100).compactMap { field in
            let value = field.value
            guard !secretFields.contains(field.name), value.trimmingCharacters(in: .whitespacesAndNewlines).count >= 3,
                UUID(uuidString: value) == nil, value.utf8.count <= room
            else { return nil }
            room -= value.utf8.count
            let name = field.name.hasSuffix("[]") ? String(field.name.dropLast(2)) : field.name
            return Kept(label: fieldLabels[name] ?? "Ingevulde tekst", value: value)
        }
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let status: HTTPStatus
            var reason = ""
            if let abort = error as? any AbortError {
                status = abort.status
                reason = abort.reason
            } else {
                status = .internalServerError
            }
            if status == .internalServerError {
                // The type only: an error's text may quote what was sent. Template errors quote
                // templates, which are ours.
                // The route's pattern, never the path: a path holds tokens (`/enrol/:token`) and ids.
                let route =
                    request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "(no route)"
                request.logger.error(
                    "Unhandled error on \(request.method) \(route): \(String(reflecting: type(of: error)))")
                if error is LeafError { request.logger.error("Template: \(error)") }
            }
            // Whatever went wrong, what the user typed comes back (never stored, never logged).
            let kept = Self.keptText(request)
            if Self.isReporterPage(request.url.path) {
                let t = PublicText.of(request.language)
                let (heading, message): (String, String) =
                    switch status {
                    case .notFound, .methodNotAllowed: (t.notFoundTitle, t.notFoundText)
                    case .forbidden, .unauthorized: (t.formExpiredTitle, t.formExpiredText)
                    case .payloadTooLarge: (t.tooLargeTitle, t.tooLargeText)
                    default: (t.errorTitle, t.errorText)
                    }
                let page = PublicError(
                    t: t, title: heading, orgName: "Vertrouwd", message: message, kept: kept.map(\.value))
                if let response = try? await request.view.render(.publicError, page).encodeResponse(
                    status: status, for: request)
                {
                    return response
                }
            }
            let explained =
                (error as? ExplainedAbort).map { ($0.title, $0.reason) }
                ?? (error as? ExplainedRefusal).map { ($0.title, $0.reason) }
            let (heading, message) = explained ?? Self.text(for: status, reason: reason)
            // A logged-in staff member keeps the navigation (a 404 is no dead end).
            let user = request.staff.map {
                PageMeta.NavUser(name: $0.user.name, isAdmin: $0.user.isAdmin, isCounsellor: $0.user.isCounsellor)
            }
            let context = Context(
                meta: PageMeta(title: heading, csrf: request.csrfToken, user: user, flash: nil, section: ""),
                status: Int(status.code), heading: heading, message: message, kept: kept)
            do {
                let response = try await request.view.render(.error, context).encodeResponse(
                    status: status, for: request)
                return response
            } catch {
                request.logger.critical("The error page itself failed: \(error)")
                return Response(
                    status: status, headers: ["Content-Type": "text/plain; charset=utf-8"],
                    body: .init(string: "\(status.code) \(heading)"))
            }
        }
    }

    static func text(for status: HTTPStatus, reason: String) -> (String, String) {
        switch status {
        case .notFound: ("Niet gevonden", "Deze pagina bestaat niet, of je hebt er geen toegang toe.")
        case .forbidden where reason == "csrf":
            (
                "Formulier verlopen",
                """
                    Dit formulier kon niet worden verwerkt omdat het verlopen is of niet van deze site komt. Ga \
                    terug, laad de pagina opnieuw en probeer het nog eens. Er is niets opgeslagen.
                    """
            )
        case .forbidden: ("Geen toegang", "Je hebt geen toegang tot deze pagina.")
        case .unauthorized:
            (
                "Niet (meer) ingelogd",
                "Je bent niet ingelogd, of je sessie is verlopen. Log opnieuw in. Er is niets opgeslagen."
            )
        case .payloadTooLarge:
            (
                "Te groot",
                """
                    Wat je verstuurde is groter dan dit formulier aanneemt. Er is niets opgeslagen. Wat er van je \
                    tekst binnenkwam staat hieronder: maak het korter en probeer het opnieuw.
                    """
            )
        case .conflict: ("Dit kan nu niet", "Dit kan in de huidige stand van zaken niet. Er is niets opgeslagen.")
        case .badRequest: ("Onleesbaar verzoek", "Wat je verstuurde kon niet worden gelezen. Er is niets opgeslagen.")
        case .methodNotAllowed: ("Niet toegestaan", "Deze actie is hier niet mogelijk.")
        case .tooManyRequests: ("Even geduld", "Te veel pogingen. Wacht even en probeer het dan opnieuw.")
        default:
            ("Er ging iets mis", "Er ging aan onze kant iets mis. Er is niets opgeslagen. Probeer het later opnieuw.")
        }
    }
}

/// An error whose title and reason are written for the user, in Dutch, and shown as they are on
/// the error page (a plain `Abort` reason is never shown: it may be Vapor's English or quote
/// what was sent).
struct ExplainedAbort: AbortError {
    let status: HTTPStatus
    let title: String
    let reason: String
}
