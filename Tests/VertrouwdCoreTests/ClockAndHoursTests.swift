import Foundation
import Testing
@testable import VertrouwdCore

@Suite("Whistleblower law clocks")
struct WhistleblowerClockTests {
    let received = Day(iso: "2026-01-10")!

    @Test func acknowledgementIsDueSevenDaysAfterReceipt() {
        let clock = WhistleblowerClock(receivedOn: received, acknowledgedOn: nil, feedbackOn: nil)
        #expect(clock.acknowledgementDue == Day(iso: "2026-01-17"))
    }

    @Test func feedbackIsDueThreeMonthsAfterTheAcknowledgement() {
        let clock = WhistleblowerClock(receivedOn: received, acknowledgedOn: Day(iso: "2026-01-12"), feedbackOn: nil)
        #expect(clock.feedbackDue == Day(iso: "2026-04-12"))
    }

    @Test func withoutAcknowledgementFeedbackRunsFromTheEndOfTheSevenDays() {
        let clock = WhistleblowerClock(receivedOn: received, acknowledgedOn: nil, feedbackOn: nil)
        #expect(clock.feedbackDue == Day(iso: "2026-04-17"))
    }

    @Test func theEndOfAMonthClampsToAShorterMonth() {
        let clock = WhistleblowerClock(receivedOn: Day(iso: "2026-11-23")!, acknowledgedOn: Day(iso: "2026-11-30"), feedbackOn: nil)
        #expect(clock.feedbackDue == Day(iso: "2027-02-28"))
    }

    @Test func statesMoveFromOpenToDueSoonToOverdueUntilDone() {
        let clock = WhistleblowerClock(receivedOn: received, acknowledgedOn: nil, feedbackOn: nil)
        #expect(clock.acknowledgement(today: received).state == .dueSoon)
        #expect(clock.acknowledgement(today: Day(iso: "2026-01-17")!).state == .dueSoon)
        #expect(clock.acknowledgement(today: Day(iso: "2026-01-18")!).state == .overdue)
        #expect(clock.feedback(today: received).state == .open)
        let done = WhistleblowerClock(receivedOn: received, acknowledgedOn: Day(iso: "2026-01-20"), feedbackOn: nil)
        #expect(done.acknowledgement(today: Day(iso: "2026-03-01")!).state == .met)
        #expect(done.acknowledgedInTime == false)
        #expect(done.next(today: Day(iso: "2026-03-01")!)?.what == .feedback)
    }

    @Test func nothingIsNextWhenBothDeadlinesWereMet() {
        let clock = WhistleblowerClock(receivedOn: received, acknowledgedOn: Day(iso: "2026-01-11"), feedbackOn: Day(iso: "2026-03-01"))
        #expect(clock.next(today: Day(iso: "2026-06-01")!) == nil)
        #expect(clock.acknowledgedInTime == true)
        #expect(clock.feedbackInTime == true)
    }
}

@Suite("Hours in quarter hours against a budget")
struct HoursTests {
    @Test(arguments: [("1,5", 90), ("1.25", 75), ("0:45", 45), ("2", 120), (" 0,25 ", 15), ("24", 1440)])
    func counsellorsTypeHoursTheirWay(text: String, minutes: Int) {
        #expect(Hours.parseMinutes(text) == minutes)
    }

    @Test(arguments: ["", "0", "-1", "0,1", "1:10", "24,25", "abc", "1:60", "nan", "1e3"])
    func anythingButWholeQuarterHoursIsRefused(text: String) {
        #expect(Hours.parseMinutes(text) == nil)
    }

    @Test func hoursAreShownWithADutchDecimalComma() {
        #expect(Hours.format(minutes: 90) == "1,5 u")
        #expect(Hours.format(minutes: 135) == "2,25 u")
        #expect(Hours.format(minutes: 120) == "2 u")
    }

    @Test func theBudgetWarnsAtEightyAndAtHundredPercent() {
        #expect(BudgetStatus(usedMinutes: 47 * 60, budgetMinutes: 60 * 60).level == .ok)
        #expect(BudgetStatus(usedMinutes: 48 * 60, budgetMinutes: 60 * 60).level == .warning)
        #expect(BudgetStatus(usedMinutes: 60 * 60, budgetMinutes: 60 * 60).level == .exhausted)
        #expect(BudgetStatus(usedMinutes: 75 * 60, budgetMinutes: 60 * 60).percentUsed == 125)
        #expect(BudgetStatus(usedMinutes: 15, budgetMinutes: 0).level == .exhausted)
        #expect(BudgetStatus(usedMinutes: 0, budgetMinutes: 0).level == .ok)
    }
}

@Suite("Days and references")
struct DayTests {
    @Test(arguments: [
        "2026-02-30", "2026-13-01", "26-01-01", "2026-1-01", "2026/01/01", "", "２０２６-01-01", "2026-01-1x",
        "+026-01-01", " 2026-01-1", "2026-01-01 ", "2026-001-1", "2026-01-00",
    ])
    func impossibleOrMalformedDaysAreRefused(text: String) { #expect(Day(iso: text) == nil) }

    @Test func daysCountAndFormat() {
        let d = Day(iso: "2026-12-30")!
        #expect(d.adding(days: 3).iso == "2027-01-02")
        #expect(d.days(until: Day(iso: "2027-01-02")!) == 3)
        #expect(d.dutch == "30-12-2026")
    }

    @Test func referencesArePaddedPerYear() {
        #expect(CaseReference.next(year: 2026, highestUsed: 41).description == "2026-0042")
        #expect(CaseReference.next(year: 2026, highestUsed: nil).description == "2026-0001")
        #expect(CaseReference("2026-12345")?.number == 12345)
        #expect(CaseReference("x-1") == nil)
    }
}

@Suite("Passwords and lock-out")
struct PasswordTests {
    @Test func shortCommonOrPersonalPasswordsAreRefused() {
        #expect(PasswordPolicy.check("kort") == .tooShort)
        #expect(PasswordPolicy.check("password1234") == .common)
        #expect(PasswordPolicy.check("Wachtwoord2026") == .common)
        #expect(PasswordPolicy.check("aaaaaaaaaaaaaaa") == .common)
        #expect(PasswordPolicy.check("1234567890123") == .common)
        #expect(PasswordPolicy.check("anna.devries-geheim", email: "anna.devries@praktijk.nl") == .containsIdentity)
        #expect(PasswordPolicy.check(String(repeating: "é", count: 40)) == .tooLong)
    }

    /// The 10,000 most common passwords ship as a resource; the old list had ~30 entries.
    @Test func theTenThousandMostCommonPasswordsAreRefused() {
        #expect(PasswordPolicy.common.count == 10_000)
        #expect(PasswordPolicy.common.isSuperset(of: ["123456", "password", "iloveyou", "qwertyuiop"]))
        // From the list as they are, with digits after them, and twice over — none on the old list.
        for password in ["1q2w3e4r5t6y7u", "startfinding", "Sunshine2024!", "jennifer123456", "monkeymonkey", "Q1W2E3R4T5Y6"] {
            #expect(PasswordPolicy.check(password) == .common, "\(password)")
        }
        #expect(PasswordPolicy.check("Vertrouwenspersoon") == .common)
        // A passphrase that merely contains a common word is fine.
        #expect(PasswordPolicy.check("sunshine over de molen") == nil)
    }

    @Test func aLongPassphraseWithoutSymbolsIsAccepted() {
        #expect(PasswordPolicy.check("fiets regen koffie molen") == nil)
    }

    @Test func fiveFailuresAreFreeThenTheLockGrowsToAnHour() {
        #expect(LoginThrottle.lock(afterFailures: 4) == nil)
        #expect(LoginThrottle.lock(afterFailures: 5) == 60)
        #expect(LoginThrottle.lock(afterFailures: 6) == 120)
        #expect(LoginThrottle.lock(afterFailures: 50) == 3600)
    }
}

/// `Day` does its own calendar arithmetic (Foundation's `Calendar` cost tens of microseconds a
/// call, and a page reads thousands of days): it must agree with `Calendar` everywhere.
@Suite("Days agree with Foundation's Gregorian calendar")
struct DayArithmeticTests {
    static let gmt: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    static func reference(_ date: Date, in zone: TimeZone = TimeZone(identifier: "UTC")!) -> (Int, Int, Int) {
        var c = gmt
        c.timeZone = zone
        let p = c.dateComponents([.year, .month, .day], from: date)
        return (p.year!, p.month!, p.day!)
    }

    @Test func everyDayFrom1900To2100AddsMonthsDaysAndCountsAsCalendarDoes() {
        var day = Day(year: 1900, month: 1, day: 1)!
        var date = Self.gmt.date(from: DateComponents(year: 1900, month: 1, day: 1))!
        var checked = 0
        while day.year < 2100 {
            #expect(day.date == date)
            let (y, m, d) = Self.reference(date)
            #expect((day.year, day.month, day.day) == (y, m, d))
            if day.day >= 27 || checked % 97 == 0 {
                // Backwards onto a shorter February, Foundation (swift-corelibs) rolls over to
                // 1 March instead of clamping as forwards: those are checked below.
                for months in [-24, -12, -1, 1, 3, 12, 24, 120] where months > 0 || day.day <= 28 {
                    let expected = Self.reference(Self.gmt.date(byAdding: .month, value: months, to: date)!)
                    let got = day.adding(months: months)
                    #expect((got.year, got.month, got.day) == expected, "\(day) + \(months) months")
                }
            }
            let next = day.adding(days: 1)
            #expect(day.days(until: next) == 1 && next.days(until: day) == -1)
            date = Self.gmt.date(byAdding: .day, value: 1, to: date)!
            day = next
            checked += 1
        }
        #expect(checked == 73_049)
        #expect(Day(year: 1900, month: 1, day: 1)!.days(until: Day(year: 2099, month: 12, day: 31)!) == 73_048)
        // Backwards, the end of a month clamps as it does forwards.
        #expect(Day(iso: "2028-02-29")!.adding(months: -24) == Day(iso: "2026-02-28"))
        #expect(Day(iso: "2026-03-31")!.adding(months: -1) == Day(iso: "2026-02-28"))
        #expect(Day(iso: "2024-05-31")!.adding(months: -3) == Day(iso: "2024-02-29"))
        #expect(Day(iso: "2028-03-31")!.adding(months: -25) == Day(iso: "2026-02-28"))
        #expect(Day(iso: "2030-03-29")!.adding(months: -25) == Day(iso: "2028-02-29"))
        #expect(Day(iso: "2026-01-31")!.adding(months: -241) == Day(iso: "2005-12-31"))
    }

    @Test func onlyRealDaysAreMadeAndTheyPrintWithLeadingZeros() {
        #expect(Day(year: 2024, month: 2, day: 29) != nil)
        #expect(Day(year: 2026, month: 2, day: 29) == nil)
        #expect(Day(year: 2000, month: 2, day: 29) != nil && Day(year: 1900, month: 2, day: 29) == nil)
        #expect(Day(year: 2026, month: 4, day: 31) == nil && Day(year: 2026, month: 13, day: 1) == nil)
        #expect(Day(year: 2026, month: 0, day: 1) == nil && Day(year: 2026, month: 1, day: 0) == nil)
        #expect(Day(year: 1899, month: 12, day: 31) == nil && Day(year: 3000, month: 1, day: 1) == nil)
        #expect(Day(iso: "2026-02-30") == nil && Day(iso: "2026-1-05") == nil)
        let d = Day(year: 2026, month: 3, day: 5)!
        #expect(d.iso == "2026-03-05" && d.dutch == "05-03-2026" && d.description == "2026-03-05")
    }

    @Test func aMomentFallsOnItsDayInAmsterdamAcrossSummerTime() {
        let amsterdam = Day.practiceTimeZone
        // Around the changes of 2026 (29 March, 25 October) and midnight on either side.
        let base = Self.gmt.date(from: DateComponents(year: 2026, month: 3, day: 27))!
        for hour in stride(from: 0, to: 24 * 220, by: 1) {
            for minute in [0, 59] {
                let moment = base.addingTimeInterval(Double(hour * 3600 + minute * 60))
                let day = Day(moment)
                let (y, m, d) = Self.reference(moment, in: amsterdam)
                #expect((day.year, day.month, day.day) == (y, m, d), "\(moment)")
            }
        }
    }
}
