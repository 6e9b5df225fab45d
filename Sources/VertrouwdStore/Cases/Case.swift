import Foundation
import FluentKit
import SQLKit
import VertrouwdCore

/// A *melding*: one reporter's case with one counsellor.
///
/// Categorical fields (kind, categories, role, channel, regime, ladder level, outcome, dates) are
/// plain, so hours and statistics need no key. Everything a person wrote or that identifies
/// someone is sealed with the case's own key (fields named `…Sealed`).
package final class Case: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "cases"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    // relationships
    @Parent(key: "organisation_id") package var organisation: Organisation
    @Parent(key: "counsellor_id") package var counsellor: User
    @Children(for: \.$case) package var categories: [CaseCategoryRecord]

    // data fields (plain, categorical; enums and days are stored as text, the ladder as a number)
    @Field(key: "reference") package var reference: String
    /// The reference's parts, so the next number is one indexed lookup, not a scan of the year.
    @Field(key: "reference_year") package var referenceYear: Int
    @Field(key: "reference_number") package var referenceNumber: Int
    @Field(key: "kind") package var kind: CaseKind
    @Field(key: "reporter_role") package var reporterRole: ReporterRole
    @Field(key: "channel") package var channel: IntakeChannel
    @Field(key: "department") package var department: String
    @Field(key: "relation") package var relation: AccusedRelation
    @Field(key: "regime") package var regime: Regime
    @Field(key: "opened_on") package var openedOn: Day
    /// When the case became a report under the whistleblower law: the start of its clocks
    /// (the intake day, or the day the reporter consented to turn a conversation into one).
    @OptionalField(key: "wbk_received_on") package var whistleblowerReceivedOn: Day?
    @OptionalField(key: "acknowledged_on") package var acknowledgedOn: Day?
    @OptionalField(key: "feedback_on") package var feedbackOn: Day?
    @Field(key: "ladder_level") package var ladderLevel: LadderLevel
    /// The highest rung the case reached (`CaseLifecycle.highestRung`), for the annual report.
    @Field(key: "ladder_highest") package var ladderHighest: LadderLevel
    @Field(key: "status") package var status: CaseStatus
    @OptionalField(key: "aftercare_on") package var aftercareOn: Day?
    @OptionalField(key: "closed_on") package var closedOn: Day?
    @OptionalField(key: "outcome") package var outcome: Outcome?

    // the case key, wrapped by its retention epoch's key (`Keyring`; `ep-2028-11-…`, or the
    // master key's id for a case from before epochs); nil once the contents are destroyed
    @Field(key: "key_id") package var keyID: String
    @OptionalField(key: "wrapped_key") package var wrappedKey: Data?

    // retention: a legal hold keeps a closed case past its retention period (the reason is
    // sealed); the deletion record says when and by what the contents were destroyed
    @OptionalField(key: "legal_hold_on") package var legalHoldOn: Day?
    @Field(key: "legal_hold_reason") package var legalHoldReasonSealed: String
    @OptionalField(key: "destroyed_on") package var destroyedOn: Day?
    @OptionalField(key: "destroyed_by") package var destroyedBy: DestructionCause?

    // sealed fields
    /// The counsellor's summary (*het verhaal*, as they record it): starts as the reporter's story
    /// on a web report, and may be changed. Never shown to the reporter.
    @Field(key: "summary") package var summarySealed: String
    /// What the reporter sent, never changed (`ReporterWords` as JSON); an empty text, sealed, for
    /// a case a counsellor opened; an empty field only in rows from before migration 19.
    @Field(key: "reporter_words") package var reporterWordsSealed: String
    @Field(key: "reporter_name") package var reporterNameSealed: String
    @Field(key: "reporter_contact") package var reporterContactSealed: String
    @Field(key: "accused") package var accusedSealed: String
    @Field(key: "peer_summary") package var peerSummarySealed: String
    @Field(key: "closing_note") package var closingNoteSealed: String
    /// The language of the public pages the reporter wrote on (`nl`, `en`), so the
    /// acknowledgement is in it; sealed like the story (an English speaker in a small Dutch
    /// organisation is easy to pick out). Empty for cases not made there.
    @Field(key: "reporter_language") package var reporterLanguageSealed: String

    package init() {}

    /// A new case from an intake; the writer seals its contents.
    package init(id: UUID, reference: CaseReference, intake: CaseIntake, keyID: String, wrappedKey: Data) {
        self.id = id
        self.reference = reference.description
        self.referenceYear = reference.year
        self.referenceNumber = reference.number
        self.$organisation.id = intake.organisationID
        self.$counsellor.id = intake.counsellorID
        self.kind = intake.kind
        self.reporterRole = intake.reporterRole
        self.channel = intake.channel
        self.department = intake.department
        self.relation = intake.relation
        self.regime = intake.regime
        self.openedOn = intake.openedOn
        self.whistleblowerReceivedOn = intake.regime == .whistleblower ? intake.openedOn : nil
        self.ladderLevel = .adviceToReporter
        self.ladderHighest = .adviceToReporter
        self.status = intake.status
        self.keyID = keyID
        self.wrappedKey = wrappedKey
        self.legalHoldReasonSealed = ""
    }

    /// The case's dated life, for the rules of `CaseLifecycle`.
    package var lifecycle: CaseLifecycle {
        get {
            CaseLifecycle(
                status: status, openedOn: openedOn, ladder: ladderLevel, highestRung: ladderHighest,
                acknowledgedOn: acknowledgedOn, feedbackOn: feedbackOn, aftercareOn: aftercareOn,
                closedOn: closedOn, outcome: outcome)
        }
        set {
            status = newValue.status; ladderLevel = newValue.ladder; ladderHighest = newValue.highestRung
            acknowledgedOn = newValue.acknowledgedOn; feedbackOn = newValue.feedbackOn
            aftercareOn = newValue.aftercareOn; closedOn = newValue.closedOn; outcome = newValue.outcome
        }
    }

    package var whistleblowerClock: WhistleblowerClock? {
        guard regime == .whistleblower else { return nil }
        return WhistleblowerClock(
            receivedOn: whistleblowerReceivedOn ?? openedOn, acknowledgedOn: acknowledgedOn, feedbackOn: feedbackOn)
    }
}

/// What destroyed a case's contents (the deletion record names it, never a person's words).
package enum DestructionCause: String, Codable, Sendable {
    /// The retention period ended (`vertrouwd retention run` or the daily run in `serve`).
    case retention
    /// The reporter asked for deletion and the counsellor granted it (AVG art. 17).
    case reporterRequest = "reporter_request"
    /// Found in a restored backup whose case key the key file no longer holds: it was destroyed
    /// after the backup was made.
    case keyGone = "key_gone"

    package var dutch: String {
        switch self {
        case .retention: "bewaartermijn verstreken"
        case .reporterRequest: "op verzoek van de melder"
        case .keyGone: "vernietigd nadat de teruggezette back-up was gemaakt; de sleutel is verwijderd"
        }
    }
}

/// One category a case touches.
package final class CaseCategoryRecord: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "case_categories"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "case_id") package var `case`: Case
    @Field(key: "category") package var category: CaseCategory

    package init() {}
    package init(caseID: UUID, category: CaseCategory) {
        self.$case.id = caseID
        self.category = category
    }
}

/// A step of the checklist, done on a day.
package final class CaseStep: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "case_steps"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "case_id") package var `case`: Case
    @Field(key: "step") package var step: String
    @Field(key: "done_on") package var doneOn: Day

    package init() {}
    package init(caseID: UUID, step: String, on day: Day) {
        self.$case.id = caseID
        self.step = step
        self.doneOn = day
    }
}

/// The record of consent (or a legal duty) for one step towards a third party.
package final class CaseConsent: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "case_consents"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "case_id") package var `case`: Case
    /// `consent` or `legal_duty`.
    @Field(key: "basis") package var basis: String
    /// Which step it covers, e.g. `escalation:3`, `referral:mediator`, `report_on_behalf`.
    @Field(key: "step") package var step: String
    @OptionalField(key: "given_on") package var givenOn: Day?
    @OptionalField(key: "method") package var method: ConsentMethod?
    /// The reason for a legal duty, or a remark on the consent: sealed.
    @Field(key: "remark") package var remarkSealed: String
    @Field(key: "recorded_by") package var recordedBy: UUID
    @Timestamp(key: "recorded_at", on: .create) package var recordedAt: Date?

    package init() {}
    package init(id: UUID, caseID: UUID, basis: ConsentBasis, step: String, recordedBy: UUID) {
        self.id = id
        self.$case.id = caseID
        self.basis = basis.storedBasis
        self.step = step
        if case .reporterConsent(let on, let method) = basis {
            self.givenOn = on
            self.method = method
        }
        self.recordedBy = recordedBy
    }
}

/// A step on the escalation ladder.
package final class CaseEscalation: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "case_escalations"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "case_id") package var `case`: Case
    @Field(key: "level") package var level: LadderLevel
    @Field(key: "on_day") package var onDay: Day
    @OptionalParent(key: "consent_id") package var consent: CaseConsent?
    @Field(key: "note") package var noteSealed: String

    package init() {}
    package init(id: UUID, caseID: UUID, level: LadderLevel, on day: Day) {
        self.id = id
        self.$case.id = caseID
        self.level = level
        self.onDay = day
    }
}

/// A referral to an external professional or body.
package final class CaseReferral: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "case_referrals"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "case_id") package var `case`: Case
    @Field(key: "target") package var target: ReferralTarget
    @Field(key: "on_day") package var onDay: Day
    @Field(key: "passes_personal_data") package var passesPersonalData: Bool
    @OptionalParent(key: "consent_id") package var consent: CaseConsent?
    @Field(key: "note") package var noteSealed: String

    package init() {}
    package init(id: UUID, caseID: UUID, target: ReferralTarget, on day: Day, passesPersonalData: Bool) {
        self.id = id
        self.$case.id = caseID
        self.target = target
        self.onDay = day
        self.passesPersonalData = passesPersonalData
    }
}

/// A report made to management on the reporter's behalf (business integrity, step 4).
package final class CaseReportOnBehalf: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "case_reports_on_behalf"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "case_id") package var `case`: Case
    @Field(key: "on_day") package var onDay: Day
    @Field(key: "anonymous") package var anonymous: Bool
    @Parent(key: "consent_id") package var consent: CaseConsent
    @Field(key: "note") package var noteSealed: String

    package init() {}
    package init(id: UUID, caseID: UUID, on day: Day, anonymous: Bool, consentID: UUID) {
        self.id = id
        self.$case.id = caseID
        self.onDay = day
        self.anonymous = anonymous
        self.$consent.id = consentID
    }
}

/// An appointment with the reporter.
package final class CaseAppointment: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "case_appointments"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "case_id") package var `case`: Case
    @Parent(key: "counsellor_id") package var counsellor: User
    /// Local time in the practice's zone, `2026-11-23T14:30`.
    @Field(key: "starts_at") package var startsAt: String
    @Field(key: "duration_minutes") package var durationMinutes: Int
    @Field(key: "mode") package var mode: AppointmentMode
    /// Where: a place safe for the reporter, so sealed.
    @Field(key: "place") package var placeSealed: String

    package init() {}
    package init(id: UUID, caseID: UUID, counsellorID: UUID, startsAt: String, minutes: Int, mode: AppointmentMode) {
        self.id = id
        self.$case.id = caseID
        self.$counsellor.id = counsellorID
        self.startsAt = startsAt
        self.durationMinutes = minutes
        self.mode = mode
    }
}

/// A counsellor's note on a case.
package final class CaseNote: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "case_notes"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "case_id") package var `case`: Case
    @Parent(key: "author_id") package var author: User
    @Field(key: "body") package var bodySealed: String
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    package init() {}
    package init(id: UUID, caseID: UUID, authorID: UUID) {
        self.id = id
        self.$case.id = caseID
        self.$author.id = authorID
    }
}

/// A case shared with a substitute counsellor (*vervanger*), granted and recorded.
package final class CaseShare: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "case_shares"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "case_id") package var `case`: Case
    @Parent(key: "user_id") package var user: User
    @Field(key: "granted_by") package var grantedBy: UUID
    @Field(key: "reason") package var reasonSealed: String
    @Timestamp(key: "granted_at", on: .create) package var grantedAt: Date?
    /// The last day the substitute opens the case; nil: until the owner ends the share.
    @OptionalField(key: "ends_on") package var endsOn: Day?

    /// The shares that still open their case on `today` (an ended one stays listed on the case).
    package static func running(on db: any Database, today: Day = Day(Date())) -> QueryBuilder<CaseShare> {
        query(on: db).group(.or) { $0.filter(\.$endsOn == nil).filter(\.$endsOn >= today) }
    }

    /// The same condition for a query over `case_shares` in SQL.
    package static func running(today: Day = Day(Date())) -> SQLQueryString {
        " AND (ends_on IS NULL OR ends_on >= \(bind: today.iso))"
    }

    /// The cases shared with a user now.
    package static func cases(sharedWith userID: UUID, on db: any Database) async throws -> Set<UUID> {
        Set(
            try await (db as! any SQLDatabase).raw(
                "SELECT case_id FROM case_shares WHERE user_id = \(bind: userID)" + running()
            ).all().map { try $0.decode(column: "case_id", as: UUID.self) })
    }

    package init() {}
    package init(id: UUID, caseID: UUID, userID: UUID, grantedBy: UUID) {
        self.id = id
        self.$case.id = caseID
        self.$user.id = userID
        self.grantedBy = grantedBy
    }
}

/// Everything needed to open a case; made by the intake form, the public channel and the demo
/// (`CaseWriter.create`).
package struct CaseIntake: Sendable {
    package var organisationID: UUID
    package var counsellorID: UUID
    package var kind: CaseKind
    package var categories: [CaseCategory]
    package var reporterRole: ReporterRole
    package var channel: IntakeChannel
    package var openedOn: Day
    package var department: String
    package var relation: AccusedRelation
    package var regime: Regime
    package var summary: String
    package var reporterName: String
    package var reporterContact: String
    package var accused: String
    package var status: CaseStatus = .open
    package var reporterLanguage: Language? = nil
    /// What the reporter sent through the public channel, as sent.
    package var reporterWords: ReporterWords? = nil

    package init(
        organisationID: UUID, counsellorID: UUID, kind: CaseKind, categories: [CaseCategory],
        reporterRole: ReporterRole, channel: IntakeChannel, openedOn: Day, department: String,
        relation: AccusedRelation, regime: Regime, summary: String, reporterName: String, reporterContact: String,
        accused: String, status: CaseStatus = .open, reporterLanguage: Language? = nil,
        reporterWords: ReporterWords? = nil
    ) {
        self.organisationID = organisationID
        self.counsellorID = counsellorID
        self.kind = kind
        self.categories = categories
        self.reporterRole = reporterRole
        self.channel = channel
        self.openedOn = openedOn
        self.department = department
        self.relation = relation
        self.regime = regime
        self.summary = summary
        self.reporterName = reporterName
        self.reporterContact = reporterContact
        self.accused = accused
        self.status = status
        self.reporterLanguage = reporterLanguage
        self.reporterWords = reporterWords
    }
}

extension Case {
    /// The references of those of some cases that still have their contents (and, with
    /// `counsellor`, are theirs), without their models: a few rows, read for a list.
    package static func references(
        of ids: some Collection<UUID>, counsellor: UUID? = nil, on db: any Database
    ) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        var condition: SQLQueryString = "id IN (\(binds: Array(ids))) AND destroyed_on IS NULL"
        if let counsellor { condition = condition + " AND counsellor_id = \(bind: counsellor)" }
        var references: [UUID: String] = [:]
        for row in try await (db as! any SQLDatabase).raw("SELECT id, reference FROM cases WHERE " + condition).all() {
            references[try row.decode(column: "id", as: UUID.self)] = try row.decode(
                column: "reference", as: String.self)
        }
        return references
    }
}
