/// A case's human reference, `2026-0042`: the year it was opened and a number within that year.
/// It is what a counsellor says on the phone; URLs use unguessable ids instead.
public struct CaseReference: Hashable, Sendable, CustomStringConvertible {
    public let year: Int
    public let number: Int

    public init(year: Int, number: Int) { self.year = year; self.number = number }

    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, let y = Int(parts[0]), let n = Int(parts[1]), n > 0 else {
            return nil
        }
        self.init(year: y, number: n)
    }

    public var description: String {
        "\(year)-" + String(repeating: "0", count: max(0, 4 - String(number).count)) + String(number)
    }

    /// The next reference in a year, given the highest number used so far.
    public static func next(year: Int, highestUsed: Int?) -> CaseReference {
        CaseReference(year: year, number: (highestUsed ?? 0) + 1)
    }
}
