import Testing
import Foundation
@testable import VertrouwdCore

@Suite("Consent: de melder heeft de regie")
struct ConsentTests {
    let today = Day(iso: "2026-11-23")!

    @Test func aTalkWithTheReporterAloneNeedsNoConsent() {
        #expect(ConsentRule.check(.escalation(.adviceToReporter), basis: nil, today: today) == nil)
    }

    @Test(arguments: [LadderLevel.withManager, .withHigherManager, .withBoard, .formalComplaint])
    func aReporterWithoutConsentCannotBeEscalated(level: LadderLevel) {
        #expect(ConsentRule.check(.escalation(level), basis: nil, today: today) == .missing)
    }

    @Test func recordedConsentAllowsEscalation() {
        let basis = ConsentBasis.reporterConsent(givenOn: today, method: .oral)
        #expect(ConsentRule.check(.escalation(.withBoard), basis: basis, today: today) == nil)
    }

    @Test func consentDatedInTheFutureIsRefused() {
        let basis = ConsentBasis.reporterConsent(givenOn: today.adding(days: 1), method: .written)
        #expect(ConsentRule.check(.escalation(.withManager), basis: basis, today: today) == .givenInTheFuture)
    }

    @Test func aLegalDutyNeedsAReason() {
        #expect(ConsentRule.check(.reportOnBehalf, basis: .legalDuty(reason: "  "), today: today) == .legalDutyWithoutReason)
        #expect(ConsentRule.check(.reportOnBehalf, basis: .legalDuty(reason: "Strafbaar feit: bedreiging"), today: today) == nil)
    }

    @Test func aReferralThatPassesNoPersonalDataNeedsNoConsent() {
        #expect(ConsentRule.check(.referral(.coach, passesPersonalData: false), basis: nil, today: today) == nil)
        #expect(ConsentRule.check(.referral(.police, passesPersonalData: true), basis: nil, today: today) == .missing)
    }

    @Test func aConversationBecomesAWhistleblowerReportOnlyByTheReportersOwnConsent() {
        #expect(RegimeRule.check(from: .confidential, to: .whistleblower, basis: nil, today: today) == .reporterConsentRequired)
        #expect(RegimeRule.check(from: .confidential, to: .whistleblower, basis: .legalDuty(reason: "strafbaar"), today: today) == .reporterConsentRequired)
        #expect(RegimeRule.check(from: .confidential, to: .whistleblower, basis: .reporterConsent(givenOn: today, method: .written), today: today) == nil)
        #expect(RegimeRule.check(from: .whistleblower, to: .confidential, basis: nil, today: today) == nil)
        #expect(RegimeRule.check(from: .confidential, to: .confidential, basis: nil, today: today) == nil)
    }

    @Test func reportingOnTheReportersBehalfAlwaysNeedsConsent() {
        #expect(ThirdPartyStep.reportOnBehalf.requiresConsent)
        #expect(ConsentRule.check(.reportOnBehalf, basis: nil, today: today) == .missing)
    }
}

@Suite("Workflows and the escalation ladder")
struct WorkflowTests {
    /// Seed 001 §5 and seed 003 §7 as the practice wrote them (whitespace normalised). The
    /// shortened labels of an earlier release dropped "-indien gewenst-" and the order of
    /// preference for reporting to management: the reporter's control is in these words.
    static let seedPersonal = """
     1. Opvang van de melder
     2. Uitleg kaders en bevoegdheden vertrouwenspersoon
     3. Uitluisteren van de melding
     4. Samen met de melder zoeken naar en ondersteunen bij informele oplossingen
     5. Begeleiden van informele vervolgstappen -indien gewenst-
     6. Indien informele stappen niet afdoende zijn, de melder informeren en -indien gewenst- begeleiden bij formele stappen.
     7. Eventueel doorverwijzing naar een externe partij
     8. Nazorg
     9. Meldingen worden anoniem gebundeld in het jaarverslag
    """
    static let seedBusiness = """
     1. Opvang van de melder
     2. Uitleg kaders en bevoegdheden vertrouwenspersoon
     3. Uitluisteren van de melding
     4. Het bij de organisatie onder de aandacht brengen van een melding integriteit. -als de aard van de melding hiertoe aanleiding geeft- De vertrouwenspersoon zal  de melder in eerste instantie stimuleren zelf de misstand te melden bij het management. Als dat niet mogelijk is, maakt de vertrouwenspersoon namens de medewerker melding van de misstand bij het management en overweegt of de melder hierbij anoniem kan blijven. 
     5. Nazorg
     6. Meldingen worden anoniem gebundeld in het jaarverslag
    """
    /// Seed 003 §7, top rung first, as on the slide.
    static let seedLadder = """
    Klacht indienen
    Gesprek met melder en bestuur
    Gesprek met melder en hogere leidinggevende
    Gesprek met melder en leidinggevende
    Gesprek met, advies aan en begeleiding van melder
    """

    static func normalised(_ s: some StringProtocol) -> String {
        s.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// "1. Opvang van de melder" → (1, "Opvang van de melder")
    static func numbered(_ text: String) -> [(Int, String)] {
        text.split(separator: "\n").map { line in
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: ".", maxSplits: 1)
            return (Int(parts[0])!, normalised(parts[1]))
        }
    }

    @Test(arguments: [(CaseKind.personalIntegrity, seedPersonal), (.businessIntegrity, seedBusiness)])
    func everyStepHasTheSeedsWords(kind: CaseKind, seed: String) {
        let steps = Workflow.steps(for: kind)
        let expected = Self.numbered(seed)
        #expect(steps.count == expected.count)
        for (step, (number, text)) in zip(steps, expected) {
            #expect(step.number == number)
            #expect(Self.normalised(step.label) == text)
        }
    }

    @Test func theLadderHasTheSeedsRungs() {
        let rungs = Self.seedLadder.split(separator: "\n").reversed().map { Self.normalised($0) }
        #expect(LadderLevel.allCases.map { Self.normalised($0.label.drop { $0 != " " }) } == rungs)
        #expect(LadderLevel.withBoard.label.contains("bestuur"))
    }

    @Test func stepCodesAreUniqueAcrossKinds() {
        let codes = CaseKind.allCases.flatMap { Workflow.steps(for: $0).map(\.code) }
        #expect(Set(codes).count == codes.count)
        #expect(Workflow.step(code: "p3", for: .personalIntegrity)?.number == 3)
        #expect(Workflow.step(code: "p3", for: .businessIntegrity) == nil)
    }

    @Test func onlyLevelOneStaysBetweenReporterAndCounsellor() {
        #expect(LadderLevel.allCases.filter { !$0.involvesThirdParty } == [.adviceToReporter])
        #expect(LadderLevel.allCases.map(\.rawValue) == [1, 2, 3, 4, 5])
    }

    @Test func everyCodeHasADutchLabel() {
        func check<L: Labelled>(_ type: L.Type) { for value in L.allCases { #expect(!value.label.isEmpty) } }
        check(CaseKind.self); check(CaseCategory.self); check(ReporterRole.self); check(IntakeChannel.self)
        check(AccusedRelation.self); check(Regime.self); check(ReferralTarget.self); check(Outcome.self)
        check(Sector.self); check(EngagementPhase.self); check(ContactRole.self); check(ConsentMethod.self)
    }
}

@Suite("Organisations")
struct OrganisationRuleTests {
    @Test func fromFiftyEmployeesAWhistleblowerProcedureIsRequired() {
        #expect(!OrganisationRules.whistleblowerProcedureRequired(employees: 49))
        #expect(OrganisationRules.whistleblowerProcedureRequired(employees: 50))
    }

    @Test(arguments: ["de-regenboog", "gemeente-x2", "ab"])
    func posterFriendlySlugsAreAccepted(slug: String) { #expect(OrganisationRules.isValidSlug(slug)) }

    @Test(arguments: ["", "a", "-begin", "eind-", "dubbel--streep", "Hoofdletter", "spatie er", "ü-mlaut", "../etc", String(repeating: "a", count: 61)])
    func unsafeOrUntypableSlugsAreRefused(slug: String) { #expect(!OrganisationRules.isValidSlug(slug)) }
}
