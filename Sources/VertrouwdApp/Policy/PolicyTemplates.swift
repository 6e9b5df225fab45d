import Fluent
import Foundation
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The built-in texts (`Resources/Policy`) and the practice's edited templates.
enum PolicyTemplates {
    /// A built-in text: a policy template, or `poster`, `mailing` (with `.en` for English).
    static func builtIn(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "md", subdirectory: "Policy") else {
            throw Abort(.internalServerError, reason: "missing built-in text \(name)")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The template in use for a kind: the practice's, else the built-in one.
    static func current(_ kind: PolicyKind, on db: any Database) async throws -> String {
        try await PolicyTemplate.find(kind.rawValue, on: db)?.body ?? builtIn(kind.templateName)
    }

    /// A new draft's text: the template with the organisation's facts filled in. The public
    /// address stays a placeholder, filled in when shown (`PolicyDocument.shown`).
    static func draft(_ kind: PolicyKind, facts: PolicyFacts, on db: any Database) async throws -> String {
        PolicyText.fill(try await current(kind, on: db), facts.values.filter { $0.key != .address })
    }
}

/// An organisation's facts for the placeholders of templates, posters and mailings, in Dutch or
/// English (what the admin typed, such as the hours, stays as typed).
struct PolicyFacts: Sendable {
    let values: [PolicyPlaceholder: String]
    /// The public page's full address, for the QR code.
    let publicAddress: String
    /// Whether that address came from `VERTROUWD_PUBLIC_URL` (else from the request).
    let addressIsConfigured: Bool

    static func of(_ org: Organisation, on req: Request, language: Language = .nl) async throws -> PolicyFacts {
        let configured = req.application.settings.publicURL
        return try await of(
            org, on: req.db, base: req.siteBase,
            configured: configured != nil, language: language)
    }

    /// `base` is the practice's public address (`VERTROUWD_PUBLIC_URL`).
    static func of(
        _ org: Organisation, on db: any Database, base: String, configured: Bool = true,
        language: Language = .nl
    ) async throws -> PolicyFacts {
        let en = language == .en
        let counsellors = try await org.$counsellors.get(on: db).filter { $0.active && $0.isCounsellor }.map(\.name)
            .sorted()
        let practice = try await Practice.find(Practice.singletonID, on: db)
        let address = base.trimmingSuffix("/") + SiteURL.organisationPage(slug: .value(org.slug)).path
        var reach: [String] = []
        // One number for calls and WhatsApp is said once, with both (it was dropped from WhatsApp).
        let sameNumber = !org.phone.isEmpty && org.whatsapp.filter(\.isNumber) == org.phone.filter(\.isNumber)
        if !org.phone.isEmpty {
            let also = sameNumber ? (en ? " and WhatsApp" : " en WhatsApp") : ""
            reach.append("\(en ? "Phone" : "Telefoon")\(also) \(org.phone).")
        }
        if !org.whatsapp.isEmpty && !sameNumber { reach.append("WhatsApp \(org.whatsapp).") }
        if !org.email.isEmpty { reach.append("\(en ? "Email" : "E-mail") \(org.email).") }
        if !org.availability.isEmpty { reach.append(org.availability) }
        let values: [PolicyPlaceholder: String] = [
            .organisation: org.name,
            .counsellors: counsellors.isEmpty
                ? (en ? "(no counsellor assigned yet)" : "(nog geen vertrouwenspersoon toegewezen)")
                : Self.list(counsellors, and: en ? "and" : "en"),
            .practice: (practice?.name).flatMap { $0.isEmpty ? nil : $0 }
                ?? (en
                    ? "the practice of external confidential counsellors"
                    : "de praktijk voor externe vertrouwenspersonen"),
            .reach: reach.isEmpty
                ? (en ? "Through the web address below." : "Via het webadres hieronder.")
                : reach.joined(separator: " "),
            .address: address,
            .committee: org.complaintsCommittee.isEmpty
                ? "(naam en adres van de klachtencommissie: nog in te vullen)" : org.complaintsCommittee
        ]
        return PolicyFacts(values: values, publicAddress: address, addressIsConfigured: configured)
    }

    /// "A", "A en B", "A, B en C".
    static func list(_ names: [String], and: String) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " \(and) " + names.last!
    }

    /// Shown where a printed address is made when `VERTROUWD_PUBLIC_URL` is not set.
    static let unconfiguredWarning =
        """
            VERTROUWD_PUBLIC_URL is niet ingesteld. Het adres en de QR-code wijzen daarom naar het adres waarmee je \
            deze pagina opende. Controleer dat medewerkers dat adres kunnen bereiken voordat je iets verspreidt.
            """
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s
    }
}
