import Foundation

/// The languages of the public channel: Dutch first, English too.
public enum Language: String, Sendable, CaseIterable {
    case nl, en

    /// The reporter's language from an `Accept-Language` header: English only when the browser
    /// prefers it over Dutch; Dutch otherwise.
    public static func negotiate(acceptLanguage header: String?) -> Language {
        guard let header, !header.isEmpty else { return .nl }
        var best: (Language, Double)?
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased() else { continue }
            var q = 1.0
            for p in pieces.dropFirst() where p.hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 0 }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            guard let language = Language(rawValue: primary), q > 0 else { continue }
            if best == nil || q > best!.1 { best = (language, q) }
        }
        return best?.0 ?? .nl
    }
}

/// What a reporter can say a report is about, in plain words, mapped onto the practice's
/// categories. Optional: "I don't know" is a fine answer.
public enum PublicTopic: String, Sendable, CaseIterable {
    case bullying, sexual, discrimination, aggression, wrongdoing, information, other

    public var category: CaseCategory {
        switch self {
        case .bullying: .bullying
        case .sexual: .sexualHarassment
        case .discrimination: .discrimination
        case .aggression: .aggression
        case .wrongdoing: .fraud
        case .information: .informationLeak
        case .other: .other
        }
    }

    /// Whether a report on this topic can be one of suspected wrongdoing under the Wet bescherming
    /// klokkenluiders. Bullying, harassment, discrimination and aggression are *ongewenst gedrag*:
    /// a confidential conversation or a complaint, not a WBK report.
    public var mayBeWhistleblowing: Bool {
        switch self {
        case .wrongdoing, .information, .other: true
        case .bullying, .sexual, .discrimination, .aggression: false
        }
    }

    /// The kind of case it starts as; the counsellor can change it.
    public var kind: CaseKind {
        switch self {
        case .other: .unclassified
        default: category.usualKind
        }
    }

    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.bullying, .nl): "Pesten, buitensluiten of intimidatie"
        case (.bullying, .en): "Bullying, being left out or intimidation"
        case (.sexual, .nl): "Seksuele intimidatie of ongewenste aanrakingen"
        case (.sexual, .en): "Sexual harassment or unwanted touching"
        case (.discrimination, .nl): "Discriminatie"
        case (.discrimination, .en): "Discrimination"
        case (.aggression, .nl): "Agressie, geweld of bedreiging"
        case (.aggression, .en): "Aggression, violence or threats"
        case (.wrongdoing, .nl): "Fraude, diefstal, corruptie of een andere misstand"
        case (.wrongdoing, .en): "Fraud, theft, corruption or other wrongdoing"
        case (.information, .nl): "Misbruik van informatie of bedrijfsmiddelen"
        case (.information, .en): "Misuse of information or company property"
        case (.other, .nl): "Iets anders, of ik weet het niet"
        case (.other, .en): "Something else, or I don't know"
        }
    }
}

/// Slows down guessing of receipt codes without knowing anyone's address: each mailbox counts
/// wrong secrets for its locator and makes the next attempt wait, doubling, up to an hour.
public enum MailboxThrottle {
    /// Messages a reporter may send from one mailbox in 24 hours: enough for any conversation,
    /// and a script filling the counsellor's inbox stops there.
    public static let messagesPerDay = 20

    public static func wait(afterFailures failures: Int) -> TimeInterval? {
        LoginThrottle.lock(afterFailures: failures)
    }
}
