import Foundation

/// A step that brings a case to someone other than the reporter.
///
/// *De melder heeft de regie*: the counsellor takes no such step without the reporter's consent.
public enum ThirdPartyStep: Sendable, Equatable {
    case escalation(LadderLevel)
    case referral(ReferralTarget, passesPersonalData: Bool)
    case reportOnBehalf

    /// Whether the step needs recorded consent (or a recorded legal duty).
    public var requiresConsent: Bool {
        switch self {
        case .escalation(let level): level.involvesThirdParty
        case .referral(_, let passesPersonalData): passesPersonalData
        case .reportOnBehalf: true
        }
    }
}

/// The ground on which a step towards a third party is taken.
public enum ConsentBasis: Sendable, Equatable {
    /// The reporter agreed, on a day, in a way.
    case reporterConsent(givenOn: Day, method: ConsentMethod)
    /// The counsellor must act without consent: criminal facts are reported to police or justice
    /// (seed 001 §4), with the reason recorded.
    case legalDuty(reason: String)

    public var storedBasis: String {
        switch self {
        case .reporterConsent: "consent"
        case .legalDuty: "legal_duty"
        }
    }
}

public enum ConsentError: Error, Equatable, Sendable {
    case missing
    case givenInTheFuture
    case legalDutyWithoutReason
    case reporterConsentRequired

    /// The message shown beside the form.
    public var message: String {
        switch self {
        case .missing:
            """
                Deze stap gaat naar een derde. Leg eerst vast wanneer en hoe de melder toestemming gaf (of dat er \
                een wettelijke plicht is).
                """
        case .givenInTheFuture: "De datum van de toestemming ligt in de toekomst."
        case .legalDutyWithoutReason: "Geef bij een wettelijke plicht de reden op."
        case .reporterConsentRequired:
            """
                Een vertrouwelijk gesprek wordt alleen met toestemming van de melder een melding onder de Wet \
                bescherming klokkenluiders. Leg vast wanneer en hoe de melder toestemming gaf.
                """
        }
    }
}

public enum ConsentRule {
    /// Checks that a step may be recorded. Steps that stay between reporter and counsellor pass
    /// without consent; every other step needs consent given no later than today, or a legal
    /// duty with a reason.
    public static func check(_ step: ThirdPartyStep, basis: ConsentBasis?, today: Day) -> ConsentError? {
        guard step.requiresConsent else { return nil }
        switch basis {
        case nil:
            return .missing
        case .reporterConsent(let givenOn, _):
            return givenOn > today ? .givenInTheFuture : nil
        case .legalDuty(let reason):
            return reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? .legalDutyWithoutReason : nil
        }
    }
}

public enum RegimeRule {
    /// A confidential conversation becomes a report under the whistleblower law only with the
    /// reporter's own consent (a legal duty is no ground for it). Any other change is free.
    public static func check(from old: Regime, to new: Regime, basis: ConsentBasis?, today: Day) -> ConsentError? {
        guard old == .confidential, new == .whistleblower else { return nil }
        guard case .reporterConsent(let givenOn, _) = basis else { return .reporterConsentRequired }
        return givenOn > today ? .givenInTheFuture : nil
    }
}
