import Foundation

/// What a reporter sent through the public channel, kept as sent (*wat de melder stuurde*): the
/// story (or a conversation request's wishes) and the answers they gave on the form, in their
/// words and their language. The counsellor's summary and notes are kept apart and may change;
/// this never does, and it is what the reporter's mailbox and their own file show as theirs. The
/// contact details are not in it: they stay with the identity, sealed apart.
public struct ReporterWords: Codable, Sendable, Equatable {
    /// A question of the form and the answer the reporter chose, as shown to them then.
    public struct Answer: Codable, Sendable, Equatable {
        public let question: String
        public let answer: String
        public init(question: String, answer: String) { self.question = question; self.answer = answer }
    }

    public let text: String
    public let answers: [Answer]

    public init(text: String, answers: [Answer] = []) {
        self.text = text
        self.answers = answers
    }

    /// The form in which it is sealed (JSON).
    public var stored: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Reads what `stored` wrote; nil for an empty field (a case made by a counsellor, or one
    /// from before the reporter's words were kept apart).
    public init?(stored: String) {
        guard !stored.isEmpty, let words = try? JSONDecoder().decode(ReporterWords.self, from: Data(stored.utf8)) else {
            return nil
        }
        self = words
    }
}
