import Foundation
import FluentKit
import VertrouwdCore

/// A version of an organisation's policy document (*beleidsdocument*). A draft is edited until it
/// is adopted (*vastgesteld*) on a day by someone; from then on it is read-only and a change is a
/// new version. Organisation facts are filled in when a draft is made; the public address and
/// the adoption facts (`{{meldadres}}`, `{{vastgesteld_op}}`, `{{vastgesteld_door}}`,
/// `{{instemming_or}}`) when a version is shown.
/// Not case content: nothing here is sealed.
package final class PolicyDocument: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "policy_documents"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "organisation_id") package var organisation: Organisation
    @Field(key: "kind") package var kind: PolicyKind
    @Field(key: "version") package var version: Int
    @Field(key: "status") package var status: PolicyStatus
    @Field(key: "body") package var body: String
    @Field(key: "created_at") package var createdAt: Date
    /// The name of who made this version (a counsellor or admin).
    @Field(key: "created_by") package var createdBy: String
    @OptionalField(key: "adopted_on") package var adoptedOn: Day?
    /// Who adopted it, as the organisation says it (e.g. "de directie").
    @Field(key: "adopted_by") package var adoptedBy: String
    /// The works council's consent (*instemming OR*, WOR art. 27), for the whistleblower procedure.
    @OptionalField(key: "works_council_consent_on") package var worksCouncilConsentOn: Day?
    /// Adopted without consent because the organisation has no works council.
    @Field(key: "no_works_council") package var noWorksCouncil: Bool

    package init() {}

    /// The text with the public address and this version's adoption facts filled in.
    package func shown(address: String) -> String {
        PolicyText.fill(
            body,
            [
                .address: address,
                .adoptedOn: adoptedOn?.dutch ?? "…",
                .adoptedBy: adoptedBy.isEmpty ? "…" : adoptedBy,
                .worksCouncil: worksCouncilConsentOn.map {
                    "De ondernemingsraad heeft op \($0.dutch) ingestemd met deze regeling."
                }
                    ?? (noWorksCouncil
                        ? "De organisatie heeft geen ondernemingsraad."
                        : "De instemming van de ondernemingsraad is nog niet vastgelegd.")
            ])
    }

    /// Where the works council stands, for the version list; nil when nothing was recorded.
    package var worksCouncil: String? {
        worksCouncilConsentOn?.dutch ?? (noWorksCouncil ? "geen OR" : nil)
    }
}

/// The practice's own template for a kind of document; without a row, the built-in one.
package final class PolicyTemplate: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "policy_templates"

    @ID(custom: "kind", generatedBy: .user) package var id: String?
    @Field(key: "body") package var body: String
    @Field(key: "updated_at") package var updatedAt: Date
    @Field(key: "updated_by") package var updatedBy: String

    package init() {}
}
