import Testing
@testable import VertrouwdCore

@Suite("Corrections: what a signed-off annual report or a sent advice holds stays")
struct CorrectionRuleTests {
    let year = Corrections.SignedOffYear(start: Day(iso: "2025-01-01")!, end: Day(iso: "2025-12-31")!, signedOn: Day(iso: "2026-01-20")!)

    @Test func aDayInsideASignedOffYearIsRefusedAndOneOutsideIsNot() {
        #expect(Corrections.refusal(touching: [Day(iso: "2026-02-01")!], signedOff: [year]) == nil)
        #expect(Corrections.refusal(touching: [Day(iso: "2026-01-01")!], signedOff: []) == nil)
        let refusal = Corrections.refusal(touching: [Day(iso: "2026-02-01")!, Day(iso: "2025-12-31")!], signedOff: [year])
        #expect(refusal?.contains("01-01-2025 – 31-12-2025 is vastgesteld op 20-01-2026") == true, "moving a day into the year counts too")
        #expect(Corrections.refusal(touching: [Day(iso: "2025-01-01")!], signedOff: [year]) != nil, "the first day is inside")
    }

    @Test func aPeriodTouchingASignedOffYearIsRefused() {
        let next = (start: Day(iso: "2026-01-01")!, end: Day(iso: "2026-12-31")!)
        #expect(Corrections.refusal(period: [next], signedOff: [year]) == nil)
        #expect(Corrections.refusal(period: [next, (Day(iso: "2025-12-31")!, next.end)], signedOff: [year]) != nil,
                "stretching a year back over a signed-off one is refused")
    }

    @Test func aSentAdviceIsRefusedAndAnUnsentOneIsNot() {
        #expect(Corrections.refusal(adviceSentOn: nil) == nil)
        #expect(Corrections.refusal(adviceSentOn: Day(iso: "2026-03-04")!)?.contains("04-03-2026 verstuurd") == true)
    }

    @Test func hoursGoBackIntoAFormAsTheyAreRead() {
        for minutes in [15, 60, 90, 105, 1440] {
            #expect(Hours.parseMinutes(Hours.decimal(minutes: minutes)) == minutes)
        }
        #expect(Hours.decimal(minutes: 90) == "1,5")
    }

    @Test func onlyHoursThatTakeABudgetPastItAreAskedAbout() {
        #expect(BudgetStatus(usedMinutes: 60, budgetMinutes: 120).crossing(adding: 60) == nil, "exactly the budget fits")
        #expect(BudgetStatus(usedMinutes: 60, budgetMinutes: 120).crossing(adding: 75)?.usedMinutes == 135)
        #expect(BudgetStatus(usedMinutes: 150, budgetMinutes: 120).crossing(adding: 15) == nil, "past already")
        #expect(BudgetStatus(usedMinutes: 0, budgetMinutes: 0).crossing(adding: 15) != nil, "a year without hours")
    }
}
