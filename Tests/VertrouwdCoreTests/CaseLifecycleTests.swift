import Testing
import VertrouwdCore

@Suite("The lifecycle of a case: statuses, the ladder and dated transitions")
struct CaseLifecycleTests {
    let opened = Day(year: 2026, month: 3, day: 10)!
    let today = Day(year: 2026, month: 6, day: 1)!

    func running() -> CaseLifecycle { CaseLifecycle(status: .open, openedOn: opened) }

    @Test func aCaseFromTheWebsiteIsAcceptedOnce() throws {
        var life = CaseLifecycle(status: .new, openedOn: opened)
        try life.accept()
        #expect(life.status == .open)
        #expect(throws: CaseLifecycle.Refusal.notNew) { try life.accept() }
    }

    @Test func steppingDownTheLadderKeepsTheHighestRungReached() throws {
        var life = running()
        try life.escalate(to: .withHigherManager, on: opened.adding(days: 5), today: today)
        try life.escalate(to: .withManager, on: opened.adding(days: 20), today: today)
        #expect(life.ladder == .withManager)
        #expect(life.highestRung == .withHigherManager)
        // A row stored before the highest rung was kept starts from its current rung.
        #expect(CaseLifecycle(status: .open, openedOn: opened, ladder: .withBoard, highestRung: .withManager).highestRung == .withBoard)
    }

    @Test func nothingIsDoneInTheFutureOrBeforeTheCaseWasOpened() {
        var life = running()
        #expect(throws: CaseLifecycle.Refusal.inTheFuture(.day)) {
            try life.escalate(to: .withManager, on: today.adding(days: 1), today: today)
        }
        #expect(throws: CaseLifecycle.Refusal.beforeOpening(.day, opened: opened)) {
            try life.close(.heard, on: opened.adding(days: -1), today: today)
        }
        #expect(throws: CaseLifecycle.Refusal.beforeOpening(.day, opened: opened)) { try life.planAftercare(on: opened.adding(days: -3)) }
        #expect(life == running(), "a refused transition changes nothing")
        // Aftercare may be planned ahead; a step done today is fine.
        #expect(throws: Never.self) { try life.planAftercare(on: today.adding(days: 30)) }
        #expect(throws: Never.self) { try life.checkDone(on: today, today: today) }
    }

    @Test func feedbackFollowsTheAcknowledgement() throws {
        var life = running()
        #expect(throws: CaseLifecycle.Refusal.feedbackWithoutAcknowledgement) {
            try life.recordWhistleblowerDates(acknowledgedOn: nil, feedbackOn: opened.adding(days: 30), today: today)
        }
        #expect(throws: CaseLifecycle.Refusal.feedbackWithoutAcknowledgement) {
            try life.recordWhistleblowerDates(acknowledgedOn: opened.adding(days: 10), feedbackOn: opened.adding(days: 5), today: today)
        }
        let refusal = #expect(throws: CaseLifecycle.Refusal.self) {
            try life.recordWhistleblowerDates(acknowledgedOn: opened.adding(days: -1), feedbackOn: nil, today: today)
        }
        #expect(refusal?.field == .acknowledgedOn)
        #expect(refusal?.message == "De ontvangst kan niet vóór de melding (10-03-2026) bevestigd zijn.")
        try life.recordWhistleblowerDates(acknowledgedOn: opened.adding(days: 3), feedbackOn: opened.adding(days: 60), today: today)
        #expect(life.acknowledgedOn == opened.adding(days: 3) && life.feedbackOn == opened.adding(days: 60))
    }

    @Test func aClosedCaseTakesNoChangeUntilItIsReopened() throws {
        var life = running()
        try life.planAftercare(on: opened.adding(days: 40))
        try life.close(.informalSolution, on: opened.adding(days: 50), today: today)
        #expect(life.status == .closed && life.outcome == .informalSolution && life.closedOn == opened.adding(days: 50))
        #expect(throws: CaseLifecycle.Refusal.closed) { try life.escalate(to: .withManager, on: today, today: today) }
        #expect(throws: CaseLifecycle.Refusal.closed) { try life.planAftercare(on: today) }
        #expect(throws: CaseLifecycle.Refusal.closed) { try life.close(.heard, on: today, today: today) }
        #expect(CaseLifecycle.Refusal.closed.field == nil)

        try life.reopen()
        #expect(life.status == .aftercare, "aftercare was planned, so it returns to aftercare")
        #expect(life.outcome == nil && life.closedOn == nil)
        #expect(throws: CaseLifecycle.Refusal.notClosed) { try life.reopen() }
    }
}
