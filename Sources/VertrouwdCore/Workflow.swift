/// A step of the checklist a counsellor follows for a *melding*: the words of seed 001 §5, unshortened,
/// because they carry the reporter's control (*-indien gewenst-*, *in eerste instantie zelf melden*).
public struct WorkflowStep: Hashable, Sendable {
    /// Stable code, stored with the case (e.g. `p3`).
    public let code: String
    public let number: Int
    public let label: String
}

public enum Workflow {
    /// The step list for a kind of case, in order.
    public static func steps(for kind: CaseKind) -> [WorkflowStep] {
        let labels: [String]
        let prefix: String
        switch kind {
        case .personalIntegrity:
            prefix = "p"
            labels = [
                "Opvang van de melder",
                "Uitleg kaders en bevoegdheden vertrouwenspersoon",
                "Uitluisteren van de melding",
                "Samen met de melder zoeken naar en ondersteunen bij informele oplossingen",
                "Begeleiden van informele vervolgstappen -indien gewenst-",
                """
                    Indien informele stappen niet afdoende zijn, de melder informeren en -indien gewenst- \
                    begeleiden bij formele stappen.
                    """,
                "Eventueel doorverwijzing naar een externe partij",
                "Nazorg",
                "Meldingen worden anoniem gebundeld in het jaarverslag"
            ]
        case .businessIntegrity:
            prefix = "z"
            labels = [
                "Opvang van de melder",
                "Uitleg kaders en bevoegdheden vertrouwenspersoon",
                "Uitluisteren van de melding",
                """
                    Het bij de organisatie onder de aandacht brengen van een melding integriteit. -als de aard van \
                    de melding hiertoe aanleiding geeft- De vertrouwenspersoon zal de melder in eerste instantie \
                    stimuleren zelf de misstand te melden bij het management. Als dat niet mogelijk is, maakt de \
                    vertrouwenspersoon namens de medewerker melding van de misstand bij het management en overweegt \
                    of de melder hierbij anoniem kan blijven.
                    """,
                "Nazorg",
                "Meldingen worden anoniem gebundeld in het jaarverslag"
            ]
        case .informationRequest:
            prefix = "i"
            labels = ["Vraag ontvangen", "Informatie gegeven of doorverwezen"]
        case .unclassified:
            return []
        }
        return labels.enumerated().map {
            WorkflowStep(code: "\(prefix)\($0.offset + 1)", number: $0.offset + 1, label: $0.element)
        }
    }

    public static func step(code: String, for kind: CaseKind) -> WorkflowStep? {
        steps(for: kind).first { $0.code == code }
    }
}

/// The escalation ladder (seed 003 §7), lowest first.
public enum LadderLevel: Int, CaseIterable, Comparable, Sendable, Codable {
    case adviceToReporter = 1, withManager, withHigherManager, withBoard, formalComplaint

    public var label: String {
        switch self {
        case .adviceToReporter: "1. Gesprek met, advies aan en begeleiding van melder"
        case .withManager: "2. Gesprek met melder en leidinggevende"
        case .withHigherManager: "3. Gesprek met melder en hogere leidinggevende"
        case .withBoard: "4. Gesprek met melder en bestuur"
        case .formalComplaint: "5. Klacht indienen"
        }
    }

    /// From level 2 on, someone other than the reporter hears of the case.
    public var involvesThirdParty: Bool { self >= .withManager }

    public static func < (a: LadderLevel, b: LadderLevel) -> Bool { a.rawValue < b.rawValue }
}
