import Foundation

/// What a counsellor is reminded of, once a day by mail and on the dashboard (*herinneringen*):
/// the WBK acknowledgement (7 days) and feedback (3 months) when due within a week or late, a
/// conversation request or web report not taken on past the practice's answer time, aftercare
/// within a week, a reporter's request due within a week, a reporter's message on a closed case,
/// and a contract year's hours at 80% and 100%. Each says what and when, never what the case is
/// about: a reminder is read in a mailbox the practice does not control.
public enum Reminder: Equatable, Sendable {
    case acknowledgement(due: Day)
    case feedback(due: Day)
    case notTakenOn(since: Day)
    case aftercare(on: Day)
    case reporterRequest(due: Day)
    case messageOnClosedCase
    case budget(percent: Int)

    /// One line, in Dutch, without anything of the case.
    public var text: String {
        switch self {
        case .acknowledgement(let due): "Ontvangstbevestiging (Wbk) uiterlijk \(due.dutch)"
        case .feedback(let due): "Terugkoppeling (Wbk) uiterlijk \(due.dutch)"
        case .notTakenOn(let since): "Binnengekomen op \(since.dutch) en nog niet aangenomen"
        case .aftercare(let on): "Nazorg op \(on.dutch)"
        case .reporterRequest(let due): "Verzoek van de melder: antwoord uiterlijk \(due.dutch)"
        case .messageOnClosedCase: "Nieuw bericht van de melder op een afgesloten melding"
        case .budget(let percent):
            percent >= 100 ? "Het urentegoed is op (\(percent)%)" : "Het urentegoed is voor \(percent)% gebruikt"
        }
    }
}

public enum Reminders {
    /// How far ahead a deadline is mentioned.
    public static let daysAhead = 7

    /// What a running case asks for today.
    public static func of(
        status: CaseStatus, openedOn: Day, clock: WhistleblowerClock?, aftercareOn: Day?,
        today: Day, answerWorkdays: Int
    ) -> [Reminder] {
        var due: [Reminder] = []
        if let next = clock?.next(today: today), next.state == .dueSoon || next.state == .overdue {
            due.append(next.what == .acknowledgement ? .acknowledgement(due: next.due) : .feedback(due: next.due))
        }
        if status == .new, workdays(from: openedOn, to: today) > answerWorkdays {
            due.append(.notTakenOn(since: openedOn))
        }
        if status == .aftercare, let day = aftercareOn, today.days(until: day) <= daysAhead {
            due.append(.aftercare(on: day))
        }
        return due
    }

    /// A reporter's request (correction, deletion) still to answer, within a week of its date or past it.
    public static func reporterRequest(dueOn: Day, today: Day) -> Reminder? {
        today.days(until: dueOn) <= daysAhead ? .reporterRequest(due: dueOn) : nil
    }

    /// A contract year at 80% or more of its hours.
    public static func budget(_ status: BudgetStatus) -> Reminder? {
        status.level == .ok ? nil : .budget(percent: status.percentUsed)
    }

    /// Working days (Monday to Friday) after `from` up to and including `to`.
    public static func workdays(from: Day, to: Day) -> Int {
        let epoch = Day(year: 1970, month: 1, day: 1)!
        var count = 0
        var day = from.adding(days: 1)
        while day <= to && count < 1_000 {
            // 1 January 1970 was a Thursday: 0 is Monday.
            let weekday = ((epoch.days(until: day) % 7) + 3 + 7) % 7
            if weekday < 5 { count += 1 }
            day = day.adding(days: 1)
        }
        return count
    }
}
