/// Where a case (*melding*) stands.
public enum CaseStatus: String, Labelled {
    /// Came in through the public channel; not yet taken on by the counsellor (the inbox).
    case new
    case open, aftercare, closed

    public var label: String {
        switch self {
        case .new: "Nieuw binnengekomen"
        case .open: "Lopend"
        case .aftercare: "Nazorg"
        case .closed: "Afgesloten"
        }
    }
}

/// The dated life of a case: its status, the ladder (the rung it is on and the highest it
/// reached), the whistleblower law's acknowledgement and feedback, aftercare and closure.
///
/// Every change goes through a transition that owns its rules (no date in the future, none
/// before the case was opened, feedback after acknowledgement, nothing on a closed case) and
/// either changes the value or throws a `Refusal` a form can show. The write layer loads one
/// from the case row, asks for the transition and stores what comes out.
public struct CaseLifecycle: Equatable, Sendable {
    public private(set) var status: CaseStatus
    public let openedOn: Day
    /// The rung the case is on now (seed 003 §7).
    public private(set) var ladder: LadderLevel
    /// The highest rung it ever reached: the annual report's *hoogste trede bereikt*. Stepping
    /// down (a talk with the manager that calmed things) does not lower it.
    public private(set) var highestRung: LadderLevel
    public private(set) var acknowledgedOn: Day?
    public private(set) var feedbackOn: Day?
    public private(set) var aftercareOn: Day?
    public private(set) var closedOn: Day?
    public private(set) var outcome: Outcome?

    public init(
        status: CaseStatus, openedOn: Day, ladder: LadderLevel = .adviceToReporter, highestRung: LadderLevel? = nil,
        acknowledgedOn: Day? = nil, feedbackOn: Day? = nil, aftercareOn: Day? = nil, closedOn: Day? = nil,
        outcome: Outcome? = nil
    ) {
        self.status = status
        self.openedOn = openedOn
        self.ladder = ladder
        self.highestRung = max(ladder, highestRung ?? ladder)
        self.acknowledgedOn = acknowledgedOn
        self.feedbackOn = feedbackOn
        self.aftercareOn = aftercareOn
        self.closedOn = closedOn
        self.outcome = outcome
    }

    /// Which date of a form a refusal is about: the action's own date, or one of the two
    /// dates of the whistleblower law.
    public enum DateField: String, Sendable {
        case day, acknowledgedOn, feedbackOn
    }

    public enum Refusal: Error, Equatable, Sendable {
        /// A closed case takes no more changes until it is reopened.
        case closed
        /// Only a case that came in through the website is accepted (*aangenomen*).
        case notNew
        /// Only a closed case can be reopened.
        case notClosed
        case inTheFuture(DateField)
        case beforeOpening(DateField, opened: Day)
        case feedbackWithoutAcknowledgement

        /// The Dutch sentence shown beside the field (or above the form).
        public var message: String {
            switch self {
            case .closed: "Deze melding is afgesloten en kan niet meer worden gewijzigd."
            case .notNew: "Deze melding is al aangenomen."
            case .notClosed: "Deze melding is niet afgesloten."
            case .inTheFuture: "De datum ligt in de toekomst."
            case .beforeOpening(let field, let opened):
                switch field {
                case .acknowledgedOn: "De ontvangst kan niet vóór de melding (\(opened.dutch)) bevestigd zijn."
                case .feedbackOn, .day: "De datum ligt vóór de melding (\(opened.dutch))."
                }
            case .feedbackWithoutAcknowledgement: "Terugkoppeling volgt op de ontvangstbevestiging; vul die eerst in."
            }
        }

        /// The date field it belongs beside, or nil for the form as a whole.
        public var field: DateField? {
            switch self {
            case .closed, .notNew, .notClosed: nil
            case .inTheFuture(let f), .beforeOpening(let f, _): f
            case .feedbackWithoutAcknowledgement: .feedbackOn
            }
        }
    }

    /// Checks that the case may still change.
    public func requireChangeable() throws(Refusal) {
        if status == .closed { throw .closed }
    }

    /// Checks a date of something done on the case (a step, a referral, hours, a report on the
    /// reporter's behalf): not in the future, not before the case was opened.
    public func checkDone(on day: Day, today: Day, field: DateField = .day) throws(Refusal) {
        if day > today { throw .inTheFuture(field) }
        if day < openedOn { throw .beforeOpening(field, opened: openedOn) }
    }

    /// The counsellor takes on a case that came in through the website: it becomes a running case.
    public mutating func accept() throws(Refusal) {
        try requireChangeable()
        guard status == .new else { throw .notNew }
        status = .open
    }

    /// A step on the ladder, up or down, on a day. Consent is `ConsentRule`'s business.
    public mutating func escalate(to level: LadderLevel, on day: Day, today: Day) throws(Refusal) {
        try requireChangeable()
        try checkDone(on: day, today: today)
        ladder = level
        highestRung = max(highestRung, level)
    }

    /// The acknowledgement of receipt and the feedback under the whistleblower law; either may be
    /// cleared again, but feedback never stands without an earlier acknowledgement.
    public mutating func recordWhistleblowerDates(
        acknowledgedOn ack: Day?, feedbackOn feedback: Day?, today: Day
    ) throws(Refusal) {
        try requireChangeable()
        if let ack { try checkDone(on: ack, today: today, field: .acknowledgedOn) }
        if let feedback {
            if feedback > today { throw .inTheFuture(.feedbackOn) }
            guard let ack, feedback >= ack else { throw .feedbackWithoutAcknowledgement }
        }
        acknowledgedOn = ack
        feedbackOn = feedback
    }

    /// Plans aftercare (*nazorg*) on a day — it may lie ahead — and the case moves to aftercare.
    public mutating func planAftercare(on day: Day) throws(Refusal) {
        try requireChangeable()
        if day < openedOn { throw .beforeOpening(.day, opened: openedOn) }
        aftercareOn = day
        status = .aftercare
    }

    /// Closes the case with an outcome.
    public mutating func close(_ outcome: Outcome, on day: Day, today: Day) throws(Refusal) {
        try requireChangeable()
        try checkDone(on: day, today: today)
        self.outcome = outcome
        closedOn = day
        status = .closed
    }

    /// Opens a closed case again (the reporter came back): it runs again, or is in aftercare if
    /// that was planned; outcome and closing day are cleared, the ladder stays where it was.
    public mutating func reopen() throws(Refusal) {
        guard status == .closed else { throw .notClosed }
        status = aftercareOn == nil ? .open : .aftercare
        outcome = nil
        closedOn = nil
    }
}
