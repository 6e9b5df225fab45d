/// The clocks of a report under the Wet bescherming klokkenluiders (EU directive 2019/1937 art. 9):
/// acknowledge receipt within 7 days; give feedback within 3 months of the acknowledgement
/// (or, without an acknowledgement, within 3 months after the 7 days ran out).
public struct WhistleblowerClock: Sendable, Equatable {
    public static let acknowledgementDays = 7
    public static let feedbackMonths = 3
    /// A deadline this close is shown as due.
    public static let dueSoonDays = 7

    public let receivedOn: Day
    public let acknowledgedOn: Day?
    public let feedbackOn: Day?

    public init(receivedOn: Day, acknowledgedOn: Day?, feedbackOn: Day?) {
        self.receivedOn = receivedOn
        self.acknowledgedOn = acknowledgedOn
        self.feedbackOn = feedbackOn
    }

    public var acknowledgementDue: Day { receivedOn.adding(days: Self.acknowledgementDays) }

    public var feedbackDue: Day {
        (acknowledgedOn ?? acknowledgementDue).adding(months: Self.feedbackMonths)
    }

    public enum State: String, Sendable, Equatable {
        case met, open, dueSoon = "due_soon", overdue
    }

    public struct Deadline: Sendable, Equatable {
        public let what: What
        public let due: Day
        public let state: State
    }

    public enum What: String, Sendable { case acknowledgement, feedback }

    public func acknowledgement(today: Day) -> Deadline {
        Deadline(
            what: .acknowledgement, due: acknowledgementDue,
            state: Self.state(due: acknowledgementDue, doneOn: acknowledgedOn, today: today))
    }

    public func feedback(today: Day) -> Deadline {
        Deadline(
            what: .feedback, due: feedbackDue,
            state: Self.state(due: feedbackDue, doneOn: feedbackOn, today: today))
    }

    /// The deadline the counsellor must act on next, or nil when both were handled.
    public func next(today: Day) -> Deadline? {
        [acknowledgement(today: today), feedback(today: today)].first { $0.state != .met }
    }

    /// Whether the deadlines were met (for the annual report).
    public var acknowledgedInTime: Bool? { acknowledgedOn.map { $0 <= acknowledgementDue } }
    public var feedbackInTime: Bool? { feedbackOn.map { $0 <= feedbackDue } }

    static func state(due: Day, doneOn: Day?, today: Day) -> State {
        if doneOn != nil { return .met }
        if today > due { return .overdue }
        if today.days(until: due) <= dueSoonDays { return .dueSoon }
        return .open
    }
}
