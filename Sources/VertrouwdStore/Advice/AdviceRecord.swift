import FluentKit
import Foundation
import VertrouwdCore

/// An advice to management (*gevraagd of ongevraagd advies*), possibly from a signal.
package final class AdviceRecord: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "advice"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "organisation_id") package var organisation: Organisation
    @Parent(key: "user_id") package var user: User
    @Field(key: "solicited") package var solicited: Bool
    /// The theme of the signal it came from, if any (a `CaseCategory`).
    @OptionalField(key: "category") package var category: CaseCategory?
    @Field(key: "subject") package var subject: String
    @Field(key: "body") package var body: String
    @Field(key: "given_on") package var givenOn: Day
    /// Management's answer and the follow-up, noted later.
    @Field(key: "response") package var response: String
    @Field(key: "follow_up") package var followUp: String
    /// The day the counsellor sent it to management: from then on its text is not corrected.
    @OptionalField(key: "sent_on") package var sentOn: Day?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    package init() {}
}
