import Foundation
import Testing
@testable import VertrouwdCore

@Suite("Hours statement for invoicing")
struct HoursStatementTests {
    let y2025 = HoursStatement.Contract(start: Day(iso: "2025-01-01")!, end: Day(iso: "2025-12-31")!, rateCents: 9500)
    let y2026 = HoursStatement.Contract(start: Day(iso: "2026-01-01")!, end: Day(iso: "2026-12-31")!, rateCents: 9750)

    func statement(_ entries: [HoursStatement.Entry]) -> HoursStatement {
        HoursStatement(from: Day(iso: "2025-12-01")!, to: Day(iso: "2026-01-31")!, entries: entries)
    }

    @Test func linesAreSummedPerOrganisationContractYearAndWorkAndSorted() {
        let s = statement([
            .init(organisation: "Zorggroep Het Baken", slug: "het-baken", contract: y2026, work: .activity(.workshop), minutes: 60),
            .init(organisation: "Zorggroep Het Baken", slug: "het-baken", contract: y2026, work: .cases, minutes: 45),
            .init(organisation: "Zorggroep Het Baken", slug: "het-baken", contract: y2026, work: .cases, minutes: 30),
            .init(organisation: "Zorggroep Het Baken", slug: "het-baken", contract: y2025, work: .cases, minutes: 15),
            .init(organisation: "basisschool De Regenboog", slug: "de-regenboog", contract: nil, work: .activity(.other), minutes: 90),
        ])
        #expect(s.lines.map(\.slug) == ["de-regenboog", "het-baken", "het-baken", "het-baken"])
        #expect(s.lines.map(\.minutes) == [90, 15, 75, 60])
        #expect(s.lines[1].contract == y2025 && s.lines[2].work == .cases && s.lines[3].work == .activity(.workshop))
        #expect(s.totalMinutes == 240)
    }

    @Test func anAmountIsMinutesTimesTheRateRoundedToTheCent() {
        let s = statement([
            .init(organisation: "A", slug: "a", contract: y2026, work: .cases, minutes: 15),  // 97,50 / 4 = 24,375
            .init(organisation: "A", slug: "a", contract: y2025, work: .cases, minutes: 75),  // 95 × 1,25 = 118,75
            .init(organisation: "A", slug: "a", contract: nil, work: .cases, minutes: 60),
        ])
        #expect(s.lines.map(\.amountCents) == [nil, 11875, 2438])
        #expect(s.totalAmountCents == 11875 + 2438)
    }

    @Test func theCSVIsWhatExcelInDutchOpens() {
        let s = statement([
            .init(organisation: "=HYPERLINK(\"x\"); Zorg", slug: "zorg", contract: y2026, work: .cases, minutes: 75),
            .init(organisation: "Zorg", slug: "zorg-2", contract: nil, work: .activity(.informationSession), minutes: 30),
        ])
        let csv = s.csv()
        #expect(csv.hasPrefix("\u{FEFF}Organisatie;Code;Contractjaar;Soort werk;Uren;Tarief per uur;Bedrag\r\n"))
        let lines = csv.dropFirst().components(separatedBy: "\r\n")
        // A formula is defused and a semicolon in a name quoted; decimal commas, Dutch dates.
        #expect(lines[1] == "\"'=HYPERLINK(\"\"x\"\"); Zorg\";zorg;01-01-2026 t/m 31-12-2026;Casuïstiek (gesprekken en meldingen);1,25;97,50;121,88")
        #expect(lines[2] == "Zorg;zorg-2;buiten een contractjaar;Voorlichting;0,5;;")
        #expect(lines[3] == "Totaal;;01-12-2025 t/m 31-01-2026;;1,75;;121,88")
        #expect(lines[4] == "" && lines.count == 5)
    }

    @Test func moneyIsReadAsThePracticeTypesIt() {
        #expect(Money.parseCents("95") == 9500)
        #expect(Money.parseCents("97,50") == 9750)
        #expect(Money.parseCents("97,5") == 9750)
        #expect(Money.parseCents("€ 97.50") == 9750)
        #expect(Money.parseCents("10000") == 1_000_000)
        for wrong in ["", "-5", "10000,01", "9,999", "1.234,56", "abc", "٩٥", "1e3", "95,", ",5", "95 euro"] {
            #expect(Money.parseCents(wrong) == nil, "\(wrong)")
        }
        #expect(Money.decimal(cents: 9750) == "97,50" && Money.decimal(cents: 5) == "0,05")
    }
}

extension HoursStatementTests {
    @Test func eachOrganisationIsAddedUpForItsInvoiceSayingWhatHasNoRate() {
        let s = statement([
            .init(organisation: "A", slug: "a", contract: y2025, work: .cases, minutes: 60),
            .init(organisation: "A", slug: "a", contract: y2026, work: .cases, minutes: 30),
            .init(organisation: "A", slug: "a", contract: nil, work: .cases, minutes: 15),
            .init(organisation: "B", slug: "b", contract: nil, work: .activity(.workshop), minutes: 45),
        ])
        #expect(s.subtotals == [
            .init(organisation: "A", slug: "a", minutes: 105, amountCents: 9500 + 4875, unratedMinutes: 15),
            .init(organisation: "B", slug: "b", minutes: 45, amountCents: 0, unratedMinutes: 45),
        ])
    }
}
