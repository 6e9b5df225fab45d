import Fluent
import Vapor
import VertrouwdCore

/// A version of an organisation's policy document (*beleidsdocument*). A draft is edited until it
/// is adopted (*vastgesteld*) on a day by someone; from then on it is read-only and a change is a
/// new version. Organisation facts are filled in when a draft is made; the adoption facts
/// (`{{vastgesteld_op}}`, `{{vastgesteld_door}}`, `{{instemming_or}}`) when a version is shown.
/// Not case content: nothing here is sealed.
final class PolicyDocument: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "policy_documents"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "kind") var kind: PolicyKind
    @Field(key: "version") var version: Int
    @Field(key: "status") var status: PolicyStatus
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date
    /// The name of who made this version (a counsellor or admin).
    @Field(key: "created_by") var createdBy: String
    @OptionalField(key: "adopted_on") var adoptedOn: Day?
    /// Who adopted it, as the organisation says it (e.g. "de directie").
    @Field(key: "adopted_by") var adoptedBy: String
    /// The works council's consent (*instemming OR*, WOR art. 27), for the whistleblower procedure.
    @OptionalField(key: "works_council_consent_on") var worksCouncilConsentOn: Day?

    init() {}

    /// The text with the adoption facts of this version filled in.
    var shown: String {
        PolicyText.fill(body, [
            .adoptedOn: adoptedOn?.dutch ?? "…",
            .adoptedBy: adoptedBy.isEmpty ? "…" : adoptedBy,
            .worksCouncil: worksCouncilConsentOn.map { "De ondernemingsraad heeft op \($0.dutch) ingestemd met deze regeling." }
                ?? "De instemming van de ondernemingsraad is nog niet vastgelegd.",
        ])
    }
}

/// The practice's own template for a kind of document; without a row, the built-in one.
final class PolicyTemplate: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "policy_templates"

    @ID(custom: "kind", generatedBy: .user) var id: String?
    @Field(key: "body") var body: String
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "updated_by") var updatedBy: String

    init() {}
}

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
    static func current(_ kind: PolicyKind, on db: any Database) async throws -> (body: String, edited: PolicyTemplate?) {
        if let edited = try await PolicyTemplate.find(kind.rawValue, on: db) { return (edited.body, edited) }
        return (try builtIn(kind.templateName), nil)
    }
}

/// An organisation's facts for the placeholders of templates, posters and mailings.
struct PolicyFacts: Sendable {
    let values: [PolicyPlaceholder: String]
    /// The public page's full address, for the QR code.
    let publicAddress: String

    static func of(_ org: Organisation, on req: Request) async throws -> PolicyFacts {
        try await of(org, on: req.db, base: req.application.settings.publicURL ?? "http://\(req.headers.first(name: .host) ?? "localhost")")
    }

    /// `base` is the practice's public address (`VERTROUWD_PUBLIC_URL`).
    static func of(_ org: Organisation, on db: any Database, base: String) async throws -> PolicyFacts {
        let counsellors = try await org.$counsellors.get(on: db).filter { $0.active && $0.isCounsellor }.map(\.name).sorted()
        let practice = try await Practice.find(Practice.singletonID, on: db)
        let address = base.trimmingSuffix("/") + SiteURL.organisationPage(slug: .value(org.slug)).path
        var reach: [String] = []
        if !org.phone.isEmpty { reach.append("Telefoon \(org.phone).") }
        if !org.whatsapp.isEmpty && org.whatsapp != org.phone { reach.append("WhatsApp \(org.whatsapp).") }
        if !org.email.isEmpty { reach.append("E-mail \(org.email).") }
        if !org.availability.isEmpty { reach.append(org.availability) }
        let values: [PolicyPlaceholder: String] = [
            .organisation: org.name,
            .counsellors: counsellors.isEmpty ? "(nog geen vertrouwenspersoon toegewezen)" : Self.list(counsellors),
            .practice: (practice?.name).flatMap { $0.isEmpty ? nil : $0 } ?? "de praktijk voor externe vertrouwenspersonen",
            .reach: reach.isEmpty ? "Via de website hieronder." : reach.joined(separator: " "),
            .address: address,
            .committee: org.complaintsCommittee.isEmpty ? "(naam en adres van de klachtencommissie: nog in te vullen)" : org.complaintsCommittee,
        ]
        return PolicyFacts(values: values, publicAddress: address)
    }

    /// "A", "A en B", "A, B en C".
    static func list(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " en " + names.last!
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s
    }
}
