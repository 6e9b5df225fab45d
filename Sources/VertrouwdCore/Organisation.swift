/// A client organisation's sector.
public enum Sector: String, Labelled {
    case education, care, government, childcare, occupationalHealth = "occupational_health"
    case housing, welfare, profit

    public var label: String {
        switch self {
        case .education: "Onderwijs"
        case .care: "Zorg"
        case .government: "Overheid"
        case .childcare: "Kinderopvang"
        case .occupationalHealth: "Arbodienst"
        case .housing: "Woningcorporatie"
        case .welfare: "Welzijn"
        case .profit: "Profit"
        }
    }
}

/// A phase of the engagement with an organisation, in the order they usually happen.
public enum EngagementPhase: String, Labelled {
    case exploratoryTalk = "exploratory_talk", riskAssessmentReferral = "risk_assessment_referral"
    case agreementSigned = "agreement_signed", policy, introduction, active, evaluation
    case renewed, ended

    public var label: String {
        switch self {
        case .exploratoryTalk: "Verkennend gesprek"
        case .riskAssessmentReferral: "RI&E-verwijzing"
        case .agreementSigned: "Overeenkomst getekend"
        case .policy: "Beleid"
        case .introduction: "Introductie"
        case .active: "Actief"
        case .evaluation: "Evaluatie"
        case .renewed: "Verlengd"
        case .ended: "Beëindigd"
        }
    }
}

/// A contact person at the organisation.
public enum ContactRole: String, Labelled {
    case board, hr, worksCouncil = "works_council", internalCounsellor = "internal_counsellor"

    public var label: String {
        switch self {
        case .board: "Directie"
        case .hr: "HR"
        case .worksCouncil: "OR"
        case .internalCounsellor: "Interne vertrouwenspersoon"
        }
    }
}

public enum OrganisationRules {
    /// From 50 employees the Wet bescherming klokkenluiders makes a reporting procedure mandatory.
    public static let whistleblowerProcedureThreshold = 50

    public static func whistleblowerProcedureRequired(employees: Int) -> Bool {
        employees >= whistleblowerProcedureThreshold
    }

    /// A public slug: lowercase letters, digits and single hyphens, 2 to 60 characters.
    /// It is printed on posters, so it must be easy to type.
    public static func isValidSlug(_ slug: String) -> Bool {
        guard (2...60).contains(slug.count), !slug.hasPrefix("-"), !slug.hasSuffix("-"),
            !slug.contains("--")
        else { return false }
        return slug.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" }
    }
}
