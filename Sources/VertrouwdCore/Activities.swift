/// The practice's work for an organisation outside cases (seeds 000, 004): it counts against the
/// hours budget and appears in the annual report.
public enum ActivityKind: String, Labelled {
    case informationSession = "information_session", workshop, material
    case policySession = "policy_session", adviceMeeting = "advice_meeting", advice, other

    public var label: String {
        switch self {
        case .informationSession: "Voorlichting"
        case .workshop: "Workshop"
        case .material: "Materiaal verstuurd (poster, mailing, video)"
        case .policySession: "Beleidssessie"
        case .adviceMeeting: "Adviesgesprek met het management"
        case .advice: "Advies aan de directie (schriftelijk)"
        case .other: "Ander werk"
        }
    }

    /// Whether participants are worth counting.
    public var hasParticipants: Bool { self == .informationSession || self == .workshop || self == .policySession }

    /// Workshop topics the practices offer (seed 004 and their material), as suggestions.
    public static let workshopTopics = [
        "Elkaar aanspreken op gedrag", "Omgaan met agressie en geweld", "Grenzen stellen", "Integriteit als fundament"
    ]
}
