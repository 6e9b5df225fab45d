/// Statistical disclosure control for everything a client organisation sees: the annual report
/// (*jaarverslag*), the practice-wide overview and the figures in an advice letter.
///
/// The guarantee, for a threshold k (default 5, never below 3):
/// 1. No published count lies between 1 and k−1.
/// 2. In every table the hidden cells are either none, or at least two non-empty cells whose sum
///    is at least k — so no hidden cell can be recovered from the table's total and the other
///    cells, and the hidden cells together cannot be known to be small (complementary suppression).
/// 3. Small cells are first merged into a coarser cell ("overig" within their group) so that as
///    much as possible stays readable; only what cannot be merged is suppressed.
///
/// A table has one dimension (never category × department). Tables are protected one by one;
/// see docs/ANONYMITY.md for how the tables of one report relate.
public enum Disclosure {
    /// The practice default.
    public static let defaultThreshold = 5
    /// No practice may set k lower than this.
    public static let minimumThreshold = 3

    /// A threshold the practice configured, raised to the minimum.
    public static func threshold(_ configured: Int?) -> Int {
        max(configured ?? defaultThreshold, minimumThreshold)
    }

    /// Whether a count may be published as it is.
    public static func isPublishable(_ count: Int, k: Int) -> Bool { count == 0 || count >= k }

    /// Protects one table of true counts.
    ///
    /// `rows` keep their order; a row with a `group` can be merged into that group's "overig"
    /// cell, which is placed after the group's last row.
    public static func protect(_ table: RawTable, k: Int) -> ProtectedTable {
        precondition(k >= minimumThreshold, "k below the minimum")
        var cells = table.rows.map {
            ProtectedCell(key: $0.key, label: $0.label, group: $0.group, trueCount: $0.count, count: $0.count, status: .published)
        }

        // 1. Within each group: merge small cells into the group's "overig" cell; when that cell
        //    is still small, merge the group's next smallest cell into it, until it reaches k or
        //    the whole group is in it.
        var groups: [String] = []
        for row in table.rows { if let g = row.group, !groups.contains(g) { groups.append(g) } }
        for group in groups {
            let members = cells.indices.filter { cells[$0].group == group }
            let small = members.filter { !isPublishable(cells[$0].trueCount, k: k) }
            guard !small.isEmpty else { continue }
            var merged = Set(small)
            var sum = small.reduce(0) { $0 + cells[$1].trueCount }
            while sum < k, let next = members.filter({ !merged.contains($0) && cells[$0].trueCount > 0 })
                .min(by: { (cells[$0].trueCount, $0) < (cells[$1].trueCount, $1) }) {
                merged.insert(next)
                sum += cells[next].trueCount
            }
            // A group of one small cell with nothing to merge with stays a single cell for step 2.
            if merged.count == 1 { continue }
            let overigKey = "\(group).other"
            // Empty cells of the group go into "overig" too, so a reader cannot tell which
            // cells were small and which were empty.
            for i in members where merged.contains(i) || cells[i].trueCount == 0 {
                cells[i].count = nil
                cells[i].status = .merged(into: overigKey)
            }
            let label = table.groupLabels[group].map { "Overig (\($0))" } ?? "Overig"
            let overig = ProtectedCell(key: overigKey, label: label, group: group, trueCount: sum, count: sum,
                                       status: .published, isMergedCell: true)
            cells.insert(overig, at: members.last! + 1)
        }

        // 2. Suppress what is still small; then hide the smallest published cells as well until
        //    the hidden cells are at least two non-empty ones summing to at least k.
        for i in cells.indices where cells[i].isCandidate && !isPublishable(cells[i].trueCount, k: k) {
            cells[i].count = nil
            cells[i].status = .suppressed
        }
        // A row that counts the cases in none of the others ("Niet doorverwezen") tells the
        // reader, with the total, how many are in any of them: that number must be publishable too.
        if let complement = table.complement, let i = cells.firstIndex(where: { $0.key == complement.key }),
           cells[i].count != nil, !isPublishable(complement.population - cells[i].trueCount, k: k) {
            cells[i].count = nil
            cells[i].status = .complementary
        }
        while true {
            let hidden = cells.indices.filter { cells[$0].isHiddenCandidate && cells[$0].trueCount > 0 }
            let hiddenSum = hidden.reduce(0) { $0 + cells[$1].trueCount }
            if hidden.isEmpty || (hidden.count >= 2 && hiddenSum >= k) { break }
            guard let next = cells.indices.filter({ cells[$0].isCandidate && cells[$0].count != nil && cells[$0].trueCount > 0 })
                .min(by: { (cells[$0].trueCount, $0) < (cells[$1].trueCount, $1) }) else { break }
            cells[next].count = nil
            cells[next].status = .complementary
        }
        // Where anything is hidden, empty cells are hidden too: a reader must not learn which
        // hidden cells hold at least one person.
        if cells.contains(where: { $0.isHiddenCandidate }) {
            for i in cells.indices where cells[i].isCandidate && cells[i].trueCount == 0 {
                cells[i].count = nil
                cells[i].status = .suppressed
            }
        }
        return ProtectedTable(id: table.id, title: table.title, multiValued: table.multiValued, cells: cells)
    }

    /// Figures about people in a text the counsellor wrote for management ("3 meldingen",
    /// "twee collega's") that lie between 1 and k−1: the text must not go out with them.
    public static func smallFigures(in text: String, k: Int) -> [String] {
        let words = ["één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9, "tien": 10,
                     "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14, "vijftien": 15]
        let nouns = ["melding", "meldingen", "melder", "melders", "medewerker", "medewerkers", "collega", "collega's", "mensen",
                     "personen", "persoon", "klacht", "klachten", "gesprek", "gesprekken", "contact", "contacten", "zaak", "zaken",
                     "werknemer", "werknemers", "slachtoffer", "slachtoffers", "vrouwen", "mannen", "reports", "people", "employees"]
        let tokens = text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "'") }).map(String.init)
        var found: [String] = []
        for (i, token) in tokens.enumerated() where i + 1 < tokens.count {
            guard let n = Int(token) ?? words[token], n > 0, n < k else { continue }
            // "3 meldingen", and one adjective in between: "3 nieuwe meldingen".
            let next = tokens[(i + 1)...].prefix(2)
            if let noun = next.first(where: { nouns.contains($0) }) { found.append("\(token) \(noun)") }
        }
        return found
    }

    /// A figure about people in a sentence (an advice letter, a signal shown to management):
    /// the number itself when it may be published, otherwise "fewer than k" in words.
    public static func phrase(_ count: Int, k: Int, noun: (singular: String, plural: String)) -> String {
        if count == 0 { return "geen \(noun.plural)" }
        if count >= k { return "\(count) \(noun.plural)" }
        return "minder dan \(k) \(noun.plural)"
    }
}

/// One dimension of true counts, before protection.
public struct RawTable: Sendable {
    public struct Row: Sendable {
        public let key: String
        public let label: String
        public let group: String?
        public let count: Int

        public init(key: String, label: String, group: String? = nil, count: Int) {
            self.key = key
            self.label = label
            self.group = group
            self.count = count
        }
    }

    public let id: String
    public let title: String
    /// A case can count in several cells (categories, referrals): the cells do not add up to
    /// the number of cases, and the table publishes no total.
    public let multiValued: Bool
    public let rows: [Row]
    public let groupLabels: [String: String]
    /// In a multi-valued table, the row that counts the cases in none of the other rows, and the
    /// number of cases: `population − that row` is the number in any of them, which a reader can
    /// work out, so it is protected like a cell.
    public let complement: (key: String, population: Int)?

    public init(id: String, title: String, multiValued: Bool = false, rows: [Row], groupLabels: [String: String] = [:],
                complement: (key: String, population: Int)? = nil) {
        self.id = id
        self.title = title
        self.multiValued = multiValued
        self.rows = rows
        self.groupLabels = groupLabels
        self.complement = complement
    }
}

/// Why a cell shows what it shows.
public enum CellStatus: Sendable, Equatable, Codable {
    case published
    /// Counted in the group's "overig" cell.
    case merged(into: String)
    /// Between 1 and k−1 and nothing left to merge with.
    case suppressed
    /// Hidden so that a suppressed cell cannot be worked out from the others.
    case complementary

    public var code: String {
        switch self {
        case .published: "published"
        case .merged: "merged"
        case .suppressed: "suppressed"
        case .complementary: "complementary"
        }
    }

    /// In Dutch, for the counsellor's preview.
    public var explanation: String? {
        switch self {
        case .published: nil
        case .merged: "samengevoegd met overig (te klein om apart te tonen)"
        case .suppressed: "verborgen: te klein aantal"
        case .complementary: "verborgen zodat een klein aantal niet terug te rekenen is"
        }
    }
}

public struct ProtectedCell: Sendable, Equatable {
    public let key: String
    public let label: String
    public let group: String?
    /// The true count: for the counsellor's preview only, never in an output.
    public let trueCount: Int
    /// What is published: nil when hidden.
    public var count: Int?
    public var status: CellStatus
    /// An "overig" cell made by merging.
    public var isMergedCell = false

    /// A cell that takes part in suppression (not one already merged away).
    var isCandidate: Bool {
        if case .merged = status { return false }
        return true
    }

    var isHiddenCandidate: Bool { isCandidate && count == nil }
}

public struct ProtectedTable: Sendable, Equatable {
    public let id: String
    public let title: String
    public let multiValued: Bool
    public let cells: [ProtectedCell]

    /// The cells an output shows: merged-away cells are left out (they are inside "overig").
    public var shownCells: [ProtectedCell] {
        cells.filter { if case .merged = $0.status { return false } else { return true } }
    }

    public var hiddenCount: Int { cells.filter { $0.count == nil }.count }
}
