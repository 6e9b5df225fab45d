/// How long a practice keeps a closed case (*bewaartermijn*): AVG art. 5(1)(e) and the
/// whistleblower law ask for no longer than needed.
public struct RetentionPolicy: Sendable, Equatable {
    /// Months after closing before a case's contents are destroyed.
    public var months: Int
    /// Months after the reporter last wrote in the mailbox during which nothing is destroyed.
    public var graceMonths: Int

    public static let allowedMonths = 1...240
    public static let standard = RetentionPolicy(months: 24, graceMonths: 3)

    public init(months: Int, graceMonths: Int) {
        self.months = months; self.graceMonths = graceMonths
    }

    /// The epoch a case key is wrapped under: the month its retention could end at the earliest
    /// (`from`: the day it was opened, or closed), never a month that has begun.
    public func epoch(from day: Day, today: Day) -> KeyEpoch {
        max(KeyEpoch(day.adding(months: months)), KeyEpoch(today).adding(months: 1))
    }
}

/// What retention needs to know of one case; plain facts only, no key.
public struct RetentionFacts: Sendable, Equatable {
    public var status: CaseStatus
    public var closedOn: Day?
    public var legalHold: Bool
    /// Whether the case is counted in an annual report that was signed off (the snapshot keeps
    /// its statistics).
    public var inSignedOffReport: Bool
    /// The day the reporter last wrote in the mailbox, if the case has one.
    public var reporterLastWrote: Day?
    public var destroyedOn: Day?

    public init(
        status: CaseStatus, closedOn: Day?, legalHold: Bool, inSignedOffReport: Bool,
        reporterLastWrote: Day?, destroyedOn: Day? = nil
    ) {
        self.status = status; self.closedOn = closedOn; self.legalHold = legalHold
        self.inSignedOffReport = inSignedOffReport; self.reporterLastWrote = reporterLastWrote
        self.destroyedOn = destroyedOn
    }
}

/// Whether a case is destroyed today, and if not, why not.
public enum RetentionDecision: Sendable, Equatable {
    case destroy
    case keep(KeepReason)

    public enum KeepReason: Sendable, Equatable {
        case alreadyDestroyed
        case notClosed
        /// The retention period runs until this day.
        case retentionUntil(Day)
        case legalHold
        case notInSignedOffReport
        /// The reporter wrote recently; the grace period runs until this day.
        case reporterActiveUntil(Day)

        /// Dutch, for the dry run and the case page.
        public var dutch: String {
            switch self {
            case .alreadyDestroyed: "al vernietigd"
            case .notClosed: "niet afgesloten"
            case .retentionUntil(let d): "bewaartermijn loopt tot \(d.dutch)"
            case .legalHold: "bewaarplicht (legal hold)"
            case .notInSignedOffReport: "nog niet geteld in een vastgesteld jaarverslag"
            case .reporterActiveUntil(let d): "melder schreef onlangs; wachttijd tot \(d.dutch)"
            }
        }
    }
}

public enum RetentionRule {
    /// A case is destroyed only when it is closed, its retention period has passed, it is counted
    /// in a signed-off annual report, no legal hold keeps it and the reporter has not written
    /// within the grace period. The first reason that keeps it is given.
    public static func decide(_ f: RetentionFacts, policy: RetentionPolicy, today: Day) -> RetentionDecision {
        if f.destroyedOn != nil { return .keep(.alreadyDestroyed) }
        guard f.status == .closed, let closed = f.closedOn else { return .keep(.notClosed) }
        let end = closed.adding(months: policy.months)
        if today < end { return .keep(.retentionUntil(end)) }
        if f.legalHold { return .keep(.legalHold) }
        if !f.inSignedOffReport { return .keep(.notInSignedOffReport) }
        if let wrote = f.reporterLastWrote {
            let graceEnd = wrote.adding(months: policy.graceMonths)
            if today < graceEnd { return .keep(.reporterActiveUntil(graceEnd)) }
        }
        return .destroy
    }

    /// The day a closed case's retention period ends, for the counsellor's "destroyed soon" list.
    public static func retentionEnds(_ f: RetentionFacts, policy: RetentionPolicy) -> Day? {
        guard f.destroyedOn == nil, f.status == .closed, let closed = f.closedOn, !f.legalHold else { return nil }
        return closed.adding(months: policy.months)
    }

    /// The last closing day whose retention ends on or before `day` (the inverse of
    /// `retentionEnds`, for a query): adding months clamps the 29th–31st to a shorter month's
    /// end, so when `day` is its month's last, every day of the month `months` back ends by it.
    public static func lastClosingDay(endingBy day: Day, policy: RetentionPolicy) -> Day {
        let back = day.adding(months: -policy.months)
        guard day.day == Day.daysIn(month: day.month, of: day.year) else { return back }
        return Day(year: back.year, month: back.month, day: Day.daysIn(month: back.month, of: back.year)) ?? back
    }
}
