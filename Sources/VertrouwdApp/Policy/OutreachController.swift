import Fluent
import Vapor
import VertrouwdCore
import VertrouwdReports
import VertrouwdStore

/// Making the counsellor known (*zichtbaarheid*, seed 000 row C2): an A4 poster and a mailing
/// for the intranet or an e-mail to all staff, in Dutch or English, with a QR code (made here, no
/// outside service) that opens the organisation's public page. Sending them is an activity.
enum OutreachController {
    enum Material: String { case poster, mailing }

    static func language(_ req: Request) -> Language {
        req.query[String.self, at: "lang"].flatMap(Language.init(rawValue:)) ?? .nl
    }

    /// The filled-in text of the poster or mailing, and the facts it was filled with.
    static func text(
        _ material: Material, _ org: Organisation, _ req: Request
    ) async throws -> (PolicyText, PolicyFacts) {
        let facts = try await PolicyFacts.of(org, on: req, language: language(req))
        let name = material.rawValue + (language(req) == .en ? ".en" : "")
        return (PolicyText(PolicyText.fill(try PolicyTemplates.builtIn(name), facts.values)), facts)
    }

    static func qr(_ facts: PolicyFacts) throws -> QRCode {
        try QRCode(text: facts.publicAddress, correction: .q)
    }

    struct PosterPage: Encodable, Sendable {
        let lang: String
        let title: String
        let html: String
        let qr: String
        let address: String
        let addressWarning: String?
        /// The way back to the poster-and-mailing page (on screen only).
        let backURL: String
    }

    /// GET /organisations/:orgID/poster[?lang=en] — the A4 poster, to print.
    @Sendable static func poster(_ req: Request) async throws -> Response {
        let org = try await Organisation.named(in: req)
        let (text, facts) = try await text(.poster, org, req)
        let lang = language(req)
        let qrTitle = lang == .en ? "QR code to \(facts.publicAddress)" : "QR-code naar \(facts.publicAddress)"
        return try await req.printPage(
            .poster,
            PosterPage(
                lang: lang.rawValue, title: text.title ?? "Poster", html: PolicyWriters.html(text),
                qr: try qr(facts).svg(title: qrTitle, size: "60mm"), address: facts.publicAddress,
                addressWarning: facts.addressIsConfigured ? nil : PolicyFacts.unconfiguredWarning,
                backURL: SiteURL.organisation(.value(try org.requireID()), .mailing).path))
    }

    /// GET /organisations/:orgID/poster.docx[?lang=en] — the poster, editable, with the QR code as an image.
    @Sendable static func posterDocx(_ req: Request) async throws -> Response {
        let org = try await Organisation.named(in: req)
        let (text, facts) = try await text(.poster, org, req)
        let data = try PolicyWriters.posterDocx(
            text, title: text.title ?? "Poster", qr: try qr(facts), caption: facts.publicAddress)
        return Response.document(
            data, format: .docx, name: "poster-\(org.slug)-\(language(req).rawValue).docx")
    }

    struct MailingPage: Encodable, Sendable {
        let meta: PageMeta
        let orgName: String
        let orgURL: String
        let lang: String
        let html: String
        let plain: String
        let qr: String
        let address: String
        /// Set when `VERTROUWD_PUBLIC_URL` is not: the QR code then holds the address this page was opened with.
        let addressWarning: String?
        let links: Links
        let form: FormView
    }

    struct Links: Encodable, Sendable {
        let posterNL, posterEN, posterDocxNL, posterDocxEN, mailingNL, mailingEN, mailingDocx: String
    }

    /// GET /organisations/:orgID/mailing[?lang=en] — the mailing text to copy, links to the
    /// poster, and recording that material was sent.
    @Sendable static func mailing(_ req: Request) async throws -> Response {
        let org = try await Organisation.named(in: req)
        let (text, facts) = try await text(.mailing, org, req)
        let lang = language(req)
        let path = { (part: SiteURL.OrganisationPart, lang: String) in
            SiteURL.organisation(.value(try org.requireID()), part).path + "?lang=\(lang)"
        }
        let form = OrganisationsController.timeForm(
            req, action: SiteURL.organisation(.value(try org.requireID()), .time).path,
            input: .init(
                kind: ActivityKind.material.rawValue,
                what: "Poster en mailing verstuurd (QR-code naar de publieke pagina)"))
        return try await req.page(
            .mailing,
            MailingPage(
                meta: req.meta("Poster en mailing – \(org.name)", section: "organisations"), orgName: org.name,
                orgURL: SiteURL.organisation(.value(try org.requireID())).path, lang: lang.rawValue,
                html: PolicyWriters.html(text, titleLevel: 2), plain: text.plain,
                qr: try qr(facts).svg(title: "QR-code naar \(facts.publicAddress)", size: "40mm"),
                address: facts.publicAddress,
                addressWarning: facts.addressIsConfigured ? nil : PolicyFacts.unconfiguredWarning,
                links: Links(
                    posterNL: path(.poster, "nl"), posterEN: path(.poster, "en"), posterDocxNL: path(.posterDocx, "nl"),
                    posterDocxEN: path(.posterDocx, "en"), mailingNL: path(.mailing, "nl"),
                    mailingEN: path(.mailing, "en"),
                    mailingDocx: path(.mailingDocx, lang.rawValue)),
                form: form))
    }

    /// GET /organisations/:orgID/mailing.docx[?lang=en]
    @Sendable static func mailingDocx(_ req: Request) async throws -> Response {
        let org = try await Organisation.named(in: req)
        let (text, _) = try await text(.mailing, org, req)
        let data = try PolicyWriters.docx(text, title: text.title ?? "Mailing")
        return Response.document(
            data, format: .docx, name: "mailing-\(org.slug)-\(language(req).rawValue).docx")
    }
}
