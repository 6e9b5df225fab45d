import Foundation

/// A policy document the practice helps an organisation adopt (*beleidsdocument*, seed 000 and
/// PRODUCT §2): made from the practice's template, adapted per organisation, adopted on a date.
public enum PolicyKind: String, Labelled {
    /// *PSA-beleid*: psychosociale arbeidsbelasting, Arbowet art. 3 lid 2.
    case psa
    /// *Klachtenregeling ongewenst gedrag*, with the complaints committee.
    case complaints
    /// *Meldregeling vermoeden van een misstand* (Wet bescherming klokkenluiders; 50+ employees).
    case whistleblower

    public var label: String {
        switch self {
        case .psa: "PSA-beleid"
        case .complaints: "Klachtenregeling ongewenst gedrag"
        case .whistleblower: "Meldregeling vermoeden van een misstand"
        }
    }

    /// The default template's file name in the app's resources.
    public var templateName: String {
        switch self {
        case .psa: "psa-beleid"
        case .complaints: "klachtenregeling"
        case .whistleblower: "meldregeling"
        }
    }

    /// The works council's consent (*instemming OR*, WOR art. 27) is recorded for this one.
    public var needsWorksCouncilConsent: Bool { self == .whistleblower }
}

/// A version of a policy document: a draft until it is adopted (*vastgesteld*).
public enum PolicyStatus: String, Labelled {
    case draft, adopted

    public var label: String {
        switch self {
        case .draft: "Concept"
        case .adopted: "Vastgesteld"
        }
    }
}

/// The placeholders a template may use, filled in with the organisation's facts.
public enum PolicyPlaceholder: String, CaseIterable, Sendable {
    case organisation = "organisatie"
    case counsellors = "vertrouwenspersonen"
    case practice = "praktijk"
    case reach = "bereikbaarheid"
    case address = "meldadres"
    case committee = "klachtencommissie"
    case adoptedOn = "vastgesteld_op"
    case adoptedBy = "vastgesteld_door"
    case worksCouncil = "instemming_or"
}

/// The text of a policy document, poster or mailing in a strict, small subset of Markdown:
/// `# title`, `## heading`, `### subheading`, paragraphs (one line each), `- bullets`,
/// `1. numbered items`, `**bold**`, and `{{placeholders}}`. Small enough to render faithfully as
/// HTML and as an editable Word document, and to check what a practice edits.
public struct PolicyText: Sendable, Equatable {
    public enum Block: Sendable, Equatable {
        case title(String)
        case heading(String, level: Int)
        case paragraph(String)
        case bullet(String)
        case numbered(Int, String)
    }

    public let blocks: [Block]

    public init(_ source: String) {
        var blocks: [Block] = []
        for raw in source.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("### ") {
                blocks.append(.heading(String(line.dropFirst(4)), level: 3))
            } else if line.hasPrefix("## ") {
                blocks.append(.heading(String(line.dropFirst(3)), level: 2))
            } else if line.hasPrefix("# ") {
                blocks.append(.title(String(line.dropFirst(2))))
            } else if line.hasPrefix("- ") {
                blocks.append(.bullet(String(line.dropFirst(2))))
            } else if let dot = line.firstIndex(of: "."), let n = Int(line[..<dot]),
                line[line.index(after: dot)...].hasPrefix(" ")
            {
                blocks.append(.numbered(n, String(line[line.index(dot, offsetBy: 2)...])))
            } else {
                blocks.append(.paragraph(line))
            }
        }
        self.blocks = blocks
    }

    /// The title, if the text starts with one.
    public var title: String? {
        if case .title(let t) = blocks.first { return t }
        return nil
    }

    /// Placeholder names used in a text, in order of first use.
    public static func placeholders(in source: String) -> [String] {
        var names: [String] = []
        var rest = source[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let name = String(rest[open.upperBound..<close.lowerBound])
            if !names.contains(name) { names.append(name) }
            rest = rest[close.upperBound...]
        }
        return names
    }

    /// What is wrong with a template or a document a practice edits, in Dutch; nil when fine.
    public static func problem(in source: String) -> String? {
        let unknown = placeholders(in: source).filter { PolicyPlaceholder(rawValue: $0) == nil }
        if !unknown.isEmpty {
            return "Onbekende invulplek: " + unknown.map { "{{\($0)}}" }.joined(separator: ", ")
                + ". Gebruik alleen " + PolicyPlaceholder.allCases.map { "{{\($0.rawValue)}}" }.joined(separator: ", ")
                + "."
        }
        guard PolicyText(source).title != nil else { return "Begin met een titel: een regel die met '# ' begint." }
        return nil
    }

    /// Replaces the placeholders given; others stay as they are.
    public static func fill(_ source: String, _ values: [PolicyPlaceholder: String]) -> String {
        var out = source
        for (placeholder, value) in values {
            out = out.replacingOccurrences(of: "{{\(placeholder.rawValue)}}", with: value)
        }
        return out
    }

    /// A paragraph's text as runs: (text, bold).
    public static func runs(_ text: String) -> [(text: String, bold: Bool)] {
        text.components(separatedBy: "**").enumerated().compactMap { i, part in
            part.isEmpty ? nil : (part, i % 2 == 1)
        }
    }

    /// Plain text (for a mailing pasted into an e-mail): no markup left.
    public var plain: String {
        blocks.map { block in
            switch block {
            case .title(let t): t.replacingOccurrences(of: "**", with: "")
            case .heading(let t, _): t.replacingOccurrences(of: "**", with: "")
            case .paragraph(let t): t.replacingOccurrences(of: "**", with: "")
            case .bullet(let t): "- " + t.replacingOccurrences(of: "**", with: "")
            case .numbered(let n, let t): "\(n). " + t.replacingOccurrences(of: "**", with: "")
            }
        }.joined(separator: "\n\n")
    }
}

/// Where a reporter may report suspected wrongdoing outside the organisation (Wet bescherming
/// klokkenluiders; EU directive 2019/1937 art. 9(1)(g) asks the internal channel to say so).
public enum ExternalReporting {
    public struct Authority: Sendable, Equatable {
        public let dutch: String
        public let english: String
    }

    public static let authorities: [Authority] = [
        .init(dutch: "Huis voor Klokkenluiders", english: "Dutch Whistleblowers Authority (Huis voor Klokkenluiders)"),
        .init(dutch: "Autoriteit Consument en Markt", english: "Authority for Consumers and Markets (ACM)"),
        .init(dutch: "Autoriteit Financiële Markten", english: "Authority for the Financial Markets (AFM)"),
        .init(dutch: "Autoriteit Persoonsgegevens", english: "Dutch Data Protection Authority (AP)"),
        .init(dutch: "De Nederlandsche Bank", english: "De Nederlandsche Bank (DNB)"),
        .init(dutch: "Inspectie Gezondheidszorg en Jeugd", english: "Health and Youth Care Inspectorate (IGJ)"),
        .init(dutch: "Nederlandse Zorgautoriteit", english: "Dutch Healthcare Authority (NZa)"),
        .init(
            dutch: "Autoriteit Nucleaire Veiligheid en Stralingsbescherming",
            english: "Authority for Nuclear Safety and Radiation Protection (ANVS)")
    ]

    public static func names(_ language: Language) -> [String] {
        authorities.map { language == .en ? $0.english : $0.dutch }
    }
}
