import Fluent
import Vapor
import VertrouwdCore

/// A *melding*: one reporter's case with one counsellor.
///
/// Categorical fields (kind, categories, role, channel, regime, ladder level, outcome, dates) are
/// plain, so hours and statistics need no key. Everything a person wrote or that identifies
/// someone is sealed with the case's own key (fields named `…Sealed`).
final class Case: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "cases"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // relationships
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "counsellor_id") var counsellor: User
    @Children(for: \.$case) var categories: [CaseCategoryRecord]

    // data fields (plain, categorical)
    @Field(key: "reference") var reference: String
    /// The reference's parts, so the next number is one indexed lookup, not a scan of the year.
    @Field(key: "reference_year") var referenceYear: Int
    @Field(key: "reference_number") var referenceNumber: Int
    @Field(key: "kind") var kind: String
    @Field(key: "reporter_role") var reporterRole: String
    @Field(key: "channel") var channel: String
    @Field(key: "department") var department: String
    @Field(key: "relation") var relation: String
    @Field(key: "regime") var regime: String
    @Field(key: "opened_on") var openedOn: String
    /// When the case became a report under the whistleblower law: the start of its clocks
    /// (the intake day, or the day the reporter consented to turn a conversation into one).
    @OptionalField(key: "wbk_received_on") var whistleblowerReceivedOn: String?
    @OptionalField(key: "acknowledged_on") var acknowledgedOn: String?
    @OptionalField(key: "feedback_on") var feedbackOn: String?
    @Field(key: "ladder_level") var ladderLevel: Int
    @Field(key: "status") var status: String
    @OptionalField(key: "aftercare_on") var aftercareOn: String?
    @OptionalField(key: "closed_on") var closedOn: String?
    @OptionalField(key: "outcome") var outcome: String?

    // the case key, wrapped by the master key; nil once the contents are destroyed
    @Field(key: "key_id") var keyID: String
    @OptionalField(key: "wrapped_key") var wrappedKey: Data?

    // sealed fields
    @Field(key: "summary") var summarySealed: String
    @Field(key: "reporter_name") var reporterNameSealed: String
    @Field(key: "reporter_contact") var reporterContactSealed: String
    @Field(key: "accused") var accusedSealed: String
    @Field(key: "peer_summary") var peerSummarySealed: String
    @Field(key: "closing_note") var closingNoteSealed: String

    init() {}

    var kindValue: CaseKind { CaseKind(rawValue: kind)! }
    var regimeValue: Regime { Regime(rawValue: regime)! }
    var statusValue: CaseStatus { CaseStatus(rawValue: status)! }
    var ladder: LadderLevel { LadderLevel(rawValue: ladderLevel) ?? .adviceToReporter }

    var whistleblowerClock: WhistleblowerClock? {
        guard regimeValue == .whistleblower, let received = Day(iso: whistleblowerReceivedOn ?? openedOn) else { return nil }
        return WhistleblowerClock(receivedOn: received, acknowledgedOn: acknowledgedOn.flatMap(Day.init(iso:)),
                                  feedbackOn: feedbackOn.flatMap(Day.init(iso:)))
    }
}

/// Where a case stands.
enum CaseStatus: String, Labelled {
    /// Came in through the public channel; not yet taken on by the counsellor (the inbox).
    case new
    case open, aftercare, closed

    var label: String {
        switch self {
        case .new: "Nieuw binnengekomen"
        case .open: "Lopend"
        case .aftercare: "Nazorg"
        case .closed: "Afgesloten"
        }
    }
}

/// One category a case touches.
final class CaseCategoryRecord: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "case_categories"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var `case`: Case
    @Field(key: "category") var category: String

    init() {}
    init(caseID: UUID, category: CaseCategory) {
        self.$case.id = caseID
        self.category = category.rawValue
    }
}

/// A step of the checklist, done on a day.
final class CaseStep: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "case_steps"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var `case`: Case
    @Field(key: "step") var step: String
    @Field(key: "done_on") var doneOn: String

    init() {}
}

/// The record of consent (or a legal duty) for one step towards a third party.
final class CaseConsent: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "case_consents"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var `case`: Case
    /// `consent` or `legal_duty`.
    @Field(key: "basis") var basis: String
    /// Which step it covers, e.g. `escalation:3`, `referral:mediator`, `report_on_behalf`.
    @Field(key: "step") var step: String
    @OptionalField(key: "given_on") var givenOn: String?
    @OptionalField(key: "method") var method: String?
    /// The reason for a legal duty, or a remark on the consent: sealed.
    @Field(key: "remark") var remarkSealed: String
    @Field(key: "recorded_by") var recordedBy: UUID
    @Timestamp(key: "recorded_at", on: .create) var recordedAt: Date?

    init() {}
}

/// A step on the escalation ladder.
final class CaseEscalation: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "case_escalations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var `case`: Case
    @Field(key: "level") var level: Int
    @Field(key: "on_day") var onDay: String
    @OptionalParent(key: "consent_id") var consent: CaseConsent?
    @Field(key: "note") var noteSealed: String

    init() {}
}

/// A referral to an external professional or body.
final class CaseReferral: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "case_referrals"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var `case`: Case
    @Field(key: "target") var target: String
    @Field(key: "on_day") var onDay: String
    @Field(key: "passes_personal_data") var passesPersonalData: Bool
    @OptionalParent(key: "consent_id") var consent: CaseConsent?
    @Field(key: "note") var noteSealed: String

    init() {}
}

/// A report made to management on the reporter's behalf (business integrity, step 4).
final class CaseReportOnBehalf: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "case_reports_on_behalf"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var `case`: Case
    @Field(key: "on_day") var onDay: String
    @Field(key: "anonymous") var anonymous: Bool
    @Parent(key: "consent_id") var consent: CaseConsent
    @Field(key: "note") var noteSealed: String

    init() {}
}

/// An appointment with the reporter.
final class CaseAppointment: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "case_appointments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var `case`: Case
    @Parent(key: "counsellor_id") var counsellor: User
    /// Local time in the practice's zone, `2026-11-23T14:30`.
    @Field(key: "starts_at") var startsAt: String
    @Field(key: "duration_minutes") var durationMinutes: Int
    @Field(key: "mode") var mode: String
    /// Where: a place safe for the reporter, so sealed.
    @Field(key: "place") var placeSealed: String

    init() {}
}

/// A counsellor's note on a case.
final class CaseNote: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "case_notes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var `case`: Case
    @Parent(key: "author_id") var author: User
    @Field(key: "body") var bodySealed: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// A case shared with a substitute counsellor (*vervanger*), granted and recorded.
final class CaseShare: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "case_shares"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var `case`: Case
    @Parent(key: "user_id") var user: User
    @Field(key: "granted_by") var grantedBy: UUID
    @Field(key: "reason") var reasonSealed: String
    @Timestamp(key: "granted_at", on: .create) var grantedAt: Date?

    init() {}
}
