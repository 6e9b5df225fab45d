import Foundation
import PropertyBased
import Testing
import VertrouwdCore
import VertrouwdReports
import ZIPFoundation

/// The anonymity guarantee of the annual report, checked over many random case sets and in every
/// output format. A failure prints the input and the seed that produced it.
@Suite struct DisclosureTests {
    static let yearStart = Day(year: 2025, month: 3, day: 1)!
    static let yearEnd = Day(year: 2026, month: 2, day: 28)!

    /// Random cases, skewed so that small cells are common: a few kinds of reporter, channel and
    /// theme dominate, the rest appear once or twice.
    static let caseGen = zip(
        Gen.int(in: 0...99), Gen.int(in: 0...99), Gen.int(in: 0...99), Gen.int(in: 0...99),
        Gen.int(in: 0...99), Gen.int(in: 1...5), Gen.int(in: 0...10), Gen.int(in: 0...99), Gen.int(in: 0...364), Gen.int(in: 0...5)
    ).map { t -> CaseFacts in
        func pick<T: CaseIterable>(_ roll: Int, _ type: T.Type) -> T {
            let all = Array(T.allCases)
            return roll < 60 ? all[roll % 2] : all[roll % all.count]
        }
        let cats = CaseCategory.allCases
        // Some cases touch no category (information requests), some two.
        var categories: Set<CaseCategory> = t.1 < 12 ? [] : [pick(t.0, CaseCategory.self)]
        if t.1 > 70 { categories.insert(cats[t.1 % cats.count]) }
        let opened = DisclosureTests.yearStart.adding(days: t.8)
        let regime: Regime = t.4 > 75 ? .whistleblower : .confidential
        let clock: WhistleblowerClock? = regime == .whistleblower
            ? WhistleblowerClock(receivedOn: opened, acknowledgedOn: t.9 > 0 ? opened.adding(days: t.9 * 3) : nil,
                                 feedbackOn: t.9 > 2 ? opened.adding(days: 30 * t.9) : nil)
            : nil
        return CaseFacts(kind: pick(t.2, CaseKind.self), categories: categories, reporterRole: pick(t.3, ReporterRole.self),
                         channel: pick(t.4, IntakeChannel.self), regime: regime, ladder: LadderLevel(rawValue: t.5)!,
                         outcome: t.6 == 10 ? nil : Outcome.allCases[t.6 % Outcome.allCases.count],
                         // A few referred, some of them to two places at once.
                         referrals: t.7 > 80 ? Set([t.7, t.7 * 7].prefix(t.7 > 92 ? 2 : 1).map { ReferralTarget.allCases[$0 % ReferralTarget.allCases.count] }) : [],
                         openedOn: opened, whistleblowerClock: clock)
    }
    static let casesGen = caseGen.array(of: 0...60)

    static func document(_ stats: PublishedStatistics) -> AnnualReportDocument {
        AnnualReportDocument(organisation: "Voorbeeld & Zn <test>", periodStart: yearStart, periodEnd: yearEnd, status: "draft", signedOffOn: nil,
                             statistics: stats, activities: [], hours: .init(budget: "40 u", used: "12 u", onActivities: "4 u", percent: 30),
                             advice: [], sections: [.init(title: "Aanbevelingen", text: "Meer voorlichting.")])
    }

    // MARK: the invariants

    @Test func noPublishedCountBetweenOneAndKMinusOne() async {
        await propertyCheck(count: 300, input: Self.casesGen, Gen.int(in: 3...7)) { cases, k in
            let (stats, _) = AnnualStatistics.build(cases: cases, start: Self.yearStart, end: Self.yearEnd, k: k)
            let small = stats.allCounts.filter { $0 < k }
            #expect(small.isEmpty, "published counts below k (zero included) \(small) with k=\(k)")
            if cases.count < k {
                #expect(stats.fewerThanK && stats.total == nil && stats.tables.isEmpty)
            } else {
                #expect(stats.total == cases.count)
            }
        }
    }

    @Test func hiddenCellsCannotBeRecoveredFromTheOthers() async {
        await propertyCheck(count: 300, input: Self.casesGen, Gen.int(in: 3...7)) { cases, k in
            let (_, tables) = AnnualStatistics.build(cases: cases, start: Self.yearStart, end: Self.yearEnd, k: k)
            for table in tables {
                let candidates = table.cells.filter { if case .merged = $0.status { return false } else { return true } }
                let hidden = candidates.filter { $0.count == nil }
                let hiddenSum = hidden.reduce(0) { $0 + $1.trueCount }
                // Either nothing is hidden, or at least two cells (empty ones count: empty and small
                // look alike) that together reach k: the table's total minus the shown cells never
                // pins one of them down, nor shows them to be small. (Every table now counts each
                // case once, so this holds for all of them.)
                #expect(!table.multiValued)
                #expect(hidden.isEmpty || (hidden.count >= 2 && hiddenSum >= k),
                        "table \(table.id): hidden \(hidden.map { ($0.key, $0.trueCount) }) with k=\(k)")
            }
        }
    }

    /// What an organisation receives, read by an audit that does not know the rules: no hidden
    /// figure can be narrowed to a small count or to a range narrower than k — this year's report
    /// and last year's.
    @Test func noHiddenFigureCanBeNarrowedDownFromTheJSON() async {
        await propertyCheck(count: 300, input: Self.casesGen, Self.casesGen, Gen.int(in: 3...7)) { before, now, k in
            let (last, _) = AnnualStatistics.build(cases: before, start: Self.yearStart.adding(months: -12),
                                                   end: Self.yearStart.adding(days: -1), k: k)
            let (this, _) = AnnualStatistics.build(cases: now, start: Self.yearStart, end: Self.yearEnd, k: k, previous: last)
            for stats in [last, this] {
                do {
                    let audit = try DisclosureAudit.audit(ReportWriters.json(Self.document(stats)))
                    #expect(audit.violations.isEmpty, "k=\(k): \(audit.violations)")
                } catch { Issue.record(error) }
            }
        }
    }

    /// The leak the review found: with the reason on each hidden cell, 5 confidential
    /// conversations and 1 whistleblower report (k = 5) read as "exactly one whistleblower
    /// report". The audit finds it in the old labelling and not in what is published now.
    @Test func theAuditFindsWhatReasonLabelsGaveAway() throws {
        let day = Self.yearStart
        let cases = (0..<6).map { i in
            CaseFacts(kind: .businessIntegrity, categories: [], reporterRole: .witness, channel: .phone,
                      regime: i == 0 ? .whistleblower : .confidential, ladder: .adviceToReporter, outcome: nil, referrals: [],
                      openedOn: day.adding(days: 60 * i),
                      whistleblowerClock: i == 0 ? WhistleblowerClock(receivedOn: day, acknowledgedOn: nil, feedbackOn: nil) : nil)
        }
        let (stats, protected) = AnnualStatistics.build(cases: cases, start: Self.yearStart, end: Self.yearEnd, k: 5)
        let json = try ReportWriters.json(Self.document(stats))
        let regime = try #require(stats.tables.first { $0.id == "regime" })
        #expect(regime.cells.filter { $0.count == nil }.allSatisfy { $0.status == "hidden" })
        #expect(!String(decoding: json, as: UTF8.self).contains("complementary"))
        #expect(!ReportWriters.csv(Self.document(stats)).contains("suppressed"))
        #expect(try DisclosureAudit.audit(json).violations.isEmpty)

        // The same report as it was written before: each hidden cell with its reason.
        var object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        object["tables"] = (object["tables"] as? [[String: Any]] ?? []).map { table in
            var table = table
            let reasons = protected.first { $0.id == table["id"] as? String }?.cells
            let cells = table["cells"] as? [[String: Any]] ?? []
            table["cells"] = cells.map { cell -> [String: Any] in
                var cell = cell
                let key = cell["key"] as? String
                if cell["status"] as? String == "hidden", let reason = reasons?.first(where: { $0.key == key }) {
                    cell["status"] = reason.status.code
                }
                return cell
            }
            return table
        }
        let old = try DisclosureAudit.audit(JSONSerialization.data(withJSONObject: object))
        let pinned = old.violations.first { $0.figure == "regime/whistleblower" }
        #expect(pinned?.range == 0...1, "\(old.violations)")
    }

    /// "Niet doorverwezen" with the total tells how many were referred: of 12 contacts, 2 referred
    /// to three places each (three cells of 2, hidden, together 6) must not read as "2 referred".
    @Test func theNumberReferredIsProtectedLikeACell() throws {
        let cases = (0..<12).map { i in
            CaseFacts(kind: .personalIntegrity, categories: [.bullying], reporterRole: .witness, channel: .phone,
                      regime: .confidential, ladder: .adviceToReporter, outcome: .heard,
                      referrals: i < 2 ? Set(ReferralTarget.allCases.prefix(3)) : [], openedOn: Self.yearStart.adding(days: 9 * i))
        }
        let (stats, _) = AnnualStatistics.build(cases: cases, start: Self.yearStart, end: Self.yearEnd, k: 5)
        let referral = try #require(stats.tables.first { $0.id == "referral_per_case" })
        #expect(referral.cells.first { $0.key == "none" }?.count == nil, "10 not referred of 12 would say 2 were")
        #expect(try DisclosureAudit.audit(ReportWriters.json(Self.document(stats))).violations.isEmpty)
    }

    @Test func whatIsPublishedIsTrue() async {
        await propertyCheck(count: 200, input: Self.casesGen, Gen.int(in: 3...7)) { cases, k in
            let (_, tables) = AnnualStatistics.build(cases: cases, start: Self.yearStart, end: Self.yearEnd, k: k)
            for table in tables {
                for cell in table.cells {
                    if let count = cell.count { #expect(count == cell.trueCount, "\(table.id).\(cell.key)") }
                    if cell.isMergedCell {
                        let members = table.cells.filter { $0.status == .merged(into: cell.key) }
                        #expect(members.count >= 2)
                        #expect(members.reduce(0) { $0 + $1.trueCount } == cell.trueCount)
                    }
                }
                if !table.multiValued {
                    let sum = table.cells.filter { !$0.isMergedCell }.reduce(0) { $0 + $1.trueCount }
                    let population = table.id == "wbk_deadlines" ? cases.filter { $0.whistleblowerClock != nil }.count
                        : table.id.hasPrefix("subject_") ? cases.filter { "subject_" + $0.kind.rawValue == table.id }.count : cases.count
                    #expect(sum == population, "single-valued table \(table.id) counts every case of its population once")
                }
            }
        }
    }

    @Test func everyOutputFormatKeepsTheGuarantee() async throws {
        await propertyCheck(count: 60, input: Self.casesGen, Gen.int(in: 3...7)) { cases, k in
            let (stats, _) = AnnualStatistics.build(cases: cases, start: Self.yearStart, end: Self.yearEnd, k: k)
            let doc = Self.document(stats)
            do {
                let counts = try Self.countsInEveryFormat(doc)
                for (format, numbers) in counts {
                    let small = numbers.filter { $0 > 0 && $0 < k }
                    #expect(small.isEmpty, "\(format) shows \(small) with k=\(k)")
                }
            } catch {
                Issue.record(error)
            }
        }
    }

    /// The readers behind the format test find a small number where one is printed, in every format.
    @Test func theFormatReadersFindAPlantedSmallCount() throws {
        let planted = PublishedStatistics(k: 5, total: 12, fewerThanK: false, previousTotal: nil, tables: [
            .init(id: "t", title: "T", multiValued: false, cells: [
                .init(key: "a", label: "A", count: 2, status: "published", mergedInto: nil, previous: nil),
                .init(key: "b", label: "B", count: 10, status: "published", mergedInto: nil, previous: nil),
            ]),
        ], notes: [])
        let found = try Self.countsInEveryFormat(Self.document(planted))
        #expect(found.map(\.0) == ["json", "csv", "svg", "docx"])
        for (format, numbers) in found { #expect(numbers.contains(2), "\(format) reader missed the planted 2: \(numbers)") }
    }

    @Test func lastYearIsComparedOnlyAsItWasPublished() async {
        await propertyCheck(count: 150, input: Self.casesGen, Self.casesGen, Gen.int(in: 3...7)) { before, now, k in
            let (last, _) = AnnualStatistics.build(cases: before, start: Self.yearStart.adding(months: -12),
                                                   end: Self.yearStart.adding(days: -1), k: k)
            let (this, _) = AnnualStatistics.build(cases: now, start: Self.yearStart, end: Self.yearEnd, k: k, previous: last)
            #expect(this.allCounts.allSatisfy { $0 >= k })
            #expect(this.previousTotal == last.total || this.tables.isEmpty)
            for table in this.tables {
                let old = last.tables.first { $0.id == table.id }
                for cell in table.shown {
                    let published = old?.shown.first { $0.key == cell.key }?.count
                    // Never more than last year's report showed: a hidden cell stays hidden.
                    #expect(cell.previous == published, "\(table.id).\(cell.key)")
                }
            }
        }
    }

    @Test func aRaisedThresholdAlsoHidesLastYearsSmallFigures() {
        let cases = (0..<46).map { i in
            // Integrity: theft 4 (shown at k = 3); fraud 1 and extortion 2 fill its "overig" to 3.
            // Questions and unclassified 3 each, so the kind table shows every kind at k = 3.
            CaseFacts(kind: i < 7 ? .businessIntegrity : i < 10 ? .informationRequest : i < 13 ? .unclassified : .personalIntegrity,
                      categories: [i < 4 ? .theft : i < 5 ? .fraud : i < 7 ? .extortion : .bullying],
                      reporterRole: .witness, channel: .phone,
                      regime: .confidential, ladder: .adviceToReporter, outcome: nil, referrals: [], openedOn: Self.yearStart.adding(days: i))
        }
        let (lastYear, _) = AnnualStatistics.build(cases: cases, start: Self.yearStart, end: Self.yearEnd, k: 3)
        #expect(lastYear.tables.first { $0.id == "subject_business_integrity" }?.cells.first { $0.key == "theft" }?.count == 4)
        let (thisYear, _) = AnnualStatistics.build(cases: cases, start: Self.yearStart, end: Self.yearEnd, k: 5, previous: lastYear)
        #expect(thisYear.allCounts.allSatisfy { $0 >= 5 })
        #expect(thisYear.tables.first { $0.id == "subject_business_integrity" }?.cells.first { $0.key == "theft" }?.previous == nil)
    }

    @Test func aRevisionThatWouldRevealLateCasesIsRefused() async {
        await propertyCheck(count: 100, input: Self.casesGen, Self.caseGen.array(of: 1...4), Gen.int(in: 5...7)) { cases, late, k in
            let (signed, _) = AnnualStatistics.build(cases: cases, start: Self.yearStart, end: Self.yearEnd, k: k)
            let (revised, _) = AnnualStatistics.build(cases: cases + late, start: Self.yearStart, end: Self.yearEnd, k: k)
            let problems = AnnualStatistics.revisionProblems(from: signed, to: revised)
            // Fewer than k late cases always change the total by 1..k-1: a visible total must refuse.
            if signed.total != nil, revised.total != nil, late.count < k {
                #expect(!problems.isEmpty)
            }
            if problems.isEmpty {
                for table in revised.tables {
                    for cell in table.shown {
                        guard let now = cell.count, let then = signed.tables.first(where: { $0.id == table.id })?.shown
                            .first(where: { $0.key == cell.key })?.count else { continue }
                        #expect(now == then || abs(now - then) >= k)
                    }
                }
            }
        }
    }

    // MARK: worked examples

    @Test func smallCellsMergeIntoOverigWithinTheirGroup() {
        let table = RawTable(id: "t", title: "T", multiValued: true, rows: [
            .init(key: "a", label: "A", group: "g", count: 2),
            .init(key: "b", label: "B", group: "g", count: 3),
            .init(key: "c", label: "C", group: "g", count: 0),
            .init(key: "d", label: "D", group: "g", count: 9),
            .init(key: "e", label: "E", group: "h", count: 7),
        ], groupLabels: ["g": "groep"])
        let p = Disclosure.protect(table, k: 5)
        let shown = p.shownCells.map { ($0.key, $0.count) }
        #expect(shown.map(\.0) == ["d", "g.other", "e"])
        #expect(shown.map(\.1) == [9, 5, 7])
        #expect(p.cells.first { $0.key == "g.other" }?.label == "Overig (groep)")
        // The empty cell is inside "overig" too: a reader cannot tell it from a small one.
        #expect(p.cells.first { $0.key == "c" }?.status == .merged(into: "g.other"))
    }

    @Test func oneSmallCellIsNeverHiddenAlone() {
        let table = RawTable(id: "regime", title: "R", rows: [
            .init(key: "confidential", label: "Vertrouwelijk", count: 30),
            .init(key: "whistleblower", label: "Wbk", count: 2),
            .init(key: "other", label: "Anders", count: 11),
        ])
        // Whatever the secret draw, the small cell never stands alone.
        for seed in 0..<32 as Range<UInt64> {
            let hidden = Disclosure.protect(table, k: 5, seed: seed).cells.filter { $0.count == nil }.map(\.key)
            #expect(hidden.count == 2 && hidden.contains("whistleblower"), "seed \(seed): \(hidden)")
        }
        let p = Disclosure.protect(table, k: 5, pick: { _ in 1 })
        #expect(p.cells.map(\.count) == [30, nil, nil])
        #expect(p.cells.map(\.status) == [.published, .suppressed, .complementary])
        // Outside the counsellor's preview both say only "hidden".
        let published = PublishedStatistics.Table(protected: p, k: 5)
        #expect(published.cells.map(\.status) == ["published", "hidden", "hidden", "combined"])
    }

    @Test func theThresholdNeverGoesBelowThree() {
        #expect(Disclosure.threshold(nil) == 5)
        #expect(Disclosure.threshold(1) == 3)
        #expect(Disclosure.threshold(8) == 8)
        // Below k no figure, and no "minder dan 5" (it says 1 to 4) or "geen" (it tells 0 from a few).
        #expect(Disclosure.phrase(3, k: 5, noun: ("melding", "meldingen")) == "meldingen")
        #expect(Disclosure.phrase(0, k: 5, noun: ("melding", "meldingen")) == "meldingen")
        #expect(Disclosure.phrase(6, k: 5, noun: ("melding", "meldingen")) == "6 meldingen")
    }

    @Test func whistleblowerDeadlinesAppearOnlyWhenTheirNumberIsPublished() {
        func cases(wbk: Int) -> [CaseFacts] {
            (0..<20).map { i in
                let day = Self.yearStart.adding(days: i * 7)
                return CaseFacts(kind: .businessIntegrity, categories: [.fraud], reporterRole: .witness, channel: .email,
                                 regime: i < wbk ? .whistleblower : .confidential, ladder: .adviceToReporter, outcome: .heard, referrals: [],
                                 openedOn: day, whistleblowerClock: i < wbk ? WhistleblowerClock(receivedOn: day, acknowledgedOn: day.adding(days: 2), feedbackOn: day.adding(days: 40)) : nil)
            }
        }
        let few = AnnualStatistics.build(cases: cases(wbk: 2), start: Self.yearStart, end: Self.yearEnd, k: 5).published
        #expect(!few.tables.contains { $0.id == "wbk_deadlines" })
        #expect(few.notes.contains { $0.contains("klokkenluiders") })
        let many = AnnualStatistics.build(cases: cases(wbk: 6), start: Self.yearStart, end: Self.yearEnd, k: 5).published
        #expect(many.tables.contains { $0.id == "wbk_deadlines" })
        #expect(!many.notes.contains { $0.contains("klokkenluiders") })
        // None and a few read the same: the same note, no table.
        let none = AnnualStatistics.build(cases: cases(wbk: 0), start: Self.yearStart, end: Self.yearEnd, k: 5).published
        #expect(none.notes == few.notes)
        let regime = { (stats: PublishedStatistics) in stats.tables.first { $0.id == "regime" }?.cells.map(\.count) }
        #expect(regime(none) == regime(few))
        #expect(regime(none)?.allSatisfy { $0 == nil } == true)
    }

    @Test func quartersOnlyWhenEveryQuarterReachesK() {
        func cases(perQuarter: [Int]) -> [CaseFacts] {
            perQuarter.enumerated().flatMap { q, n in
                (0..<n).map { i in
                    CaseFacts(kind: .personalIntegrity, categories: [.bullying], reporterRole: .witness, channel: .phone, regime: .confidential,
                              ladder: .adviceToReporter, outcome: nil, referrals: [], openedOn: Self.yearStart.adding(months: 3 * q).adding(days: i))
                }
            }
        }
        let even = AnnualStatistics.build(cases: cases(perQuarter: [5, 6, 5, 7]), start: Self.yearStart, end: Self.yearEnd, k: 5).published
        #expect(even.tables.first { $0.id == "quarter" }?.cells.map(\.count) == [5, 6, 5, 7])
        let uneven = AnnualStatistics.build(cases: cases(perQuarter: [9, 1, 5, 7]), start: Self.yearStart, end: Self.yearEnd, k: 5).published
        #expect(!uneven.tables.contains { $0.id == "quarter" })
    }

    // MARK: reading the outputs back

    /// Every integer each format publishes as a count.
    static func countsInEveryFormat(_ doc: AnnualReportDocument) throws -> [(String, [Int])] {
        var result: [(String, [Int])] = []
        // JSON: every "count", "previous", "total" and "previousTotal".
        let json = try JSONSerialization.jsonObject(with: ReportWriters.json(doc))
        var jsonCounts: [Int] = []
        func walk(_ value: Any, key: String?) {
            if let dict = value as? [String: Any] { for (k, v) in dict { walk(v, key: k) } }
            else if let array = value as? [Any] { for v in array { walk(v, key: key) } }
            else if let n = value as? Int, ["count", "previous", "total", "previousTotal"].contains(key ?? "") { jsonCounts.append(n) }
        }
        walk(json, key: nil)
        #expect((json as? [String: Any])?["k"] as? Int == doc.k)
        // Every cell of every table carries "count", null where hidden.
        for table in ((json as? [String: Any])?["tables"] as? [[String: Any]]) ?? [] {
            for cell in (table["cells"] as? [[String: Any]]) ?? [] { #expect(cell.keys.contains("count")) }
        }
        #expect((json as? [String: Any])?.keys.contains("total") == true)
        result.append(("json", jsonCounts))
        // CSV: the two count columns.
        let csvCounts = ReportWriters.csv(doc).split(separator: "\r\n").dropFirst().flatMap { line -> [Int] in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 5, fields[0] != "drempel" else { return [] }
            return [Int(fields[fields.count - 3]), Int(fields[fields.count - 2])].compactMap { $0 }
        }
        result.append(("csv", csvCounts))
        // SVG: the value labels of the bars.
        let svgCounts = doc.tables.map(ReportWriters.svgBars).flatMap { numbers(in: $0, between: "class=\"chart-value\">", and: "<") }
        result.append(("svg", svgCounts))
        // DOCX: every table cell after the label, and the sentence with the number of contacts.
        let archive = try Archive(data: try ReportWriters.docx(doc), accessMode: .read)
        var xml = Data()
        guard let entry = archive["word/document.xml"] else { throw CocoaError(.fileReadCorruptFile) }
        _ = try archive.extract(entry) { xml.append($0) }
        let text = String(decoding: xml, as: UTF8.self)
        var docxCounts: [Int] = []
        for part in text.components(separatedBy: "<w:tr>").dropFirst() {
            let row = part.components(separatedBy: "</w:tr>")[0]
            let cells = row.components(separatedBy: "<w:tc>").dropFirst().map { numbers(in: $0, between: "<w:t xml:space=\"preserve\">", and: "<") }
            docxCounts += cells.dropFirst().flatMap { $0 }
        }
        for paragraph in text.components(separatedBy: "<w:p>") where paragraph.contains("Aantal contacten:") {
            docxCounts += numbers(in: paragraph, between: "<w:t xml:space=\"preserve\">", and: "<")
        }
        #expect(text.contains("Voorbeeld &amp; Zn &lt;test&gt;"))
        result.append(("docx", docxCounts))
        return result
    }

    static func numbers(in text: String, between open: String, and close: String) -> [Int] {
        text.components(separatedBy: open).dropFirst().flatMap { part -> [Int] in
            let content = part.components(separatedBy: close).first ?? ""
            return content.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        }
    }
}
