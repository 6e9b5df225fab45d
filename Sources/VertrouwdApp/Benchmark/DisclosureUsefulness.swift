import Foundation
import Vapor
import VertrouwdCore
import VertrouwdStore

/// `vertrouwd benchmark-disclosure [--years 400]` — what the disclosure rules leave readable for a
/// typical organisation of 50, 200 and 1,000 employees: per table, how often it shows anything,
/// and how many of its rows it shows on average. Synthetic years drawn from an assumed mix (below,
/// and in docs/ANONYMITY.md); no database. The figures in docs/ANONYMITY.md come from here.
struct DisclosureUsefulnessCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "years", help: "Synthetic years per organisation size (default 400).")
        var years: Int?
        @Option(name: "rate", help: "Contacts per 100 employees per year (default 3).")
        var rate: Double?
    }

    var help: String {
        "Prints what the annual report's tables still show for organisations of 50, 200 and 1,000 employees."
    }

    /// The assumed mix of a year's contacts: weights per value.
    static func pick<T>(_ weighted: [(T, Int)], _ rng: inout SeededRandom) -> T {
        let total = weighted.reduce(0) { $0 + $1.1 }
        var r = Int(rng.next() % UInt64(total))
        for (value, w) in weighted { if r < w { return value }; r -= w }
        return weighted[0].0
    }

    static func year(contacts n: Int, start: Day, rng: inout SeededRandom) -> [CaseFacts] {
        (0..<n).map { _ in
            let kind = pick(
                [
                    (CaseKind.personalIntegrity, 70), (.businessIntegrity, 10), (.informationRequest, 15),
                    (.unclassified, 5)
                ], &rng)
            let category =
                kind == .businessIntegrity
                ? pick(
                    [
                        (CaseCategory.fraud, 40), (.informationLeak, 15), (.misuseOfResources, 25), (.theft, 15),
                        (.extortion, 5)
                    ], &rng)
                : pick(
                    [
                        (CaseCategory.bullying, 30), (.intimidation, 15), (.sexualHarassment, 8), (.discrimination, 8),
                        (.aggression, 10),
                        (.threat, 4), (.abuseOfPower, 5), (.workload, 20)
                    ], &rng)
            let wbk = kind == .businessIntegrity && rng.next() % 4 == 0
            let opened = start.adding(days: Int(rng.next() % 365))
            return CaseFacts(
                kind: kind, categories: [category],
                reporterRole: pick(
                    [
                        (ReporterRole.affectedEmployee, 70), (.witness, 15), (.manager, 8), (.formerEmployee, 3),
                        (.other, 4)
                    ], &rng),
                channel: pick(
                    [
                        (IntakeChannel.phone, 40), (.email, 20), (.inPerson, 15), (.webForm, 15), (.whatsapp, 5),
                        (.online, 5)
                    ], &rng),
                regime: wbk ? .whistleblower : .confidential,
                ladder: pick(LadderLevel.allCases.enumerated().map { ($0.element, max(1, 40 >> $0.offset)) }, &rng),
                outcome: pick(
                    [
                        (Outcome?.some(.heard), 50), (.some(.informalSolution), 15), (.some(.referred), 10),
                        (.some(.formalComplaint), 5), (nil, 20)
                    ], &rng),
                referrals: rng.next() % 5 == 0
                    ? [
                        pick(
                            [(ReferralTarget.coach, 40), (.occupationalPhysician, 30), (.mediator, 20), (.lawyer, 10)],
                            &rng)
                    ] : [],
                openedOn: opened,
                whistleblowerClock: wbk
                    ? WhistleblowerClock(
                        receivedOn: opened, acknowledgedOn: opened.adding(days: 3), feedbackOn: opened.adding(days: 60))
                    : nil)
        }
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let years = max(10, signature.years ?? 400)
        let rate = signature.rate ?? 3
        let k = context.application.settings.disclosureThreshold
        let start = Day(year: 2026, month: 1, day: 1)!, end = Day(year: 2026, month: 12, day: 31)!
        context.console.print(
            "k = \(k), \(rate) contacts per 100 employees per year (binomial), \(years) synthetic years per size")
        for employees in [50, 200, 1_000] {
            var rng = SeededRandom(state: UInt64(employees))
            var totalShown = 0, contacts = 0
            var shownYears: [String: Int] = [:], rowsShown: [String: Int] = [:], rows: [String: Int] = [:],
                titles: [String: String] = [:]
            var order: [String] = []
            for y in 0..<years {
                // Binomial: each employee comes with probability rate/100.
                let n = (0..<employees).reduce(0) { acc, _ in acc + (Double(rng.next() % 10_000) < rate * 100 ? 1 : 0) }
                contacts += n
                let stats = AnnualStatistics.build(
                    cases: Self.year(contacts: n, start: start, rng: &rng), start: start, end: end, k: k,
                    seed: UInt64(y) &* 0x9E37_79B9
                ).published
                if stats.total != nil { totalShown += 1 }
                for t in stats.tables {
                    if !order.contains(t.id) { order.append(t.id); titles[t.id] = t.title }
                    let shown = t.cells.filter { $0.status == "published" && $0.count != nil }.count
                    if shown > 0 { shownYears[t.id, default: 0] += 1 }
                    rowsShown[t.id, default: 0] += shown
                    rows[t.id, default: 0] += t.cells.filter { $0.status != "combined" && $0.mergedInto == nil }.count
                }
            }
            context.console.print("")
            context.console.print(
                """
                    \(employees) employees: on average \(String(format: "%.1f", Double(contacts) / Double(years))) \
                    contacts a year;
                    """
                    + " the number of contacts is shown in \(100 * totalShown / years)% of years")
            for id in order {
                let share = Double(shownYears[id] ?? 0) / Double(years) * 100
                let perYear = Double(rowsShown[id] ?? 0) / Double(years)
                let name = (titles[id] ?? id).prefix(44).padding(toLength: 44, withPad: " ", startingAt: 0)
                context.console.print(
                    "  \(name) "
                        + String(format: "shows something in %3.0f%% of years, %4.1f rows on average", share, perYear))
            }
        }
    }
}
