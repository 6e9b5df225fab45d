/// Signals (*signaleren*, seeds 000 §5, 001 §7, 002): several cases on one theme in one
/// organisation within a window. The counsellor sees what triggered it; management only ever
/// gets figures that pass the disclosure threshold.
public struct SignalRule: Sendable, Equatable {
    /// How many cases on one theme make a signal (default 3).
    public var minimumCases: Int
    /// Looking back this many months from today (default 6).
    public var windowMonths: Int

    public init(minimumCases: Int = 3, windowMonths: Int = 6) {
        self.minimumCases = max(2, minimumCases)
        self.windowMonths = max(1, windowMonths)
    }
}

/// What a signal needs to know of a case.
public struct SignalCase: Sendable, Equatable {
    public let id: String
    public let categories: Set<CaseCategory>
    public let department: String
    public let openedOn: Day

    public init(id: String, categories: Set<CaseCategory>, department: String, openedOn: Day) {
        self.id = id
        self.categories = categories
        self.department = department
        self.openedOn = openedOn
    }
}

public struct Signal: Sendable, Equatable {
    public let category: CaseCategory
    /// Set only where the department's own count reaches the disclosure threshold.
    public let department: String?
    /// The cases that make it, oldest first (ids: shown to the counsellor only).
    public let caseIDs: [String]
    public let from: Day
    public let to: Day

    public var count: Int { caseIDs.count }
}

public enum Signals {
    /// Clusters among one organisation's cases, per theme (category), for the window ending today.
    /// A department is named only where that department alone has at least `max(rule, k)` cases
    /// on the theme — below that it could point at a person.
    public static func detect(_ cases: [SignalCase], today: Day, rule: SignalRule = .init(), k: Int) -> [Signal] {
        let from = today.adding(months: -rule.windowMonths)
        let recent = cases.filter { from <= $0.openedOn && $0.openedOn <= today }
            .sorted { ($0.openedOn, $0.id) < ($1.openedOn, $1.id) }
        var signals: [Signal] = []
        for category in CaseCategory.allCases {
            let hits = recent.filter { $0.categories.contains(category) }
            guard hits.count >= rule.minimumCases else { continue }
            signals.append(Signal(category: category, department: nil, caseIDs: hits.map(\.id), from: from, to: today))
            let departments = Dictionary(grouping: hits.filter { !$0.department.isEmpty }, by: \.department)
            for (department, inDepartment) in departments.sorted(by: { $0.key < $1.key })
            where inDepartment.count >= max(rule.minimumCases, k) {
                signals.append(
                    Signal(
                        category: category, department: department, caseIDs: inDepartment.map(\.id), from: from,
                        to: today))
            }
        }
        return signals.sorted { ($0.count, $0.department == nil ? 1 : 0) > ($1.count, $1.department == nil ? 1 : 0) }
    }

    /// A first draft of an advice to management from a signal. Every figure in it obeys the
    /// disclosure threshold: below k it says "fewer than k".
    public static func adviceDraft(for signal: Signal, organisation: String, k: Int) -> (subject: String, body: String)
    {
        let theme = signal.category.label.lowercased()
        let figure = Disclosure.phrase(signal.count, k: k, noun: ("melding", "meldingen"))
        let place = signal.department.map { " binnen de afdeling \($0)" } ?? ""
        let subject = "Signaal en advies: \(theme)"
        let body = """
            Aan de directie van \(organisation),

            Als externe vertrouwenspersoon signaleer ik dat er tussen \(signal.from.dutch) en \
            \(signal.to.dutch)\(place) \(figure) \
            bij mij binnenkwamen die gaan over \(theme). Ik breng dit onder uw aandacht zonder iets te zeggen over \
            wie er meldden \
            of over de inhoud van de gesprekken: die blijven vertrouwelijk.

            Mijn advies:
            - Onderzoek samen met mij wat de oorzaak kan zijn, bijvoorbeeld in een sessie met de directie of op de \
            betreffende afdelingen.
            - Maak het onderwerp bespreekbaar, bijvoorbeeld met een voorlichting of workshop.
            - Spreek af hoe u de opvolging van dit advies met mij terugkoppelt.

            Met vriendelijke groet,
            """
        return (subject, body)
    }
}

/// The counsellor's own professional development (*deskundigheidsbevordering*) for the LVV
/// register: 72 hours in 4 years, of which at least 24 accredited training, 32 peer
/// consultation (*intervisie*) and 16 other.
public enum DevelopmentKind: String, Labelled {
    case training, peerConsultation = "peer_consultation", other

    public var label: String {
        switch self {
        case .training: "Geaccrediteerde training"
        case .peerConsultation: "Intervisie"
        case .other: "Overige deskundigheidsbevordering"
        }
    }

    public var requiredMinutes: Int {
        switch self {
        case .training: 24 * 60
        case .peerConsultation: 32 * 60
        case .other: 16 * 60
        }
    }
}

public struct DevelopmentProgress: Sendable, Equatable {
    public static let windowYears = 4
    public static let requiredTotalMinutes = 72 * 60

    public struct Part: Sendable, Equatable {
        public let kind: DevelopmentKind
        public let doneMinutes: Int
        public var requiredMinutes: Int { kind.requiredMinutes }
        public var percent: Int { min(100, doneMinutes * 100 / requiredMinutes) }
        public var met: Bool { doneMinutes >= requiredMinutes }
    }

    public let from: Day
    public let parts: [Part]
    public var totalMinutes: Int { parts.reduce(0) { $0 + $1.doneMinutes } }
    public var met: Bool { totalMinutes >= Self.requiredTotalMinutes && parts.allSatisfy(\.met) }

    /// Progress over the four years up to today.
    public init(entries: [(kind: DevelopmentKind, on: Day, minutes: Int)], today: Day) {
        let from = today.adding(months: -12 * Self.windowYears).adding(days: 1)
        self.from = from
        let inWindow = entries.filter { from <= $0.on && $0.on <= today }
        parts = DevelopmentKind.allCases.map { kind in
            Part(kind: kind, doneMinutes: inWindow.filter { $0.kind == kind }.reduce(0) { $0 + $1.minutes })
        }
    }
}
