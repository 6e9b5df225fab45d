import Foundation
import VertrouwdCore

/// An annual report (*jaarverslag*) as it leaves the practice: protected statistics plus the
/// practice's own work (activities, hours, advice) and the counsellor's text. Every writer (JSON,
/// CSV, DOCX, the web page and its SVG charts) renders this and nothing else, so the disclosure
/// guarantee holds for all of them at once.
public struct AnnualReportDocument: Codable, Sendable, Equatable {
    public struct Activity: Codable, Sendable, Equatable {
        public let date: String
        public let kind: String
        public let topic: String
        public let hours: String
        public let participants: Int?

        public init(date: String, kind: String, topic: String, hours: String, participants: Int?) {
            self.date = date
            self.kind = kind
            self.topic = topic
            self.hours = hours
            self.participants = participants
        }
    }

    public struct HoursUsed: Codable, Sendable, Equatable {
        public let budget: String
        public let used: String
        public let onActivities: String
        public let percent: Int

        public init(budget: String, used: String, onActivities: String, percent: Int) {
            self.budget = budget
            self.used = used
            self.onActivities = onActivities
            self.percent = percent
        }
    }

    public struct Advice: Codable, Sendable, Equatable {
        public let date: String
        public let subject: String
        public let solicited: Bool

        public init(date: String, subject: String, solicited: Bool) {
            self.date = date
            self.subject = subject
            self.solicited = solicited
        }
    }

    public struct Section: Codable, Sendable, Equatable {
        public let title: String
        public let text: String

        public init(title: String, text: String) {
            self.title = title
            self.text = text
        }
    }

    public let organisation: String
    public let periodStart: String
    public let periodEnd: String
    /// `draft` until the counsellor signs it off, then `signed_off`.
    public var status: String
    public var signedOffOn: String?
    /// The threshold in force: no published count lies between 1 and k−1.
    public let k: Int
    /// Which version of the rules in docs/ANONYMITY.md made it, so a reader (and the audit) knows
    /// what a hidden cell and "minder dan k" can mean: 1 printed empty cells and a year with
    /// nobody as 0; 2 (since issue 23) hides them like small ones. Snapshots without it are 1.
    public let disclosureRules: Int
    /// Number of contacts in the year, or null when fewer than k.
    public let total: Int?
    public let fewerThanK: Bool
    public let previousTotal: Int?
    public let tables: [PublishedStatistics.Table]
    public let notes: [String]
    public let activities: [Activity]
    public let hours: HoursUsed
    public let advice: [Advice]
    public let sections: [Section]

    public init(
        organisation: String, periodStart: Day, periodEnd: Day, status: String, signedOffOn: String?,
        statistics: PublishedStatistics, activities: [Activity], hours: HoursUsed, advice: [Advice], sections: [Section]
    ) {
        self.organisation = organisation
        self.periodStart = periodStart.iso
        self.periodEnd = periodEnd.iso
        self.status = status
        self.signedOffOn = signedOffOn
        self.k = statistics.k
        self.disclosureRules = PublishedStatistics.rules
        self.total = statistics.total
        self.fewerThanK = statistics.fewerThanK
        self.previousTotal = statistics.previousTotal
        self.tables = statistics.tables
        self.notes = statistics.notes
        self.activities = activities
        self.hours = hours
        self.advice = advice
        self.sections = sections
    }

    enum CodingKeys: String, CodingKey {
        case organisation, periodStart, periodEnd, status, signedOffOn, k, disclosureRules, total, fewerThanK,
            previousTotal, tables,
            notes, activities, hours, advice, sections
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        organisation = try c.decode(String.self, forKey: .organisation)
        periodStart = try c.decode(String.self, forKey: .periodStart)
        periodEnd = try c.decode(String.self, forKey: .periodEnd)
        status = try c.decode(String.self, forKey: .status)
        signedOffOn = try c.decodeIfPresent(String.self, forKey: .signedOffOn)
        k = try c.decode(Int.self, forKey: .k)
        disclosureRules = try c.decodeIfPresent(Int.self, forKey: .disclosureRules) ?? 1
        total = try c.decodeIfPresent(Int.self, forKey: .total)
        fewerThanK = try c.decode(Bool.self, forKey: .fewerThanK)
        previousTotal = try c.decodeIfPresent(Int.self, forKey: .previousTotal)
        tables = try c.decode([PublishedStatistics.Table].self, forKey: .tables)
        notes = try c.decode([String].self, forKey: .notes)
        activities = try c.decode([Activity].self, forKey: .activities)
        hours = try c.decode(HoursUsed.self, forKey: .hours)
        advice = try c.decode([Advice].self, forKey: .advice)
        sections = try c.decode([Section].self, forKey: .sections)
    }

    /// Written out in full: `total` and `previousTotal` are null, not missing, where hidden.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(organisation, forKey: .organisation)
        try c.encode(periodStart, forKey: .periodStart)
        try c.encode(periodEnd, forKey: .periodEnd)
        try c.encode(status, forKey: .status)
        try c.encode(signedOffOn, forKey: .signedOffOn)
        try c.encode(k, forKey: .k)
        try c.encode(disclosureRules, forKey: .disclosureRules)
        try c.encode(total, forKey: .total)
        try c.encode(fewerThanK, forKey: .fewerThanK)
        try c.encode(previousTotal, forKey: .previousTotal)
        try c.encode(tables, forKey: .tables)
        try c.encode(notes, forKey: .notes)
        try c.encode(activities, forKey: .activities)
        try c.encode(hours, forKey: .hours)
        try c.encode(advice, forKey: .advice)
        try c.encode(sections, forKey: .sections)
    }

    public var statistics: PublishedStatistics {
        PublishedStatistics(
            k: k, total: total, fewerThanK: fewerThanK, previousTotal: previousTotal, tables: tables, notes: notes)
    }

    public var period: String {
        "\(Day(iso: periodStart)?.dutch ?? periodStart) – \(Day(iso: periodEnd)?.dutch ?? periodEnd)"
    }

    /// "23" or "minder dan 5".
    public var totalText: String { total.map(String.init) ?? "minder dan \(k)" }
}

/// Text helpers shared by the writers (and the app's `#fold` tag).
public enum Markup {
    /// XML text: escaped, and without the control characters XML 1.0 forbids (HTML too).
    public static func xml(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || (0xFFFE...0xFFFF).contains(v) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func count(_ c: Int?) -> String { c.map(String.init) ?? "–" }
}
