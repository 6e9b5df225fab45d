import Foundation

/// Time registered on cases and other work, counted in quarter hours against a contract year's
/// budget (*tegoed aan uren*).
public enum Hours {
    public static let unitMinutes = 15

    /// Parses what a counsellor types: `1,5`, `1.25`, `0:45`, `2`. Returns minutes, or nil when it
    /// is not a positive whole number of quarter hours (at most 24 hours in one entry).
    public static func parseMinutes(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        var minutes: Int?
        if let colon = t.firstIndex(of: ":") {
            if let h = Int(t[..<colon]), let m = Int(t[t.index(after: colon)...]), h >= 0, (0..<60).contains(m) {
                minutes = h * 60 + m
            }
        } else if let value = Double(t.replacingOccurrences(of: ",", with: ".")), value.isFinite {
            let m = value * 60
            if m == m.rounded() { minutes = Int(m) }
        }
        guard let minutes, minutes > 0, minutes <= 24 * 60, minutes % unitMinutes == 0 else { return nil }
        return minutes
    }

    /// `1,25` — hours as a form takes them back (`parseMinutes`).
    public static func decimal(minutes: Int) -> String {
        String(format(minutes: minutes).dropLast(2))
    }

    /// `1,25 u` — hours with a Dutch decimal comma.
    public static func format(minutes: Int) -> String {
        let whole = minutes / 60
        let rest = minutes % 60
        if rest == 0 { return "\(whole) u" }
        let fraction = String(Double(rest) / 60).dropFirst(2)  // ".25" -> "25"
        return "\(whole),\(fraction) u"
    }
}

/// How a contract year's budget stands.
public struct BudgetStatus: Sendable, Equatable {
    public enum Level: String, Sendable { case ok, warning, exhausted }

    public let usedMinutes: Int
    public let budgetMinutes: Int

    public init(usedMinutes: Int, budgetMinutes: Int) {
        self.usedMinutes = usedMinutes
        self.budgetMinutes = budgetMinutes
    }

    /// The status after `minutes` more, when they take a budget that held past it; nil otherwise
    /// (they fit, or it was past already).
    public func crossing(adding minutes: Int) -> BudgetStatus? {
        let after = BudgetStatus(usedMinutes: usedMinutes + minutes, budgetMinutes: budgetMinutes)
        return usedMinutes <= budgetMinutes && after.usedMinutes > budgetMinutes ? after : nil
    }

    /// Percentage used, rounded down (a budget of zero counts as used up at once).
    public var percentUsed: Int {
        budgetMinutes > 0 ? usedMinutes * 100 / budgetMinutes : (usedMinutes > 0 ? 100 : 0)
    }

    /// Warnings at 80% and at 100%.
    public var level: Level {
        if budgetMinutes == 0 { return usedMinutes > 0 ? .exhausted : .ok }
        if usedMinutes >= budgetMinutes { return .exhausted }
        return usedMinutes * 5 >= budgetMinutes * 4 ? .warning : .ok
    }
}
