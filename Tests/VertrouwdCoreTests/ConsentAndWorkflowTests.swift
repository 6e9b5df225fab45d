import Testing
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
    @Test func personalIntegrityHasNineStepsEndingInTheAnnualReport() {
        let steps = Workflow.steps(for: .personalIntegrity)
        #expect(steps.count == 9)
        #expect(steps.first?.label == "Opvang van de melder")
        #expect(steps.last?.label.contains("jaarverslag") == true)
    }

    @Test func businessIntegrityHasSixStepsWithReportingToManagementAsFourth() {
        let steps = Workflow.steps(for: .businessIntegrity)
        #expect(steps.count == 6)
        #expect(steps[3].label.contains("leiding"))
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
