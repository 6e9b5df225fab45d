import Foundation
import Testing
@testable import VertrouwdCore

@Suite("Reminders")
struct ReminderRuleTests {
    let today = Day(year: 2026, month: 12, day: 7)!  // a Monday

    @Test func aWhistleblowerAcknowledgementIsRemindedFromAWeekBeforeUntilItIsDone() {
        let received = today.adding(days: -3)
        let clock = WhistleblowerClock(receivedOn: received, acknowledgedOn: nil, feedbackOn: nil)
        #expect(Reminders.of(status: .open, openedOn: received, clock: clock, aftercareOn: nil, today: today, answerWorkdays: 2)
                == [.acknowledgement(due: received.adding(days: 7))])
        let done = WhistleblowerClock(receivedOn: received, acknowledgedOn: today, feedbackOn: nil)
        #expect(Reminders.of(status: .open, openedOn: received, clock: done, aftercareOn: nil, today: today, answerWorkdays: 2).isEmpty)
    }

    @Test func aReportNotTakenOnCountsWorkingDaysAndAftercareAWeekAhead() {
        // Thursday to Monday is two working days (Friday, Monday): not yet past two.
        #expect(Reminders.workdays(from: today.adding(days: -4), to: today) == 2)
        #expect(Reminders.of(status: .new, openedOn: today.adding(days: -4), clock: nil, aftercareOn: nil, today: today, answerWorkdays: 2).isEmpty)
        #expect(Reminders.of(status: .new, openedOn: today.adding(days: -5), clock: nil, aftercareOn: nil, today: today, answerWorkdays: 2)
                == [.notTakenOn(since: today.adding(days: -5))])
        #expect(Reminders.of(status: .aftercare, openedOn: today.adding(days: -90), clock: nil, aftercareOn: today.adding(days: 7),
                             today: today, answerWorkdays: 2) == [.aftercare(on: today.adding(days: 7))])
        #expect(Reminders.of(status: .aftercare, openedOn: today.adding(days: -90), clock: nil, aftercareOn: today.adding(days: 8),
                             today: today, answerWorkdays: 2).isEmpty)
    }

    @Test func budgetsAt80And100AndRequestsAWeekAheadAndNoTextOfACase() {
        #expect(Reminders.budget(BudgetStatus(usedMinutes: 79, budgetMinutes: 100)) == nil)
        #expect(Reminders.budget(BudgetStatus(usedMinutes: 80, budgetMinutes: 100)) == .budget(percent: 80))
        #expect(Reminders.budget(BudgetStatus(usedMinutes: 130, budgetMinutes: 100))?.text == "Het urentegoed is op (130%)")
        #expect(Reminders.reporterRequest(dueOn: today.adding(days: 8), today: today) == nil)
        #expect(Reminders.reporterRequest(dueOn: today.adding(days: -1), today: today) == .reporterRequest(due: today.adding(days: -1)))
    }
}
