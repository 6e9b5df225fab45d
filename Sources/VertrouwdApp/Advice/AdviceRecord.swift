import Fluent
import Foundation
import VertrouwdCore

/// An advice to management (*gevraagd of ongevraagd advies*), possibly from a signal.
final class AdviceRecord: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "advice"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "user_id") var user: User
    @Field(key: "solicited") var solicited: Bool
    /// The theme of the signal it came from, if any (a `CaseCategory`).
    @OptionalField(key: "category") var category: CaseCategory?
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Field(key: "given_on") var givenOn: Day
    /// Management's answer and the follow-up, noted later.
    @Field(key: "response") var response: String
    @Field(key: "follow_up") var followUp: String
    /// The day the counsellor sent it to management: from then on its text is not corrected.
    @OptionalField(key: "sent_on") var sentOn: Day?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
