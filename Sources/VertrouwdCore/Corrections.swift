import Foundation

/// Corrections (*correcties*): hours, activities, contacts, phases, contract years and the text
/// of an advice can be changed or removed after the fact — with a reason, in the audit log —
/// unless something that has left the practice already depends on them: an annual report that
/// was signed off (*vastgesteld*) counts the hours, activities, advice and budget of its year,
/// and an advice that was sent is the letter management has.
public enum Corrections {
    /// At most this many characters of reason; it goes into the audit log as typed.
    public static let reasonLimit = 200

    /// A contract year whose annual report has been signed off.
    public struct SignedOffYear: Sendable, Equatable {
        public let start: Day
        public let end: Day
        public let signedOn: Day

        public init(start: Day, end: Day, signedOn: Day) {
            self.start = start
            self.end = end
            self.signedOn = signedOn
        }

        public func contains(_ day: Day) -> Bool { start <= day && day <= end }
        public func overlaps(from: Day, to: Day) -> Bool { start <= to && from <= end }
    }

    /// Why a correction of something dated on `days` (the day it has, and the day it would get)
    /// may not be made, or nil when it may.
    public static func refusal(touching days: [Day], signedOff: [SignedOffYear]) -> String? {
        for day in days {
            if let year = signedOff.first(where: { $0.contains(day) }) { return frozen(year) }
        }
        return nil
    }

    /// Why a contract year from `start` to `end` (as it is, or as it would become) may not be
    /// changed or removed, or nil.
    public static func refusal(period: [(start: Day, end: Day)], signedOff: [SignedOffYear]) -> String? {
        for (start, end) in period {
            if let year = signedOff.first(where: { $0.overlaps(from: start, to: end) }) { return frozen(year) }
        }
        return nil
    }

    /// Why an advice sent on `sentOn` may not be rewritten, or nil.
    public static func refusal(adviceSentOn sentOn: Day?) -> String? {
        sentOn.map {
            "Dit advies is op \($0.dutch) verstuurd: de directie heeft deze tekst. Wijzig het niet achteraf; leg een nieuw advies vast als er iets bij moet."
        }
    }

    static func frozen(_ year: SignedOffYear) -> String {
        "Het jaarverslag over \(year.start.dutch) – \(year.end.dutch) is vastgesteld op \(year.signedOn.dutch) en telt dit mee. "
            + "Daarom kan het niet meer worden gewijzigd of verwijderd: leg een verschil vast in het lopende jaar, met een toelichting."
    }
}
