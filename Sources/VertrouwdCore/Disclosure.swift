/// Statistical disclosure control for everything a client organisation sees: the annual report
/// (*jaarverslag*), the practice-wide overview and the figures in an advice letter.
///
/// The guarantee, for a threshold k (default 5, never below 3):
/// 1. No published count lies between 1 and k−1, and no published count is 0 either: an empty
///    cell and a small one look the same (hidden), so a table's appearance never tells whether a
///    rare event (one WBK report, one complaint about discrimination) happened.
/// 2. In every table the hidden cells are either none, or at least two cells whose sum is at
///    least k — so no hidden cell can be recovered from the table's total and the other
///    cells, and the hidden cells together cannot be known to be small (complementary suppression).
/// 3. Small cells are first merged into a coarser cell ("overig" within their group) so that as
///    much as possible stays readable; only what cannot be merged is suppressed.
///
/// A table has one dimension (never category × department). Tables are protected one by one;
/// see docs/ANONYMITY.md for how the tables of one report relate.
public enum Disclosure {
    /// The practice default.
    public static let defaultThreshold = 5
    /// No practice may set k lower than this.
    public static let minimumThreshold = 3

    /// A threshold the practice configured, raised to the minimum.
    public static func threshold(_ configured: Int?) -> Int {
        max(configured ?? defaultThreshold, minimumThreshold)
    }

    /// Whether a count may be published as it is: k or more. Zero is not: a printed 0 beside a
    /// hidden cell would tell the reader that the hidden one holds somebody (docs/ANONYMITY.md).
    public static func isPublishable(_ count: Int, k: Int) -> Bool { count >= k }

    /// Protects one table of true counts.
    ///
    /// `rows` keep their order; a row with a `group` can be merged into that group's "overig"
    /// cell, which is placed after the group's last row.
    ///
    /// Where a cell of k or more must join the hidden ones (to reach k, or to keep a lone small
    /// cell from being worked out), it is drawn at random, not taken as the smallest: "the
    /// smallest shown was hidden" would tell a reader who knows the rules that the hidden cells
    /// are smaller than every shown one, and so pin them down. The draw is a secret ranking of
    /// the rows, from `seed`, which the practice derives from its key file per report: the first
    /// candidate in that ranking is taken, so as long as it is a candidate every version of the
    /// report takes it again. `pick(n)` replaces the draw in tests.
    public static func protect(
        _ table: RawTable, k: Int, seed: UInt64 = 0, pick: ((Int) -> Int)? = nil
    ) -> ProtectedTable {
        precondition(k >= minimumThreshold, "k below the minimum")
        func fnv(_ text: String) -> UInt64 {
            text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        }
        func rank(_ key: String) -> UInt64 {
            var random = SeededRandom(state: seed ^ fnv(table.id + "/" + key))
            return random.next()
        }
        var cells = table.rows.map {
            ProtectedCell(
                key: $0.key, label: $0.label, group: $0.group, trueCount: $0.count, count: $0.count, status: .published)
        }
        func draw(_ options: [Int]) -> Int {
            if let pick { return options[min(max(pick(options.count), 0), options.count - 1)] }
            return options.min { rank(cells[$0].key) < rank(cells[$1].key) }!
        }

        // 1. Within each group: merge the cells below k (empty ones included: empty and small
        //    must look alike) into the group's "overig" cell; when that cell is still below k, one
        //    more cell of the group, drawn, joins it (it holds k or more, so one is enough).
        var groups: [String] = []
        for row in table.rows { if let g = row.group, !groups.contains(g) { groups.append(g) } }
        for group in groups {
            let members = cells.indices.filter { cells[$0].group == group }
            let small = members.filter { !isPublishable(cells[$0].trueCount, k: k) }
            guard !small.isEmpty else { continue }
            var merged = Set(small)
            var sum = small.reduce(0) { $0 + cells[$1].trueCount }
            // Every other cell of the group holds k or more: one of them, drawn, is enough.
            let rest = members.filter { !merged.contains($0) }
            if sum < k, !rest.isEmpty {
                let next = draw(rest)
                merged.insert(next)
                sum += cells[next].trueCount
            }
            // A group of one small cell with nothing to merge with stays a single cell for step 2.
            if merged.count == 1 { continue }
            let overigKey = "\(group).other"
            for i in members where merged.contains(i) {
                cells[i].count = nil
                cells[i].status = .merged(into: overigKey)
            }
            let label = table.groupLabels[group].map { "Overig (\($0))" } ?? "Overig"
            let overig = ProtectedCell(
                key: overigKey, label: label, group: group, trueCount: sum, count: sum,
                status: .published, isMergedCell: true)
            cells.insert(overig, at: members.last! + 1)
        }

        // 2. Suppress what is still small; then hide a published cell, drawn, until the hidden
        //    cells are at least two summing to at least k (one is always enough: it holds k).
        for i in cells.indices where cells[i].isCandidate && !isPublishable(cells[i].trueCount, k: k) {
            cells[i].count = nil
            cells[i].status = .suppressed
        }
        // Which cells are empty plays no part: the hidden cells are counted, not the people in
        // them, so a table with an empty cell is treated as one with a small cell.
        while true {
            let hidden = cells.indices.filter { cells[$0].isHiddenCandidate }
            let hiddenSum = hidden.reduce(0) { $0 + cells[$1].trueCount }
            if hidden.isEmpty || (hidden.count >= 2 && hiddenSum >= k) { break }
            let shown = cells.indices.filter { cells[$0].isCandidate && cells[$0].count != nil }
            guard !shown.isEmpty else { break }
            let next = draw(shown)
            cells[next].count = nil
            cells[next].status = .complementary
        }
        return ProtectedTable(id: table.id, title: table.title, multiValued: table.multiValued, cells: cells)
    }

    /// Figures about people in a text the counsellor wrote for management that lie between 1 and
    /// k−1: the text must not go out with them. Dutch and English; what it understands:
    /// - numbers in digits and in words ("3", "drie", "three", "een"/"één" and "one", "tweetal"),
    ///   before a word for people or reports, also inside a compound ("2 integriteitsmeldingen",
    ///   "een WBK-melding", "Eén klokkenluider") and with up to two words between ("3 nieuwe meldingen");
    /// - numbers before a word for a group or a trait ("2 vrouwelijke verpleegkundigen", "afdeling");
    /// - how often ("Drie keer", "4x", "tweemaal", "twice"), unless it is the practice's own rhythm
    ///   ("2x per jaar", "3 keer een workshop");
    /// - "minder dan 5" / "fewer than 5": with 5 ≤ k it says "1 to 4".
    /// Returns each finding as it reads in the text, lower-cased, with the words that made it one.
    public static func smallFigures(in text: String, k: Int) -> [String] {
        let tokens = FigureWords.tokens(text)
        var found: [String] = []
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            // An upper bound at or below k says "1 to 4": "minder dan 5", "hooguit 4", "< 5".
            if let width = FigureWords.upperBound(at: i, in: tokens), i + width < tokens.count,
                let n = FigureWords.number(tokens[i + width]), n > 0, n <= k
            {
                found.append(tokens[i...(i + width)].joined(separator: " "))
                i += width + 1
                continue
            }
            let next = Array(tokens[(i + 1)...].prefix(4))
            // "geen meldingen over fraude", "0 klachten": zero is a figure too (an empty cell is
            // hidden like a small one); "enkele meldingen", "een paar collega's" say "a few".
            if ["geen", "no", "nul", "zero", "0", "enkele", "paar", "handvol", "few", "couple"].contains(token) {
                if let noun = FigureWords.reportNoun(after: next) { found.append("\(token) \(noun)") }
                i += 1
                continue
            }
            guard let n = FigureWords.number(token), n >= 1, n < k else { i += 1; continue }
            // "Het aantal WBK-meldingen was 2", "WBK-meldingen: 2": the word for people before it.
            let before = tokens[max(0, i - 3)..<i]
            if Int(token) != nil, !FigureWords.ownWork.contains(next.first ?? ""),
                !FigureWords.times.contains(next.first ?? ""),
                !FigureWords.timeWords.contains(next.first ?? ""),
                let noun = before.last(where: FigureWords.isReportOrReporter),
                !before.drop(while: { $0 != noun }).dropFirst().contains(where: {
                    FigureWords.stops.contains($0) || Int($0) != nil
                })
            {
                found.append("\(noun) \(token)")
                i += 1
                continue
            }
            if FigureWords.often.contains(token) {
                if !next.prefix(2).contains(where: FigureWords.ownWork.contains) { found.append(token) }
            } else if FigureWords.times.contains(next.first ?? "") || (Int(token) != nil && next.first == "x") {
                if !next.dropFirst().prefix(2).contains(where: FigureWords.ownWork.contains) {
                    found.append("\(token) \(next[0])")
                }
            } else if token == "een" {
                // Mostly an article: only "een (anonieme) melding", "een klokkenluider", "een collega"
                // count, and not "een melding doen".
                if let noun = FigureWords.reportNoun(after: next) { found.append("\(token) \(noun)") }
            } else {
                // The word for people within three words ("drie van de medewerkers" too), unless the
                // practice's own work comes first ("2 workshops voor medewerkers").
                var rest = next[...]
                if rest.count >= 3, ["van", "of"].contains(rest[rest.startIndex]),
                    ["de", "het", "the", "onze", "our", "hun", "their", "die", "those"].contains(
                        rest[rest.startIndex + 1])
                {
                    rest = rest.dropFirst(2)
                }
                for word in rest.prefix(3) {
                    if FigureWords.ownWork.contains(word) || FigureWords.stops.contains(word) { break }
                    if FigureWords.isPersonOrGroup(word) { found.append("\(token) \(word)"); break }
                }
            }
            i += 1
        }
        return found
    }

    /// The figure itself from k up; below k no figure at all, just the plural ("meldingen"): "minder
    /// dan 5" would say "1 to 4", and "geen" beside it would make the two tell apart.
    public static func phrase(_ count: Int, k: Int, noun: (singular: String, plural: String)) -> String {
        count >= k ? "\(count) \(noun.plural)" : noun.plural
    }
}

/// One dimension of true counts, before protection.
public struct RawTable: Sendable {
    public struct Row: Sendable {
        public let key: String
        public let label: String
        public let group: String?
        public let count: Int

        public init(key: String, label: String, group: String? = nil, count: Int) {
            self.key = key
            self.label = label
            self.group = group
            self.count = count
        }
    }

    public let id: String
    public let title: String
    /// A case can count in several cells (categories, referrals): the cells do not add up to
    /// the number of cases, and the table publishes no total.
    public let multiValued: Bool
    public let rows: [Row]
    public let groupLabels: [String: String]

    public init(id: String, title: String, multiValued: Bool = false, rows: [Row], groupLabels: [String: String] = [:])
    {
        self.id = id
        self.title = title
        self.multiValued = multiValued
        self.rows = rows
        self.groupLabels = groupLabels
    }
}

/// Why a cell shows what it shows.
public enum CellStatus: Sendable, Equatable, Codable {
    case published
    /// Counted in the group's "overig" cell.
    case merged(into: String)
    /// Between 1 and k−1 and nothing left to merge with.
    case suppressed
    /// Hidden so that a suppressed cell cannot be worked out from the others.
    case complementary

    public var code: String {
        switch self {
        case .published: "published"
        case .merged: "merged"
        case .suppressed: "suppressed"
        case .complementary: "complementary"
        }
    }

    /// In Dutch, for the counsellor's preview.
    public var explanation: String? {
        switch self {
        case .published: nil
        case .merged: "samengevoegd met overig (te klein om apart te tonen)"
        case .suppressed: "verborgen: te klein aantal"
        case .complementary: "verborgen zodat een klein aantal niet terug te rekenen is"
        }
    }
}

public struct ProtectedCell: Sendable, Equatable {
    public let key: String
    public let label: String
    public let group: String?
    /// The true count: for the counsellor's preview only, never in an output.
    public let trueCount: Int
    /// What is published: nil when hidden.
    public var count: Int?
    public var status: CellStatus
    /// An "overig" cell made by merging.
    public var isMergedCell = false

    /// A cell that takes part in suppression (not one already merged away).
    var isCandidate: Bool {
        if case .merged = status { return false }
        return true
    }

    var isHiddenCandidate: Bool { isCandidate && count == nil }
}

public struct ProtectedTable: Sendable, Equatable {
    public let id: String
    public let title: String
    public let multiValued: Bool
    public let cells: [ProtectedCell]

    /// The cells an output shows: merged-away cells are left out (they are inside "overig").
    public var shownCells: [ProtectedCell] {
        cells.filter { if case .merged = $0.status { return false } else { return true } }
    }

    public var hiddenCount: Int { cells.filter { $0.count == nil }.count }
}

/// The words `Disclosure.smallFigures` reads, Dutch and English.
enum FigureWords {
    static let numbers: [String: Int] = [
        "een": 1, "één": 1, "eén": 1, "one": 1, "single": 1, "eenmaal": 1, "once": 1,
        "twee": 2, "two": 2, "tweetal": 2, "tweemaal": 2, "twice": 2,
        "drie": 3, "three": 3, "drietal": 3, "driemaal": 3, "thrice": 3,
        "vier": 4, "four": 4, "viertal": 4, "viermaal": 4, "vijf": 5, "five": 5, "vijftal": 5, "zes": 6, "six": 6,
        "zeven": 7, "seven": 7, "acht": 8, "eight": 8, "negen": 9, "nine": 9, "tien": 10, "ten": 10,
        "elf": 11, "eleven": 11, "twaalf": 12, "twelve": 12, "dertien": 13, "veertien": 14, "vijftien": 15
    ]
    /// How often, in one word.
    static let often: Set<String> = ["eenmaal", "once", "tweemaal", "twice", "driemaal", "thrice", "viermaal"]
    /// "3 keer", "4x", "three times".
    static let times: Set<String> = ["keer", "maal", "x", "times", "occasions"]
    /// After "2x" or "3 keer": the practice's own work, not people.
    static let ownWork: Set<String> = [
        "per", "workshop", "workshops", "training", "trainingen", "voorlichting", "voorlichtingen",
        "bijeenkomst", "bijeenkomsten", "sessie", "sessies", "uur", "jaar", "maand", "week", "overleg",
        "spreekuur", "spreekuren", "a", "every", "hours", "session", "sessions", "year", "month"
    ]
    /// Where looking for the person word stops: a preposition starts something else.
    static let stops: Set<String> = [
        "voor", "met", "in", "op", "bij", "van", "over", "naar", "binnen", "vanaf", "sinds", "tot", "na",
        "uit", "tussen", "om", "per", "for", "with", "at", "of", "about", "to", "within", "from",
        "since", "until", "after", "between"
    ]
    /// After a number: time, not people ("binnen 2 werkdagen", "3 maanden", "1 januari").
    static let timeWords: Set<String> = [
        "dag", "dagen", "werkdag", "werkdagen", "week", "weken", "maand", "maanden", "jaar", "jaren",
        "uur", "uren", "minuten", "januari", "februari", "maart", "april", "mei", "juni", "juli",
        "augustus", "september", "oktober", "november", "december", "days", "weeks", "months",
        "years", "hours"
    ]
    /// Words that bound a number from above: with it, "5" says "1 to 4".
    static let upperBounds: [[String]] = [
        ["minder", "dan"], ["fewer", "than"], ["less", "than"], ["hooguit"], ["maximaal"], ["hoogstens"],
        ["nog", "geen"], ["onder", "de"], ["under"], ["at", "most"], ["up", "to"], ["<"], ["≤"]
    ]
    /// After "een" or "geen": a report or a reporter, not any noun ("een gesprek met de directie").
    static let reportEndings = [
        "melding", "meldingen", "melder", "melders", "klokkenluider", "klokkenluiders", "medewerker",
        "medewerkers", "medewerkster", "collega", "collega's", "werknemer", "werknemers", "slachtoffer",
        "klacht", "klachten", "whistleblower", "employee", "colleague", "complaint", "complaints", "reports"
    ]
    /// After "een melding": a general statement ("een melding doen"), not one report.
    static let generalVerbs: Set<String> = [
        "doen", "maken", "indienen", "ingediend", "gedaan", "te", "kunnen", "kan", "is", "wordt",
        "mag", "mogen", "moet", "moeten", "krijgt", "krijgen", "heeft", "hebben", "hoeft", "hoeven",
        "worden", "make", "file", "filed", "can"
    ]
    /// Words for people and reports, matched as the end of a (compound) word: "integriteitsmeldingen".
    static let personEndings = [
        "melding", "meldingen", "melder", "melders", "klokkenluider", "klokkenluiders", "medewerker",
        "medewerkers", "medewerkster", "medewerksters", "collega", "collega's", "mensen", "personen", "persoon",
        "klacht", "klachten", "werknemer", "werknemers", "slachtoffer", "slachtoffers", "vrouw", "vrouwen",
        "man", "mannen", "kundige", "kundigen", "leerling", "leerlingen", "docent", "docenten", "leraar",
        "leraren", "stagiair", "stagiairs", "stagiaire", "stagiaires", "vrijwilliger", "vrijwilligers",
        "leidinggevende", "leidinggevenden", "leider", "leiders", "manager", "managers", "leden", "lid",
        "ouder", "ouders", "kind", "kinderen", "student", "studenten", "cliënt", "cliënten", "gesprek",
        "gesprekken", "contact", "contacten", "zaak", "zaken", "signaal", "signalen", "geval", "gevallen",
        "report", "reports", "reporter", "reporters", "whistleblower", "whistleblowers", "employee",
        "employees", "colleague", "colleagues", "people", "person", "persons", "complaint", "complaints",
        "woman", "women", "men", "nurse", "nurses", "case", "cases", "staff", "worker", "workers"
    ]
    /// Words for a group or a trait: a number beside them narrows to a few people.
    static let groupWords: Set<String> = [
        "afdeling", "afdelingen", "team", "teams", "locatie", "vestiging", "vrouwelijke",
        "mannelijke", "jonge", "oudere", "allochtone", "zwangere", "parttime",
        "department", "female", "male", "young", "older", "pregnant", "unit"
    ]
    /// Words that end like a person word but are not one.
    static let notPersons: Set<String> = [
        "dan", "van", "kan", "wan", "plan", "aan", "zaal", "zakken", "human", "german",
        "vertrouwenspersoon", "vertrouwenspersonen", "contactpersoon", "contactpersonen"
    ]

    static func number(_ token: String) -> Int? { Int(token) ?? numbers[token] }

    /// How many words an upper bound at `i` takes ("minder dan" 2, "hooguit" 1), if one starts there.
    static func upperBound(at i: Int, in tokens: [String]) -> Int? {
        upperBounds.first { words in i + words.count <= tokens.count && Array(tokens[i..<(i + words.count)]) == words }?
            .count
    }

    /// "een melding", "een anonieme melding", "een WBK melding" — not "een melding doen", and not
    /// "een aantal meldingen" ("een paar" is read as "a few", elsewhere).
    static func reportNoun(after next: [String]) -> String? {
        if let first = next.first,
            ["aantal", "reeks", "groot", "heleboel", "hoop", "deel", "number", "series"].contains(first)
        {
            return nil
        }
        for (offset, word) in next.prefix(2).enumerated() {
            if isReportOrReporter(word) {
                return next.dropFirst(offset + 1).prefix(2).contains(where: generalVerbs.contains) ? nil : word
            }
            if stops.contains(word) || ownWork.contains(word) { return nil }
        }
        return nil
    }

    static func isPerson(_ word: String) -> Bool {
        guard !notPersons.contains(word) else { return false }
        let bare = word.split(separator: "-").last.map(String.init) ?? word
        return personEndings.contains { bare == $0 || (bare.hasSuffix($0) && $0.count >= 5) }
    }

    static func isReportOrReporter(_ word: String) -> Bool {
        guard !notPersons.contains(word) else { return false }
        let bare = word.split(separator: "-").last.map(String.init) ?? word
        return reportEndings.contains { bare.hasSuffix($0) }
    }

    static func isPersonOrGroup(_ word: String) -> Bool { isPerson(word) || groupWords.contains(word) }

    /// Lower-cased words and numbers: "4x" reads as "4", "x"; "WBK-melding" stays one word; a date
    /// ("15-03-2026") or a decimal is one token that is no count; a list marker ("1." or "2)"
    /// before a space) reads as "#"; "<" is kept.
    static func tokens(_ text: String) -> [String] {
        let chars = Array(text.lowercased())
        var out: [String] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isNumber {
                var j = i
                while j < chars.count,
                    chars[j].isNumber
                        || ("-/.:,".contains(chars[j]) && j + 1 < chars.count && chars[j + 1].isNumber)
                { j += 1 }
                let token = String(chars[i..<j])
                let parts = token.split(whereSeparator: { "-/".contains($0) })
                let atLineStart =
                    chars[..<i].reversed().prefix { $0 == " " || $0 == "\t" }.count == i
                    || chars[..<i].reversed().drop { $0 == " " || $0 == "\t" }.first == "\n"
                let ending = j < chars.count && (j + 1 == chars.count || chars[j + 1].isWhitespace) ? chars[j] : nil
                if Int(token) != nil, ending == ":" || (atLineStart && (ending == "." || ending == ")")) {
                    out.append("#")  // "1." or "2)" starting a line, "Aanbeveling 2:": a numbered point
                } else if parts.count == 2, token.contains("-"), parts.allSatisfy({ $0.count <= 2 && Int($0) != nil }) {
                    out += parts.map(String.init)  // a range, "1-2 meldingen": both ends count
                } else {
                    out.append(token)  // a number, or a date or decimal (no count)
                }
                i = j
            } else if c.isLetter {
                var j = i
                while j < chars.count,
                    chars[j].isLetter
                        || ("'’-".contains(chars[j]) && j + 1 < chars.count
                            && (chars[j + 1].isLetter || chars[j + 1] == "s"))
                { j += 1 }
                out.append(String(chars[i..<j]).replacingOccurrences(of: "’", with: "'"))
                i = j
            } else {
                if c == "<" || c == "≤" { out.append(String(c)) }
                i += 1
            }
        }
        return out
    }
}
