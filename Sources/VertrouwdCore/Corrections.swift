import Foundation

/// Corrections (*correcties*): hours, activities, contacts, phases, contract years and the text
/// of an advice can be changed or removed after the fact — with a reason, in the audit log —
/// unless something that has left the practice already depends on them: an annual report that
/// was signed off (*vastgesteld*) counts the hours, activities, advice and budget of its year,
/// and an advice that was sent is the letter management has.
public enum Corrections {
    /// At most this many characters of explanation (*toelichting*) for a row of an
    /// organisation; it goes into the audit log as typed. A row of a case has none: the audit
    /// log is read by the admin, who never reads case contents, and it outlives the case.
    public static let noteLimit = 200

    /// Why a row is corrected: a fixed list, so the audit log never holds a case's words.
    public enum Reason: String, Labelled {
        case typo, duplicate, wrongDate = "wrong_date", wrongPlace = "wrong_place", agreed, other

        public var label: String {
            switch self {
            case .typo: "Tikfout"
            case .duplicate: "Dubbel vastgelegd"
            case .wrongDate: "Verkeerde datum"
            case .wrongPlace: "Hoort bij een andere melding of organisatie"
            case .agreed: "Anders afgesproken (bijvoorbeeld extra uren)"
            case .other: "Andere reden"
            }
        }
    }

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
            """
                Dit advies is op \($0.dutch) verstuurd: de directie heeft deze tekst. Wijzig het niet achteraf; leg \
                een nieuw advies vast als er iets bij moet.
                """
        }
    }

    static func frozen(_ year: SignedOffYear) -> String {
        "Het jaarverslag over \(year.start.dutch) – \(year.end.dutch) is vastgesteld op \(year.signedOn.dutch). "
            + """
                Wat op een dag in dat jaar valt, telt erin mee: het kan niet meer worden gewijzigd, verwijderd of \
                erin worden gezet.
                """
            + " Leg een verschil vast in het lopende jaar."
    }
}
