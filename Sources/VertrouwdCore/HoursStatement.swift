import Foundation

/// The hours for invoicing (*urenoverzicht*): per organisation, contract year and kind of work,
/// with the contract year's hourly rate where one was agreed. Case work is one line per contract
/// year, never per case: the statement names no case and no day.
public struct HoursStatement: Sendable, Equatable {
    /// What the work was: case work (*casuïstiek*), or an activity of one kind.
    public enum Work: Hashable, Comparable, Sendable {
        case cases
        case activity(ActivityKind)

        public var label: String {
            switch self {
            case .cases: "Casuïstiek (gesprekken en meldingen)"
            case .activity(let kind): kind.label
            }
        }

        /// Case work first, then the activities in the order the forms list them.
        private var order: Int {
            switch self {
            case .cases: -1
            case .activity(let kind): ActivityKind.allCases.firstIndex(of: kind) ?? 0
            }
        }

        public static func < (a: Work, b: Work) -> Bool { a.order < b.order }
    }

    /// The contract year work fell in, and its rate in euro cents per hour (nil: none agreed).
    public struct Contract: Hashable, Sendable {
        public let start: Day
        public let end: Day
        public let rateCents: Int?

        public init(start: Day, end: Day, rateCents: Int?) {
            self.start = start
            self.end = end
            self.rateCents = rateCents
        }
    }

    /// Minutes of one kind of work, as the database sums them.
    public struct Entry: Sendable {
        public let organisation: String
        public let slug: String
        /// Nil: the work fell outside every contract year of the organisation.
        public let contract: Contract?
        public let work: Work
        public let minutes: Int

        public init(organisation: String, slug: String, contract: Contract?, work: Work, minutes: Int) {
            self.organisation = organisation
            self.slug = slug
            self.contract = contract
            self.work = work
            self.minutes = minutes
        }
    }

    public struct Line: Sendable, Equatable {
        public let organisation: String
        public let slug: String
        public let contract: Contract?
        public let work: Work
        public let minutes: Int
        /// Minutes × rate, rounded to the cent (half a cent up); nil without a rate.
        public var amountCents: Int? {
            contract?.rateCents.map { (minutes * $0 * 2 + 60) / 120 }
        }
    }

    public let from: Day
    public let to: Day
    public let lines: [Line]

    /// Adds up entries of the same organisation, contract year and work, and sorts by
    /// organisation name, contract year and work.
    public init(from: Day, to: Day, entries: [Entry]) {
        self.from = from
        self.to = to
        var sums: [String: Line] = [:]
        for e in entries where e.minutes != 0 {
            let key = "\(e.slug)|\(e.contract.map { "\($0.start)" } ?? "-")|\(e.work)"
            let minutes = (sums[key]?.minutes ?? 0) + e.minutes
            sums[key] = Line(
                organisation: e.organisation, slug: e.slug, contract: e.contract, work: e.work, minutes: minutes)
        }
        lines = sums.values.sorted {
            let a = ($0.organisation.lowercased(), $0.slug), b = ($1.organisation.lowercased(), $1.slug)
            if a != b { return a < b }
            let (x, y) = ($0.contract?.start, $1.contract?.start)
            if x != y { return (x.map { "\($0)" } ?? "") < (y.map { "\($0)" } ?? "") }
            return $0.work < $1.work
        }
    }

    /// One organisation's lines added up: what goes on its invoice.
    public struct Subtotal: Sendable, Equatable {
        public let organisation: String
        public let slug: String
        public let minutes: Int
        public let amountCents: Int
        /// Minutes on lines without a rate (not in the amount).
        public let unratedMinutes: Int
    }

    /// Per organisation, in the order of the lines.
    public var subtotals: [Subtotal] {
        var order: [String] = [], sums: [String: Subtotal] = [:]
        for line in lines {
            let before = sums[line.slug]
            if before == nil { order.append(line.slug) }
            sums[line.slug] = Subtotal(
                organisation: line.organisation, slug: line.slug, minutes: (before?.minutes ?? 0) + line.minutes,
                amountCents: (before?.amountCents ?? 0) + (line.amountCents ?? 0),
                unratedMinutes: (before?.unratedMinutes ?? 0) + (line.amountCents == nil ? line.minutes : 0))
        }
        return order.compactMap { sums[$0] }
    }

    public var totalMinutes: Int { lines.reduce(0) { $0 + $1.minutes } }
    /// The sum of the lines that have an amount.
    public var totalAmountCents: Int { lines.compactMap(\.amountCents).reduce(0, +) }

    /// "01-01-2026 t/m 31-12-2026", or "buiten een contractjaar".
    public static func period(_ contract: Contract?) -> String {
        contract.map { "\($0.start.dutch) t/m \($0.end.dutch)" } ?? "buiten een contractjaar"
    }

    /// A CSV file that Excel in Dutch opens as columns with numbers: semicolons, decimal commas,
    /// UTF-8 with a byte-order mark, CRLF. The last line holds the totals.
    public func csv() -> String {
        var rows: [[String]] = [
            ["Organisatie", "Code", "Contractjaar", "Soort werk", "Uren", "Tarief per uur", "Bedrag"]
        ]
        for line in lines {
            rows.append([
                line.organisation, line.slug, Self.period(line.contract), line.work.label,
                Hours.decimal(minutes: line.minutes), line.contract?.rateCents.map(Money.decimal(cents:)) ?? "",
                line.amountCents.map(Money.decimal(cents:)) ?? ""
            ])
        }
        rows.append([
            "Totaal", "", "\(from.dutch) t/m \(to.dutch)", "", Hours.decimal(minutes: totalMinutes), "",
            Money.decimal(cents: totalAmountCents)
        ])
        return SpreadsheetCSV.dutch(rows)
    }
}

/// Amounts in euros, as the practice types and reads them.
public enum Money {
    /// `95`, `95,50`, `€ 95,00`, `95.5` -> cents; nil for anything else, a negative amount or more
    /// than € 10.000 an hour.
    public static func parseCents(_ text: String) -> Int? {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("€") { t = String(t.dropFirst()).trimmingCharacters(in: .whitespaces) }
        guard !t.isEmpty, t.count <= 12, t.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "," || $0 == ".") })
        else { return nil }
        let parts = t.split(separator: t.contains(",") ? "," : ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let euros = Int(parts[0]), parts[0].allSatisfy(\.isNumber) else { return nil }
        var cents = 0
        if parts.count == 2 {
            guard (1...2).contains(parts[1].count), parts[1].allSatisfy(\.isNumber), let c = Int(parts[1]) else {
                return nil
            }
            cents = parts[1].count == 1 ? c * 10 : c
        }
        let total = euros * 100 + cents
        return total <= 1_000_000 ? total : nil
    }

    /// `95,50`: a number with a decimal comma and two decimals, no thousands separator.
    public static func decimal(cents: Int) -> String {
        let sign = cents < 0 ? "-" : ""
        return "\(sign)\(abs(cents) / 100),\(String(format: "%02d", abs(cents) % 100))"
    }
}

/// CSV that a spreadsheet opens safely: a cell a spreadsheet would run as a formula (it starts
/// with `=`, `+`, `-`, `@`, a tab or a return) gets an apostrophe first.
public enum SpreadsheetCSV {
    public static func field(_ s: String, separator: Character = ",") -> String {
        var v = s
        if let first = v.first, "=+-@\t\r".contains(first) { v = "'" + v }
        if v.contains(where: { $0 == separator || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            v = "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }

    /// As Excel in Dutch writes and reads it: a byte-order mark (else Excel reads UTF-8 as
    /// Windows-1252), semicolons, CRLF.
    public static func dutch(_ rows: [[String]]) -> String {
        "\u{FEFF}" + rows.map { $0.map { field($0, separator: ";") }.joined(separator: ";") }.joined(separator: "\r\n")
            + "\r\n"
    }
}
