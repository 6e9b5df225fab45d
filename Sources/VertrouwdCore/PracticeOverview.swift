/// The practice overview (*praktijkoverzicht*): all organisations of one calendar year together.
///
/// It is made from the organisations' signed-off annual reports and from nothing else: every
/// figure is a sum of figures those reports publish. A reader who holds all the reports learns
/// nothing from it they could not add up themselves — so it cannot complete a report's hidden
/// cells or "minder dan k" the way a separately protected overview could ("Overige samen (De
/// Regenboog, Klein Geluk) 12" beside Klein Geluk's 8 pinned De Regenboog at 4). Live counts are
/// not in it: they would change with each new case.
public struct PracticeOverview: Codable, Sendable, Equatable {
    /// One organisation's line: what its report says, or that there is none yet.
    public struct Line: Codable, Sendable, Equatable {
        public let organisation: String
        /// The contract year's first day, when there is one starting in the calendar year.
        public let periodStart: String?
        /// `signed_off`, `draft` (not yet signed off: no figures) or `none` (no contract year).
        public let status: String
        /// The report's published number of contacts (nil: "minder dan k", or no report).
        public let total: Int?
    }

    /// One figure of the overview and the reports it adds up.
    public struct Sum: Codable, Sendable, Equatable {
        /// `#total`, or a table's id.
        public let table: String
        public let key: String
        public let label: String
        public let count: Int
        /// The organisations whose report shows this figure; the others hide it and are not in it.
        public let organisations: [String]
    }

    public let kind: String
    public let year: Int
    public let k: Int
    public let lines: [Line]
    /// The practice's total and per table the sums, in the reports' order.
    public let sums: [Sum]

    /// The statistics the overview page shows: the sums as one report, each cell a sum over the
    /// reports that show it (a cell no report shows stays hidden).
    public let statistics: PublishedStatistics

    /// `reports`: per organisation, the signed-off report of its contract year starting in `year`
    /// (nil statistics when there is a contract year but no signed-off report; nil periodStart when
    /// there is no contract year at all).
    public init(
        year: Int, k: Int, reports: [(organisation: String, periodStart: String?, statistics: PublishedStatistics?)]
    ) {
        self.kind = "overview"
        self.year = year
        self.k = k
        lines = reports.map {
            Line(
                organisation: $0.organisation, periodStart: $0.periodStart,
                status: $0.statistics != nil ? "signed_off" : ($0.periodStart != nil ? "draft" : "none"),
                total: $0.statistics?.total)
        }
        let signed = reports.compactMap { r in r.statistics.map { (r.organisation, $0) } }
        var sums: [Sum] = []
        let counted = signed.filter { $0.1.total != nil }
        if !counted.isEmpty {
            sums.append(
                Sum(
                    table: "#total", key: "#total", label: "Aantal contacten",
                    count: counted.reduce(0) { $0 + $1.1.total! },
                    organisations: counted.map(\.0)))
        }
        var tables: [PublishedStatistics.Table] = []
        var order: [String] = []
        for (_, stats) in signed { for t in stats.tables where !order.contains(t.id) { order.append(t.id) } }
        for id in order {
            let versions = signed.compactMap { s in s.1.tables.first { $0.id == id }.map { (s.0, $0) } }
            guard let first = versions.first?.1 else { continue }
            var keys: [(key: String, label: String)] = []
            for (_, t) in versions {
                for c in t.cells where c.status == "published" && !keys.contains(where: { $0.key == c.key }) {
                    keys.append((c.key, c.label))
                }
            }
            var cells: [PublishedStatistics.Cell] = []
            for (key, label) in keys {
                let showing = versions.compactMap { v in
                    v.1.cells.first { $0.key == key && $0.status == "published" }?.count.map { (v.0, $0) }
                }
                let count = showing.reduce(0) { $0 + $1.1 }
                sums.append(Sum(table: id, key: key, label: label, count: count, organisations: showing.map(\.0)))
                cells.append(
                    .init(key: key, label: label, count: count, status: "published", mergedInto: nil, previous: nil))
            }
            tables.append(.init(id: id, title: first.title, multiValued: first.multiValued, cells: cells))
        }
        self.sums = sums
        let hiddenTotals = signed.count - counted.count
        var notes = [
            """
                Opgeteld uit \(signed.count) vastgestelde jaarverslag\(signed.count == 1 ? "" : "en"). Elk getal \
                telt alleen de verslagen die het tonen: wat een verslag verbergt, blijft hier ook verborgen.
                """
        ]
        if hiddenTotals > 0 {
            notes.append(
                """
                    \(hiddenTotals) verslag\(hiddenTotals == 1 ? "" : "en") met minder dan \(k) contacten \
                    tel\(hiddenTotals == 1 ? "t" : "len") niet mee.
                    """
            )
        }
        let waiting = lines.filter { $0.status == "draft" }.count
        if waiting > 0 {
            notes.append(
                "\(waiting) organisatie\(waiting == 1 ? "" : "s") zonder vastgesteld jaarverslag: nog niet meegeteld.")
        }
        statistics = PublishedStatistics(
            k: k, total: sums.first { $0.table == "#total" }?.count, fewerThanK: false, previousTotal: nil,
            tables: tables, notes: notes)
    }
}
