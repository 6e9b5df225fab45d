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
        // Reject 2026-02-30 instead of silently rolling over to March.
        guard (1900...2999).contains(year), (1...12).contains(month),
            (1...Day.daysIn(month: month, of: year)).contains(day)
        else {
            return nil
        }
        self.year = year; self.month = month; self.day = day
    }

    /// Parses `yyyy-MM-dd` exactly (ASCII digits); anything else is nil. Byte by byte: every day
    /// a list reads from the database comes through here.
    public init?(iso: String) {
        var text = iso
        let parts = text.withUTF8 { b -> (Int, Int, Int)? in
            guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var n = 0
                for i in range {
                    guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) else { return nil }
                    n = n * 10 + Int(b[i] - UInt8(ascii: "0"))
                }
                return n
            }
            guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
            return (y, m, d)
        }
        guard let (y, m, d) = parts else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The day a moment falls on in the practice's time zone (Europe/Amsterdam).
    public init(_ date: Date, timeZone: TimeZone = Day.practiceTimeZone) {
        let local = date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))
        self.init(ordinal: Int((local / 86_400).rounded(.down)))
    }

    public static let practiceTimeZone = TimeZone(identifier: "Europe/Amsterdam") ?? .gmt

    /// Midnight UTC of this day.
    public var date: Date { Date(timeIntervalSince1970: Double(ordinal) * 86_400) }

    public var iso: String { Self.digits(year, 4) + "-" + Self.digits(month, 2) + "-" + Self.digits(day, 2) }
    public var description: String { iso }

    /// `23-11-2026`, the way Dutch users write a date.
    public var dutch: String { Self.digits(day, 2) + "-" + Self.digits(month, 2) + "-" + Self.digits(year, 4) }

    public func adding(days: Int) -> Day {
        Day(ordinal: ordinal + days)
    }

    /// Adds calendar months; the 31st clamps to the end of a shorter month.
    public func adding(months: Int) -> Day {
        let total = year * 12 + (month - 1) + months
        let y = total >= 0 ? total / 12 : (total - 11) / 12
        let m = total - y * 12 + 1
        return Day(unchecked: y, m, min(day, Day.daysIn(month: m, of: y)))
    }

    public func days(until other: Day) -> Int {
        other.ordinal - ordinal
    }

    public static func < (a: Day, b: Day) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    // Plain arithmetic on the proleptic Gregorian calendar: pages read thousands of days, and
    // Foundation's Calendar costs tens of microseconds a call on Linux.

    private init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year; self.month = month; self.day = day
    }

    public static func daysIn(month: Int, of year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
    var ordinal: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day `ordinal` days after 1970-01-01 (`civil_from_days`).
    init(ordinal: Int) {
        let z = ordinal + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(unchecked: yearOfEra + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func digits(_ n: Int, _ width: Int) -> String {
        let text = String(n)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
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
