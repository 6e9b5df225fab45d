/// The categorical facts of one case that an annual report (*jaarverslag*) counts. Nothing a
/// person wrote, nothing identifying: these are the plain columns of a case.
public struct CaseFacts: Sendable, Equatable {
    public var kind: CaseKind
    public var categories: Set<CaseCategory>
    public var reporterRole: ReporterRole
    public var channel: IntakeChannel
    public var regime: Regime
    public var ladder: LadderLevel
    public var outcome: Outcome?
    public var referrals: Set<ReferralTarget>
    public var openedOn: Day
    public var whistleblowerClock: WhistleblowerClock?

    public init(
        kind: CaseKind, categories: Set<CaseCategory>, reporterRole: ReporterRole, channel: IntakeChannel,
        regime: Regime, ladder: LadderLevel, outcome: Outcome?, referrals: Set<ReferralTarget>,
        openedOn: Day, whistleblowerClock: WhistleblowerClock? = nil
    ) {
        self.kind = kind
        self.categories = categories
        self.reporterRole = reporterRole
        self.channel = channel
        self.regime = regime
        self.ladder = ladder
        self.outcome = outcome
        self.referrals = referrals
        self.openedOn = openedOn
        self.whistleblowerClock = whistleblowerClock
    }
}

/// How a report under the whistleblower law fared against its two deadlines.
public enum DeadlineResult: String, Labelled {
    case allMet = "all_met", acknowledgementLate = "acknowledgement_late", feedbackLate = "feedback_late", running

    public var label: String {
        switch self {
        case .allMet: "Beide termijnen gehaald"
        case .acknowledgementLate: "Ontvangstbevestiging later dan 7 dagen"
        case .feedbackLate: "Terugkoppeling later dan 3 maanden"
        case .running: "Nog lopend, termijnen niet verstreken of niet afgerond"
        }
    }

    public static func of(_ clock: WhistleblowerClock) -> DeadlineResult {
        if clock.acknowledgedInTime == false { return .acknowledgementLate }
        if clock.feedbackInTime == false { return .feedbackLate }
        if clock.acknowledgedInTime == true, clock.feedbackInTime == true { return .allMet }
        return .running
    }
}

/// The counts an annual report starts from, one dictionary per dimension. The database counts
/// them with GROUP BY (fast for any number of cases); `init(cases:)` counts the same from facts,
/// which is what the property tests feed.
public struct CaseTally: Sendable, Equatable {
    public var total = 0
    public var kind: [CaseKind: Int] = [:]
    /// Per kind of *melding* (PSA, integrity): its cases by subject — the category when it has
    /// exactly one of that kind's categories, `several` when more, `elsewhere` when none. One row
    /// per case, so the table adds up to the kind's count (see `subjectKey`).
    public var subjects: [CaseKind: [String: Int]] = [:]
    public var reporterRole: [ReporterRole: Int] = [:]
    public var channel: [IntakeChannel: Int] = [:]
    public var regime: [Regime: Int] = [:]
    /// Over the reports under the whistleblower law only.
    public var deadlines: [DeadlineResult: Int] = [:]
    public var ladder: [LadderLevel: Int] = [:]
    /// By outcome, `running` for cases without one.
    public var outcome: [String: Int] = [:]
    /// By referral target when a case went to exactly one, `several` when to more, `none` when
    /// not referred: one row per case, adding up to the total.
    public var referral: [String: Int] = [:]
    public var openedOn: [Day: Int] = [:]

    public init() {}

    /// The kinds whose cases have subjects (the intake requires at least one).
    public static let kindsWithSubjects: [CaseKind] = [.personalIntegrity, .businessIntegrity]

    /// Where a case of `kind` counts in that kind's subject table: nil for a kind without one.
    public static func subjectKey(_ categories: Set<CaseCategory>, kind: CaseKind) -> String? {
        guard kindsWithSubjects.contains(kind) else { return nil }
        let own = categories.filter { $0.usualKind == kind }
        return own.count == 1 ? own.first!.rawValue : own.isEmpty ? "elsewhere" : "several"
    }

    /// Where a case counts in the referral table.
    public static func referralKey(_ targets: Set<ReferralTarget>) -> String {
        targets.count == 1 ? targets.first!.rawValue : targets.isEmpty ? "none" : "several"
    }

    public init(cases: [CaseFacts]) {
        for c in cases {
            total += 1
            kind[c.kind, default: 0] += 1
            if let key = CaseTally.subjectKey(c.categories, kind: c.kind) {
                subjects[c.kind, default: [:]][key, default: 0] += 1
            }
            reporterRole[c.reporterRole, default: 0] += 1
            channel[c.channel, default: 0] += 1
            regime[c.regime, default: 0] += 1
            if let clock = c.whistleblowerClock { deadlines[DeadlineResult.of(clock), default: 0] += 1 }
            ladder[c.ladder, default: 0] += 1
            outcome[c.outcome?.rawValue ?? "running", default: 0] += 1
            referral[CaseTally.referralKey(c.referrals), default: 0] += 1
            openedOn[c.openedOn, default: 0] += 1
        }
    }
}

/// What an annual report publishes about cases: protected, and nothing else. This is also what
/// is frozen when the counsellor signs a report off, and what next year's report compares with.
public struct PublishedStatistics: Codable, Sendable, Equatable {
    public struct Cell: Codable, Sendable, Equatable {
        public let key: String
        public let label: String
        /// The published count, or nil where it is hidden.
        public let count: Int?
        /// `published`, `merged`, `hidden` or `combined`. Every hidden cell says `hidden`, whatever
        /// the reason: a reason would tell the reader whether it is small (`suppressed`) or large
        /// (`complementary`), and with the total that can pin a small cell down (docs/ANONYMITY.md).
        public let status: String
        /// For a merged cell: the "overig" cell it is counted in.
        public let mergedInto: String?
        /// Last year's published count for the same cell, where both years may show it.
        public var previous: Int?
        /// For the `combined` cell: the labels of the hidden cells it adds up.
        public var includes: [String]?

        /// The one marker a hidden cell may carry outside the counsellor's preview. Applied when a
        /// cell is made and when a stored snapshot is read, so a report signed off before this rule
        /// leaves with it too.
        public static func published(_ status: String) -> String {
            ["suppressed", "complementary"].contains(status) ? "hidden" : status
        }

        enum CodingKeys: String, CodingKey { case key, label, count, status, mergedInto, previous, includes }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                key: try c.decode(String.self, forKey: .key), label: try c.decode(String.self, forKey: .label),
                count: try c.decodeIfPresent(Int.self, forKey: .count),
                status: try c.decode(String.self, forKey: .status),
                mergedInto: try c.decodeIfPresent(String.self, forKey: .mergedInto),
                previous: try c.decodeIfPresent(Int.self, forKey: .previous),
                includes: try c.decodeIfPresent([String].self, forKey: .includes))
        }

        /// `count` and `previous` are always written, as null where hidden: a reader of the JSON
        /// sees every cell of every table.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(key, forKey: .key)
            try c.encode(label, forKey: .label)
            try c.encode(count, forKey: .count)
            try c.encode(status, forKey: .status)
            try c.encodeIfPresent(mergedInto, forKey: .mergedInto)
            try c.encode(previous, forKey: .previous)
            try c.encodeIfPresent(includes, forKey: .includes)
        }

        public init(
            key: String, label: String, count: Int?, status: String, mergedInto: String?, previous: Int?,
            includes: [String]? = nil
        ) {
            self.key = key
            self.label = label
            self.count = count
            self.status = Cell.published(status)
            self.mergedInto = mergedInto
            self.previous = previous
            self.includes = includes
        }
    }

    public struct Table: Codable, Sendable, Equatable {
        public let id: String
        public let title: String
        /// A case can count in several cells; the cells do not add up to the total.
        public let multiValued: Bool
        public var cells: [Cell]

        public init(id: String, title: String, multiValued: Bool, cells: [Cell]) {
            self.id = id
            self.title = title
            self.multiValued = multiValued
            self.cells = cells
        }

        /// What a protected table publishes: every cell (null where hidden) and, where cells are
        /// hidden and their sum reaches k, one `combined` cell with that sum. It keeps the table
        /// readable ("Overige samen: 6") and tells nothing the total did not already.
        public init(protected table: ProtectedTable, k: Int) {
            var cells = table.cells.map { cell -> Cell in
                var mergedInto: String?
                if case .merged(let into) = cell.status { mergedInto = into }
                return Cell(
                    key: cell.key, label: cell.label, count: cell.count, status: cell.status.code,
                    mergedInto: mergedInto, previous: nil)
            }
            let hidden = table.cells.filter { $0.isCandidate && $0.count == nil }
            let hiddenSum = hidden.reduce(0) { $0 + $1.trueCount }
            // Only beside cells that are shown: a table hidden whole says so instead. Not in a
            // multi-valued table: there a case counts in several cells, so the sum of the hidden
            // ones can exceed what the total leaves and bound one of them from below.
            let anyShown = table.cells.contains { $0.isCandidate && $0.count != nil }
            if !table.multiValued, !hidden.isEmpty, anyShown, hiddenSum >= k {
                cells.append(
                    Cell(
                        key: "\(table.id).hidden", label: "Overige samen", count: hiddenSum, status: "combined",
                        mergedInto: nil, previous: nil, includes: hidden.map(\.label)))
            }
            self.init(id: table.id, title: table.title, multiValued: table.multiValued, cells: cells)
        }

        /// The cells a reader sees: the published ones and, where cells are hidden, one
        /// `combined` cell with their sum (at least k, and derivable from the total anyway for a
        /// single-valued table). Merged cells are inside their "overig" cell.
        public var shown: [Cell] { cells.filter { $0.status == "published" || $0.status == "combined" } }
        /// Cells hidden one by one (their sum is in the `combined` cell, when that may be shown).
        public var hidden: [Cell] { cells.filter { $0.status == "hidden" } }
    }

    /// The version of the publication rules (docs/ANONYMITY.md) this code applies.
    public static let rules = 2

    /// The threshold in force.
    public let k: Int
    /// Number of contacts (cases opened in the period), or nil when fewer than k — none included:
    /// "minder dan k" must not say that somebody came.
    public let total: Int?
    public let fewerThanK: Bool
    public var previousTotal: Int?
    public var tables: [Table]
    /// Tables left out and why, in Dutch.
    public var notes: [String]

    public init(k: Int, total: Int?, fewerThanK: Bool, previousTotal: Int?, tables: [Table], notes: [String]) {
        self.k = k
        self.total = total
        self.fewerThanK = fewerThanK
        self.previousTotal = previousTotal
        self.tables = tables
        self.notes = notes
    }

    /// Every count this publishes, current and previous: what the guarantee is about.
    public var allCounts: [Int] {
        [total, previousTotal].compactMap { $0 }
            + tables.flatMap { $0.cells.flatMap { [$0.count, $0.previous].compactMap { $0 } } }
    }
}

/// Builds the protected statistics of one contract year.
public enum AnnualStatistics {
    public static func build(
        cases: [CaseFacts], start: Day, end: Day, k: Int, previous: PublishedStatistics? = nil,
        seed: UInt64 = 0
    ) -> (published: PublishedStatistics, protected: [ProtectedTable]) {
        build(tally: CaseTally(cases: cases), start: start, end: end, k: k, previous: previous, seed: seed)
    }

    /// `seed`: the practice's secret draw for this report (see `Disclosure.protect`).
    public static func build(
        tally: CaseTally, start: Day, end: Day, k: Int, previous: PublishedStatistics? = nil,
        seed: UInt64 = 0
    ) -> (published: PublishedStatistics, protected: [ProtectedTable]) {
        let total = tally.total
        guard Disclosure.isPublishable(total, k: k) else {
            let stats = PublishedStatistics(
                k: k, total: nil, fewerThanK: true, previousTotal: nil, tables: [],
                notes: [
                    """
                        Minder dan \(k) contacten dit jaar: om niemand herkenbaar te maken staan er geen verdere \
                        aantallen in dit verslag.
                        """
                ])
            return (stats, [])
        }
        let raw = rawTables(tally, start: start, end: end, k: k)
        var notes: [String] = []

        var protected = raw.tables.map { Disclosure.protect($0, k: k, seed: seed) }
        // The deadlines table counts the reports under the whistleblower law; it may only appear
        // where the number of those reports is itself published.
        let wbkPublished = protected.first { $0.id == "regime" }?.cells.first {
            $0.key == Regime.whistleblower.rawValue
        }?.count
        // A subject table adds up to its kind's count: it appears only where that count is shown.
        let kindTable = protected.first { $0.id == "kind" }
        for kind in CaseTally.kindsWithSubjects {
            let shown = kindTable?.cells.first { $0.key == kind.rawValue }?.count
            if let i = protected.firstIndex(where: { $0.id == "subject_\(kind.rawValue)" }), (shown ?? 0) < k {
                protected.remove(at: i)
                notes.append(
                    """
                        Onderwerpen bij \
                        \(kind == .personalIntegrity ? "ongewenste omgangsvormen" : "integriteitsmeldingen"): \
                        alleen getoond als het aantal van die meldingen getoond wordt (ten minste \(k)).
                        """
                )
            }
        }
        // The note is the same whether there were none or a few: it must not tell them apart.
        if let i = protected.firstIndex(where: { $0.id == "wbk_deadlines" }), (wbkPublished ?? 0) < k {
            protected.remove(at: i)
            notes.append(
                """
                    Termijnen Wet bescherming klokkenluiders: alleen getoond als er ten minste \(k) meldingen onder \
                    deze wet zijn.
                    """
            )
        }
        if !raw.quarterShown {
            notes.append(
                "Verdeling over kwartalen: niet getoond, want niet elk kwartaal telt ten minste \(k) contacten.")
        }

        var tables = protected.map { PublishedStatistics.Table(protected: $0, k: k) }
        var previousTotal: Int?
        if let previous {
            // Last year's figures exactly as they were published (hidden stays hidden), and only
            // where they pass today's threshold too.
            previousTotal = previous.total.flatMap { Disclosure.isPublishable($0, k: k) ? $0 : nil }
            for t in tables.indices {
                guard let old = previous.tables.first(where: { $0.id == tables[t].id }) else { continue }
                for c in tables[t].cells.indices where ["published", "combined"].contains(tables[t].cells[c].status) {
                    let was = old.shown.first { $0.key == tables[t].cells[c].key }?.count
                    tables[t].cells[c].previous = was.flatMap { Disclosure.isPublishable($0, k: k) ? $0 : nil }
                }
            }
        }
        let stats = PublishedStatistics(
            k: k, total: total, fewerThanK: false, previousTotal: previousTotal, tables: tables, notes: notes)
        return (stats, protected)
    }

    /// The reasons a new version of an already signed-off year may not replace the earlier ones.
    ///
    /// A reader may hold every version that ever left. Whatever two versions both let a reader
    /// work out — a shown cell, an "overig" cell, the hidden cells' sum ("Overige samen", or the
    /// total minus the shown cells), the total, and any sum of these — must have changed by 0 or
    /// by at least k; otherwise the difference tells how many cases (1 to k−1) came in late or
    /// were corrected. Compared against every earlier version, not only the last.
    public static func revisionProblems(from earlier: [PublishedStatistics], to new: PublishedStatistics) -> [String] {
        var problems: [String] = []
        for old in earlier {
            for p in revisionProblems(from: old, to: new) where !problems.contains(p) { problems.append(p) }
        }
        return problems
    }

    public static func revisionProblems(from old: PublishedStatistics, to new: PublishedStatistics) -> [String] {
        let k = max(old.k, new.k)
        var problems: [String] = []
        func small(_ d: Int) -> Bool { d != 0 && abs(d) < k }
        switch (old.total, new.total) {
        case let (a?, b?):
            if small(b - a) { problems.append("Aantal contacten: \(a) → \(b)") }
        case let (nil, b?) where b < 2 * k:
            problems.append("Aantal contacten: eerder 'minder dan \(old.k)', nu \(b)")
        case let (a?, nil) where a < 2 * k:
            problems.append("Aantal contacten: eerder \(a), nu 'minder dan \(new.k)'")
        default: break
        }
        for table in new.tables {
            guard let before = old.tables.first(where: { $0.id == table.id }) else { continue }
            problems += jointDifferences(before, old.total, table, new.total, k: k)
        }
        return problems
    }

    /// The sums a reader knows in one version of a table: blocks of its base cells (the rows it
    /// counts), each with its value or nil where the reader cannot work it out.
    static func knownBlocks(
        _ t: PublishedStatistics.Table, total: Int?
    ) -> (base: [String: String], blocks: [(keys: Set<String>, value: Int?)]) {
        let overig = Set(t.cells.compactMap(\.mergedInto))
        let baseCells = t.cells.filter { $0.status != "combined" && !overig.contains($0.key) }
        var blocks: [(keys: Set<String>, value: Int?)] = []
        var hidden = Set<String>()
        for cell in baseCells where cell.mergedInto == nil {
            if let n = cell.count { blocks.append(([cell.key], n)) } else { hidden.insert(cell.key) }
        }
        for o in t.cells where overig.contains(o.key) {
            let members = Set(baseCells.filter { $0.mergedInto == o.key }.map(\.key))
            if let n = o.count { blocks.append((members, n)) } else { hidden.formUnion(members) }
        }
        if !hidden.isEmpty {
            var value = t.cells.first { $0.status == "combined" }?.count
            if value == nil, !t.multiValued, let total { value = total - blocks.reduce(0) { $0 + ($1.value ?? 0) } }
            blocks.append((hidden, value))
        }
        return (Dictionary(baseCells.map { ($0.key, $0.label) }, uniquingKeysWith: { a, _ in a }), blocks)
    }

    /// Joins two versions' blocks into the coarsest sums both let a reader work out, and names
    /// every sum of them that changed by 1 to k−1.
    static func jointDifferences(
        _ a: PublishedStatistics.Table, _ aTotal: Int?, _ b: PublishedStatistics.Table, _ bTotal: Int?,
        k: Int
    ) -> [String] {
        let (aBase, aBlocks) = knownBlocks(a, total: aTotal)
        let (bBase, bBlocks) = knownBlocks(b, total: bTotal)
        let keys = Array(Set(aBase.keys).union(bBase.keys)).sorted()
        var parent = Dictionary(uniqueKeysWithValues: keys.map { ($0, $0) })
        func find(_ x: String) -> String { var x = x; while parent[x]! != x { x = parent[x]! }; return x }
        for block in aBlocks + bBlocks {
            guard let first = block.keys.first else { continue }
            for key in block.keys { parent[find(key)] = find(first) }
        }
        let components = Dictionary(grouping: keys, by: find).values.map(Set.init)
        func value(_ blocks: [(keys: Set<String>, value: Int?)], _ base: [String: String], of c: Set<String>) -> Int? {
            guard c.allSatisfy({ base[$0] != nil }) else { return nil }
            var sum = 0
            for block in blocks where !block.keys.isDisjoint(with: c) {
                guard let v = block.value else { return nil }
                sum += v
            }
            return sum
        }
        let known = components.compactMap { c -> (labels: [String], before: Int, after: Int)? in
            guard let x = value(aBlocks, aBase, of: c), let y = value(bBlocks, bBase, of: c) else { return nil }
            return (c.sorted().map { bBase[$0] ?? aBase[$0] ?? $0 }, x, y)
        }.sorted { $0.labels.lexicographicallyPrecedes($1.labels) }
        // Every sum of known parts: a reader may add them up (a +5 here and a −4 there is +1). In a
        // multi-valued table the total is not their sum, so "total minus these parts" is one more
        // thing a reader works out ("referred" is the total minus "niet doorverwezen").
        // The sums reachable from the parts' differences, each with the parts that reach it.
        var reachable: [Int: [Int]] = [0: []]
        for (i, part) in known.enumerated() {
            let d = part.after - part.before
            for (sum, parts) in reachable where reachable[sum + d] == nil { reachable[sum + d] = parts + [i] }
        }
        var problems: [String] = []
        func describe(_ parts: [Int]) -> (String, Int, Int) {
            (
                parts.flatMap { known[$0].labels }.joined(separator: " + "),
                parts.reduce(0) { $0 + known[$1].before }, parts.reduce(0) { $0 + known[$1].after }
            )
        }
        for (sum, parts) in reachable.sorted(by: { $0.key < $1.key }) where !parts.isEmpty && sum != 0 && abs(sum) < k {
            let (labels, before, after) = describe(parts)
            problems.append("\(b.title) – \(labels): \(before) → \(after)")
        }
        if b.multiValued, let aTotal, let bTotal {
            for (sum, parts) in reachable.sorted(by: { $0.key < $1.key }) {
                let rest = (bTotal - aTotal) - sum
                guard rest != 0, abs(rest) < k else { continue }
                let (labels, before, after) = describe(parts)
                problems.append(
                    """
                        \(b.title) – aantal contacten min \(parts.isEmpty ? "niets" : labels): \(aTotal - before) → \
                        \(bTotal - after)
                        """
                )
            }
        }
        return Array(problems.prefix(5))
    }

    // MARK: the tables

    static func rawTables(_ tally: CaseTally, start: Day, end: Day, k: Int) -> (tables: [RawTable], quarterShown: Bool)
    {
        func single<T: Labelled>(_ id: String, _ title: String, _ values: [T], _ counts: [T: Int]) -> RawTable {
            RawTable(
                id: id, title: title,
                rows: values.map { .init(key: $0.rawValue, label: $0.label, count: counts[$0] ?? 0) })
        }

        var tables: [RawTable] = []
        tables.append(single("kind", "Soort melding", CaseKind.classified + [.unclassified], tally.kind))

        // Subjects per kind, one row per case: several subjects of one case count once, as
        // "Meer dan één onderwerp". A case has subjects of other kinds too, so the two tables are
        // counted apart and add up to their kind's count in the kind table; each appears only
        // where that count is published (like the WBK deadlines).
        for kind in CaseTally.kindsWithSubjects {
            let counts = tally.subjects[kind] ?? [:]
            let categories = CaseCategory.allCases.filter { $0.usualKind == kind }
            tables.append(
                RawTable(
                    id: "subject_\(kind.rawValue)",
                    title: "Onderwerp — \(kind == .personalIntegrity ? "ongewenste omgangsvormen" : "integriteit")",
                    rows: categories.map {
                        .init(key: $0.rawValue, label: $0.label, group: kind.rawValue, count: counts[$0.rawValue] ?? 0)
                    }
                        + [
                            .init(
                                key: "several", label: "Meer dan één onderwerp", group: kind.rawValue,
                                count: counts["several"] ?? 0),
                            .init(
                                key: "elsewhere", label: "Ander onderwerp", group: kind.rawValue,
                                count: counts["elsewhere"] ?? 0)
                        ],
                    groupLabels: [kind.rawValue: "kleine aantallen samen"]))
        }

        tables.append(
            single(
                "reporter_role", "Wie meldde", ReporterRole.allCases.filter { $0 != .unknown } + [.unknown],
                tally.reporterRole))
        tables.append(single("channel", "Eerste contact via", Array(IntakeChannel.allCases), tally.channel))
        tables.append(single("regime", "Soort traject", Array(Regime.allCases), tally.regime))
        tables.append(
            single(
                "wbk_deadlines", "Termijnen bij meldingen onder de Wet bescherming klokkenluiders",
                Array(DeadlineResult.allCases), tally.deadlines))
        tables.append(
            RawTable(
                id: "ladder", title: "Hoogste trede bereikt",
                rows: LadderLevel.allCases.map {
                    .init(key: String($0.rawValue), label: $0.label, count: tally.ladder[$0] ?? 0)
                }))
        tables.append(
            RawTable(
                id: "outcome", title: "Afloop",
                rows: Outcome.allCases.map {
                    .init(key: $0.rawValue, label: $0.label, count: tally.outcome[$0.rawValue] ?? 0)
                }
                    + [.init(key: "running", label: "Nog lopend", count: tally.outcome["running"] ?? 0)]))
        // A new id: rules 1 counted a case once per target under "referral", and last year's
        // column or a re-sign must not pair the two meanings.
        tables.append(
            RawTable(
                id: "referral_per_case", title: "Doorverwezen naar",
                rows: ReferralTarget.allCases.map {
                    .init(key: $0.rawValue, label: $0.label, count: tally.referral[$0.rawValue] ?? 0)
                }
                    + [
                        .init(key: "several", label: "Naar meer dan één", count: tally.referral["several"] ?? 0),
                        .init(key: "none", label: "Niet doorverwezen", count: tally.referral["none"] ?? 0)
                    ]))

        // Periods finer than the year only when every period holds at least k.
        let quarterStarts = (0..<4).map { start.adding(months: 3 * $0) }
        var quarterCounts = [0, 0, 0, 0]
        for (day, n) in tally.openedOn {
            let q = (0..<4).last { quarterStarts[$0] <= day } ?? 0
            quarterCounts[q] += n
        }
        let quarterShown = quarterCounts.allSatisfy { $0 >= k }
        if quarterShown {
            tables.append(
                RawTable(
                    id: "quarter", title: "Contacten per kwartaal van het contractjaar",
                    rows: (0..<4).map { q in
                        let to = q == 3 ? end : quarterStarts[q].adding(months: 3).adding(days: -1)
                        return .init(
                            key: "q\(q + 1)", label: "Kwartaal \(q + 1) (\(quarterStarts[q].dutch) – \(to.dutch))",
                            count: quarterCounts[q])
                    }))
        }
        return (tables, quarterShown)
    }
}

extension PublishedStatistics {
    /// The subjects (categories) this report shows on their own, with a count of at least k.
    public var shownCategories: Set<CaseCategory> {
        Set(
            tables.filter { $0.id.hasPrefix("subject_") }.flatMap { table in
                table.cells.filter { $0.status == "published" && $0.count != nil }.compactMap {
                    CaseCategory(rawValue: $0.key)
                }
            })
    }

    /// An advice's subject as the annual report lists it. An advice that came from a signal, or
    /// whose subject names a theme, tells the reader that theme came up (a signal is at least a
    /// few cases): where the tables hide that theme, the list does not name it either.
    public func adviceSubject(_ subject: String, category: CaseCategory?) -> String {
        let shown = shownCategories
        let hidden = CaseCategory.allCases.filter { $0 != .other && !shown.contains($0) }
        let lower = subject.lowercased()
        let names = hidden.contains { c in
            c.label.lowercased().replacingOccurrences(of: " en ", with: ",").split(whereSeparator: { ",/".contains($0) }
            )
            .map { $0.trimmingCharacters(in: .whitespaces) }.contains { $0.count >= 4 && lower.contains($0) }
        }
        if let category, category != .other, !shown.contains(category) || names { return Self.unnamedAdvice }
        return names ? Self.unnamedAdvice : subject
    }

    public static let unnamedAdvice = "Advies over een onderwerp dat dit verslag niet apart toont"
}
