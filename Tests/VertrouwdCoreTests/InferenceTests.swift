import PropertyBased
import Testing
import VertrouwdCore

/// What a reader who knows the rules can infer (issue 23): not from one JSON at a time, but from
/// the algorithm itself, from every version of a report, and from the overview beside them.
@Suite struct InferenceTests {
    static let start = Day(year: 2026, month: 1, day: 1)!
    static let end = Day(year: 2026, month: 12, day: 31)!

    /// What a reader sees of one protected table: per row its count or "hidden", and the
    /// "Overige samen" sum.
    static func appearance(_ counts: [Int], k: Int, pick: ((Int) -> Int)? = nil) -> [String] {
        let raw = RawTable(id: "t", title: "t", rows: counts.enumerated().map { .init(key: "r\($0.offset)", label: "r\($0.offset)", count: $0.element) })
        return PublishedStatistics.Table(protected: Disclosure.protect(raw, k: k, pick: pick), k: k).cells
            .map { "\($0.key)=\($0.count.map(String.init) ?? "–")" }
    }

    /// Every appearance the secret draw can give a table: the reader does not know the draw.
    static func appearances(_ counts: [Int], k: Int) -> Set<[String]> {
        Set((0..<counts.count).map { j in appearance(counts, k: k, pick: { _ in j }) })
    }

    /// Every composition of `total` into `rows` parts.
    static func compositions(_ total: Int, _ rows: Int) -> [[Int]] {
        if rows == 1 { return [[total]] }
        return (0...total).flatMap { first in compositions(total - first, rows - 1).map { [first] + $0 } }
    }

    /// The test that knows the algorithm: for single-valued tables of 2, 3 and 4 rows and every
    /// total from k to 3k (the total is published, so these are all the tables a reader must
    /// consider), group the true tables by what is published, and ask of every hidden cell which
    /// true values remain. None may be proven to hold somebody while it could be fewer than k
    /// (a lower bound of 1 to k−1: "a WBK report exists"), none may be pinned below k, and
    /// the values left must span at least k.
    @Test func aReaderWhoKnowsTheRulesCannotNarrowAHiddenCell() {
        var checked = 0
        for k in [3, 5] {
            for rows in 2...4 {
                for total in k...(3 * k) {
                    var seen: [[String]: [[Int]]] = [:]
                    for counts in Self.compositions(total, rows) {
                        for look in Self.appearances(counts, k: k) { seen[look, default: []].append(counts) }
                    }
                    for (look, tables) in seen {
                        for row in 0..<rows where look[row].hasSuffix("–") {
                            let values = Set(tables.map { $0[row] })
                            let lo = values.min()!, hi = values.max()!
                            checked += 1
                            #expect(lo == 0 || lo >= k, "k=\(k) total=\(total) \(look): row \(row) is at least \(lo)")
                            #expect(hi >= k && hi - lo >= k, "k=\(k) total=\(total) \(look): row \(row) in \(lo)...\(hi)")
                        }
                    }
                }
            }
        }
        #expect(checked > 500)
    }

    /// The same enumeration finds what the old rule (0 printed, hidden = someone is there) gave
    /// away: 5 conversations and 1 WBK report read as "1 to 5 WBK reports".
    @Test func theOldRuleIsCaught() {
        func old(_ counts: [Int], k: Int) -> [String] {
            // Before issue 23: zeros were published unless something else in the table was hidden.
            let anySmall = counts.contains { $0 > 0 && $0 < k }
            return counts.map { anySmall ? "–" : String($0) }
        }
        let k = 5
        let regimes = Self.compositions(6, 2).filter { old($0, k: k) == ["–", "–"] }
        let wbk = Set(regimes.map { $0[1] })
        #expect(wbk.min() == 1, "the old rule left \(wbk.sorted())")
        let look = Self.appearance([5, 1], k: k)
        let now = Self.compositions(6, 2).filter { Self.appearances($0, k: k).contains(look) }
        #expect(Set(now.map { $0[1] }).contains(0))
        #expect(Set(now.map { $0[1] }).contains(6))
    }

    static func facts(_ n: Int, regime: Regime = .confidential, kind: CaseKind = .personalIntegrity,
                      category: CaseCategory = .bullying, day: Int = 0) -> [CaseFacts] {
        (0..<n).map { i in
            let opened = start.adding(days: (day + i * 11) % 360)
            return CaseFacts(kind: kind, categories: [category], reporterRole: .witness, channel: .phone, regime: regime,
                             ladder: .adviceToReporter, outcome: nil, referrals: [], openedOn: opened,
                             whistleblowerClock: regime == .whistleblower ? WhistleblowerClock(receivedOn: opened, acknowledgedOn: nil, feedbackOn: nil) : nil)
        }
    }

    @Test func aYearWithNobodyAndOneWithAFewArePublishedAlike() {
        for k in 3...7 {
            let none = AnnualStatistics.build(cases: [], start: Self.start, end: Self.end, k: k).published
            for few in 1..<k {
                let some = AnnualStatistics.build(cases: Self.facts(few), start: Self.start, end: Self.end, k: k).published
                #expect(some == none, "k=\(k), \(few) contacts")
            }
        }
        // And the regime: 12 conversations with no WBK report or with a few read the same.
        let k = 5
        let without = AnnualStatistics.build(cases: Self.facts(12), start: Self.start, end: Self.end, k: k).published
        for few in 1..<k {
            let with = AnnualStatistics.build(cases: Self.facts(12) + Self.facts(few, regime: .whistleblower, day: 5),
                                              start: Self.start, end: Self.end, k: k).published
            let regime = { (s: PublishedStatistics) in s.tables.first { $0.id == "regime" }?.cells.map { "\($0.key)=\($0.count.map(String.init) ?? "–")" } }
            let hiddenPart = { (s: PublishedStatistics) in regime(s)?.filter { !$0.hasPrefix("regime.hidden") } }
            #expect(hiddenPart(with) == hiddenPart(without), "\(few) WBK")
            #expect(with.notes == without.notes)
            #expect(!with.tables.contains { $0.id == "wbk_deadlines" })
        }
    }

    /// Every report and integrity case has a subject, so subjects and kinds are tied: counted as
    /// several per case, the subjects' sum bounded the kind table's hidden cells and vice versa (the
    /// attacker reviews found both). Now each kind's subject table counts its cases once each, adds
    /// up to the kind's count, and appears only where that count is published.
    @Test func aSubjectTableAddsUpToItsPublishedKind() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...14), Gen.int(in: 0...6), Gen.int(in: 0...8), Gen.int(in: 0...6)) { psaA, psaB, integrity, questions in
            let k = 5
            let cases = Self.facts(psaA) + Self.facts(psaB, category: .intimidation, day: 1)
                + Self.facts(integrity, kind: .businessIntegrity, category: integrity % 2 == 0 ? .fraud : .bullying, day: 2)
                + Self.facts(questions, kind: .informationRequest, day: 3)
            for seed in [0, 1, 2] as [UInt64] {
                let stats = AnnualStatistics.build(cases: cases, start: Self.start, end: Self.end, k: k, seed: seed).published
                let kinds = stats.tables.first { $0.id == "kind" }
                for kind in CaseTally.kindsWithSubjects {
                    let shown = kinds?.cells.first { $0.key == kind.rawValue }?.count
                    let table = stats.tables.first { $0.id == "subject_\(kind.rawValue)" }
                    #expect((table != nil) == (shown != nil), "\(kind): kind \(shown.map(String.init) ?? "hidden"), table \(table != nil)")
                    if let table, let shown {
                        let visible = table.cells.filter { $0.status == "published" || $0.status == "combined" }.compactMap(\.count)
                        let hidden = table.cells.contains { $0.status == "hidden" }
                        // Shown cells and "Overige samen" add up to the kind's count, or the rest is hidden whole.
                        #expect(visible.reduce(0, +) == shown || hidden, "\(kind): \(visible) vs \(shown)")
                    }
                }
            }
        }
    }

    // MARK: versions

    /// In a table of several values per case the total minus a cell is known too: "referred" is
    /// the total minus "niet doorverwezen".
    @Test func aResignIsCheckedOnTheTotalMinusACellOfAMultiValuedTable() {
        func version(total: Int, none: Int) -> PublishedStatistics {
            PublishedStatistics(k: 5, total: total, fewerThanK: false, previousTotal: nil, tables: [
                .init(id: "referral", title: "Doorverwezen naar", multiValued: true,
                      cells: [Self.cell("coach", nil, "hidden"), Self.cell("lawyer", nil, "hidden"), Self.cell("none", none)]),
            ], notes: [])
        }
        let problems = AnnualStatistics.revisionProblems(from: [version(total: 20, none: 15)], to: version(total: 26, none: 20))
        #expect(problems.contains { $0.contains("aantal contacten min none: 5 → 6") }, "\(problems)")
        #expect(AnnualStatistics.revisionProblems(from: [version(total: 20, none: 15)], to: version(total: 26, none: 21)).isEmpty)
    }

    static func cell(_ key: String, _ count: Int?, _ status: String = "published", into: String? = nil, includes: [String]? = nil) -> PublishedStatistics.Cell {
        .init(key: key, label: key, count: count, status: status, mergedInto: into, previous: nil, includes: includes)
    }

    /// Klein Geluk in the audit: v1 kind 5/5/0/0 (total 10), v2 PSA 10 and the rest hidden (total
    /// 16). Every figure both show changed by 0 or ≥ 5, but the hidden rest went from 5 to 6.
    @Test func aResignThatRevealsOneLateCaseThroughTheHiddenSumIsRefused() {
        let v1 = PublishedStatistics(k: 5, total: 10, fewerThanK: false, previousTotal: nil, tables: [
            .init(id: "kind", title: "Soort melding", multiValued: false,
                  cells: [Self.cell("psa", 5), Self.cell("integrity", 5), Self.cell("question", 0), Self.cell("unclassified", 0)]),
        ], notes: [])
        let v2 = PublishedStatistics(k: 5, total: 16, fewerThanK: false, previousTotal: nil, tables: [
            .init(id: "kind", title: "Soort melding", multiValued: false,
                  cells: [Self.cell("psa", 10), Self.cell("integrity", nil, "hidden"), Self.cell("question", nil, "hidden"),
                          Self.cell("unclassified", nil, "hidden"), Self.cell("kind.hidden", 6, "combined", includes: ["integrity", "question", "unclassified"])]),
        ], notes: [])
        let problems = AnnualStatistics.revisionProblems(from: [v1], to: v2)
        #expect(problems.contains { $0.contains("integrity + question + unclassified: 5 → 6") }, "\(problems)")
        // Against every earlier version: v1 → v2' fine on its own is still checked against v1.
        let v3 = PublishedStatistics(k: 5, total: 21, fewerThanK: false, previousTotal: nil, tables: [
            .init(id: "kind", title: "Soort melding", multiValued: false,
                  cells: [Self.cell("psa", 15), Self.cell("integrity", nil, "hidden"), Self.cell("question", nil, "hidden"),
                          Self.cell("unclassified", nil, "hidden"), Self.cell("kind.hidden", 6, "combined", includes: ["integrity", "question", "unclassified"])]),
        ], notes: [])
        #expect(AnnualStatistics.revisionProblems(from: [v2], to: v3).isEmpty)
        #expect(!AnnualStatistics.revisionProblems(from: [v1, v2], to: v3).isEmpty)
    }

    /// Gemeente Lindewaard in the audit: a late WBK report after sign-off. Refused, whatever else
    /// came in, unless at least k new WBK reports came too.
    @Test func aResignAfterALateWBKReportIsRefusedOrShowsNothingNarrowerThanK() async {
        await propertyCheck(count: 200, input: Gen.int(in: 5...30), Gen.int(in: 1...4), Gen.int(in: 0...12)) { base, lateWBK, lateOther in
            let k = 5
            let cases = Self.facts(base)
            let (v1, _) = AnnualStatistics.build(cases: cases, start: Self.start, end: Self.end, k: k)
            let later = cases + Self.facts(lateWBK, regime: .whistleblower, day: 3) + Self.facts(lateOther, day: 7)
            let (v2, protected) = AnnualStatistics.build(cases: later, start: Self.start, end: Self.end, k: k)
            let problems = AnnualStatistics.revisionProblems(from: [v1], to: v2)
            guard problems.isEmpty else { return }
            // Accepted: the WBK reports are hidden in v2 and the total grew by k or more, so no sum
            // both versions let a reader compute moved by 1 to k−1.
            #expect(v2.tables.first { $0.id == "regime" }?.cells.first { $0.key == "whistleblower" }?.count == nil)
            #expect((v2.total ?? 0) - (v1.total ?? 0) >= k || v1.total == nil, "base \(base) late \(lateWBK)+\(lateOther)")
            _ = protected
        }
    }

    // MARK: the overview

    /// Every figure of the overview is a sum of figures the reports publish, over the reports that
    /// publish it: a reader holding the reports can compute it, so it completes nothing.
    @Test func theOverviewAddsUpOnlyWhatTheReportsPublish() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...40), Gen.int(in: 0...40), Gen.int(in: 0...9)) { a, b, c in
            let k = 5
            let reports = [("A", a), ("B", b), ("C", c)].map { name, n in
                (organisation: name, periodStart: Optional(Self.start.iso),
                 statistics: Optional(AnnualStatistics.build(cases: Self.facts(n) + Self.facts(n / 3, kind: .businessIntegrity, category: .fraud),
                                                             start: Self.start, end: Self.end, k: k).published))
            }
            let overview = PracticeOverview(year: 2026, k: k, reports: reports)
            for sum in overview.sums {
                let parts = reports.filter { sum.organisations.contains($0.organisation) }.map { r -> Int? in
                    sum.table == "#total" ? r.statistics?.total
                        : r.statistics?.tables.first { $0.id == sum.table }?.cells.first { $0.key == sum.key && $0.status == "published" }?.count
                }
                #expect(parts.allSatisfy { $0 != nil }, "\(sum.table)/\(sum.key) adds a figure no report shows")
                #expect(sum.count == parts.compactMap { $0 }.reduce(0, +))
                #expect(sum.count >= k)
            }
            // The organisation with fewer than k is in no sum.
            if c + c / 3 < k { #expect(!overview.sums.contains { $0.organisations.contains("C") && $0.table == "#total" }) }
        }
    }

    // MARK: advice

    @Test func theAdviceListDoesNotNameAThemeTheTablesHide() {
        let k = 5
        // PSA: bullying 12 (shown), intimidation 3 and threat 3 (merged into "overig", 6); integrity,
        // questions and unclassified 5 each, so the kind table shows PSA and its subject table appears.
        let stats = AnnualStatistics.build(cases: Self.facts(12) + Self.facts(3, category: .intimidation, day: 2)
                                               + Self.facts(3, category: .threat, day: 4) + Self.facts(5, kind: .businessIntegrity, category: .fraud, day: 6)
                                               + Self.facts(5, kind: .informationRequest, day: 8) + Self.facts(5, kind: .unclassified, day: 9),
                                           start: Self.start, end: Self.end, k: k).published
        #expect(stats.shownCategories.contains(.bullying))
        #expect(!stats.shownCategories.contains(.intimidation))
        #expect(stats.adviceSubject("Signaal en advies: intimidatie", category: .intimidation) == PublishedStatistics.unnamedAdvice)
        #expect(stats.adviceSubject("Advies over intimidatie op de werkvloer", category: nil) == PublishedStatistics.unnamedAdvice)
        #expect(stats.adviceSubject("Signaal en advies: pesten", category: .bullying) == "Signaal en advies: pesten")
        #expect(stats.adviceSubject("Actualiseren meldregeling", category: nil) == "Actualiseren meldregeling")
        // A report with fewer than k contacts shows no theme at all.
        let few = AnnualStatistics.build(cases: Self.facts(3), start: Self.start, end: Self.end, k: k).published
        #expect(few.adviceSubject("Signaal en advies: pesten", category: .bullying) == PublishedStatistics.unnamedAdvice)
    }
}
