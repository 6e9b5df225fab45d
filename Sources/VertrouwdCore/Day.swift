import Foundation

/// A calendar day (`2026-11-23`), without time or time zone.
///
/// Counsellors think in days: an intake date, a WBK deadline, an aftercare date. Storing days as
/// ISO strings keeps them identical on SQLite and PostgreSQL and free of time-zone drift.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        var parts = DateComponents()
        parts.year = year; parts.month = month; parts.day = day
        guard (1900...2999).contains(year), let date = Day.calendar.date(from: parts) else { return nil }
        let back = Day.calendar.dateComponents([.year, .month, .day], from: date)
        // Reject 2026-02-30 instead of silently rolling over to March.
        guard back.year == year, back.month == month, back.day == day else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// Parses `yyyy-MM-dd` exactly; anything else is nil.
    public init?(iso: String) {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The day a moment falls on in the practice's time zone (Europe/Amsterdam).
    public init(_ date: Date, timeZone: TimeZone = Day.practiceTimeZone) {
        var cal = Day.calendar
        cal.timeZone = timeZone
        let c = cal.dateComponents([.year, .month, .day], from: date)
        self.year = c.year!; self.month = c.month!; self.day = c.day!
    }

    public static let practiceTimeZone = TimeZone(identifier: "Europe/Amsterdam") ?? .gmt

    static let calendar: Calendar = {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = .gmt
        return cal
    }()

    public var date: Date {
        Day.calendar.date(from: DateComponents(year: year, month: month, day: day))!
    }

    public var iso: String { String(format: "%04d-%02d-%02d", year, month, day) }
    public var description: String { iso }

    /// `23-11-2026`, the way Dutch users write a date.
    public var dutch: String { String(format: "%02d-%02d-%04d", day, month, year) }

    public func adding(days: Int) -> Day {
        Day(Day.calendar.date(byAdding: .day, value: days, to: date)!, timeZone: .gmt)
    }

    /// Adds calendar months; the 31st clamps to the end of a shorter month.
    public func adding(months: Int) -> Day {
        Day(Day.calendar.date(byAdding: .month, value: months, to: date)!, timeZone: .gmt)
    }

    public func days(until other: Day) -> Int {
        Day.calendar.dateComponents([.day], from: date, to: other.date).day!
    }

    public static func < (a: Day, b: Day) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

/// Coded as its ISO text (`2026-11-23`), the way days are stored on both databases; anything
/// else is a decoding error, never a crash.
extension Day: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let day = Day(iso: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Not a day: \(text.prefix(40))")
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}
