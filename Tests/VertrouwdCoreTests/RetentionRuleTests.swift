import Crypto
import Foundation
import Testing
@testable import VertrouwdCore

/// Retention's rule and the key file that makes destruction final.
@Suite("Retention: when a case is destroyed, and the key file that makes it final")
struct RetentionRuleTests {
    let policy = RetentionPolicy(months: 24, graceMonths: 3)
    let today = Day(year: 2029, month: 6, day: 1)!

    func facts(closed: Day? = Day(year: 2026, month: 5, day: 1)!, hold: Bool = false, signed: Bool = true,
               wrote: Day? = nil) -> RetentionFacts {
        RetentionFacts(status: closed == nil ? .open : .closed, closedOn: closed, legalHold: hold,
                       inSignedOffReport: signed, reporterLastWrote: wrote)
    }

    @Test func aCaseIsDestroyedOnlyWhenEveryConditionHolds() {
        #expect(RetentionRule.decide(facts(), policy: policy, today: today) == .destroy)
        #expect(RetentionRule.decide(facts(closed: nil), policy: policy, today: today) == .keep(.notClosed))
        let recent = Day(year: 2028, month: 1, day: 31)!
        #expect(RetentionRule.decide(facts(closed: recent), policy: policy, today: today)
                == .keep(.retentionUntil(Day(year: 2030, month: 1, day: 31)!)))
        #expect(RetentionRule.decide(facts(hold: true), policy: policy, today: today) == .keep(.legalHold))
        #expect(RetentionRule.decide(facts(signed: false), policy: policy, today: today) == .keep(.notInSignedOffReport))
        let wrote = Day(year: 2029, month: 4, day: 15)!
        #expect(RetentionRule.decide(facts(wrote: wrote), policy: policy, today: today)
                == .keep(.reporterActiveUntil(Day(year: 2029, month: 7, day: 15)!)))
        // The day the period ends, it is due (not a day later).
        #expect(RetentionRule.decide(facts(closed: Day(year: 2027, month: 6, day: 1)!), policy: policy, today: today) == .destroy)
        var destroyed = facts()
        destroyed.destroyedOn = today
        #expect(RetentionRule.decide(destroyed, policy: policy, today: today) == .keep(.alreadyDestroyed))
    }

    @Test func aNewCaseKeyGoesToTheEarliestMonthItsRetentionCanEndAndNeverToOneThatBegan() {
        let opened = Day(year: 2026, month: 11, day: 30)!
        #expect(policy.epoch(from: opened, today: opened) == KeyEpoch(year: 2028, month: 11))
        // A case entered late (opened long ago): the next month, not a month already running.
        #expect(policy.epoch(from: Day(year: 2020, month: 1, day: 1)!, today: opened) == KeyEpoch(year: 2026, month: 12))
        #expect(KeyEpoch(year: 2026, month: 12)!.adding(months: 1) == KeyEpoch(year: 2027, month: 1))
    }

    @Test func theKeyFileReadsBackAndAForgottenEpochOpensNothingButACarriedCopy() throws {
        var ring = Keyring.generate(from: KeyEpoch(year: 2026, month: 11)!, months: 36)
        let epoch = KeyEpoch(year: 2027, month: 3)!
        let (destroyed, kept) = (UUID().uuidString, UUID().uuidString)
        let keys = (CaseKey.generate(), CaseKey.generate())
        let a = try ring.wrap(keys.0, caseID: destroyed, epoch: epoch)
        let b = try ring.wrap(keys.1, caseID: kept, epoch: epoch)
        // A wrapped key copied to another case does not open.
        #expect(throws: (any Error).self) { try ring.unwrap(keyID: a.keyID, wrapped: a.wrapped, caseID: kept) }

        // The kept case is carried and the epoch noted as retiring (both survive a re-read),
        // then the epoch and the destroyed case are forgotten.
        try ring.carry(keys.1, caseID: kept)
        ring.retire([epoch])
        #expect(Keyring(fileContents: ring.fileContents)?.retiring == [epoch])
        ring.forget(epochs: [epoch], carried: [destroyed])
        let reread = try #require(Keyring(fileContents: ring.fileContents))
        #expect(reread.master.id == ring.master.id && reread.epochs.count == 35 && reread.carried.count == 1 && reread.retiring.isEmpty)

        // What a backup from before holds: the destroyed case no longer opens, the kept one does.
        #expect(throws: Keyring.KeyError.destroyed) { try reread.unwrap(keyID: a.keyID, wrapped: a.wrapped, caseID: destroyed) }
        let opened = try reread.unwrap(keyID: b.keyID, wrapped: b.wrapped, caseID: kept)
        let sealed = try keys.1.seal("verhaal", context: FieldContext(table: "cases", row: kept, field: "summary"))
        #expect(try opened.open(sealed, context: FieldContext(table: "cases", row: kept, field: "summary")) == "verhaal")

        // A key wrapped by the master key itself (before epochs) opens only through its carried
        // copy: the upgrade carries every one, destroying the case deletes it.
        let legacy = UUID().uuidString
        let legacyWrapped = try ring.master.wrap(keys.0, caseID: legacy)
        #expect(throws: Keyring.KeyError.destroyed) { try ring.unwrap(keyID: ring.master.id, wrapped: legacyWrapped, caseID: legacy) }
        try ring.carry(keys.0, caseID: legacy)
        _ = try ring.unwrap(keyID: ring.master.id, wrapped: legacyWrapped, caseID: legacy)

        // An older key file (the master key alone) reads as a legacy keyring; a damaged one not at all.
        #expect(Keyring(fileContents: ring.master.fileContents)?.isLegacy == true)
        #expect(Keyring(fileContents: Keyring.header + "\nmaster abc\n") == nil)
        #expect(Keyring(fileContents: ring.fileContents.replacingOccurrences(of: "epoch 2027-04", with: "epoch 2027-4x")) == nil)
    }

    @Test func theLastClosingDayIsExactlyTheInverseOfTheEndOfRetention() {
        for months in [1, 3, 24, 25, 240] {
            let policy = RetentionPolicy(months: months, graceMonths: 6)
            var day = Day(iso: "2027-12-20")!
            for _ in 0..<500 {
                let cutoff = RetentionRule.lastClosingDay(endingBy: day, policy: policy)
                #expect(cutoff.adding(months: months) <= day, "\(day), \(months) months")
                #expect(cutoff.adding(days: 1).adding(months: months) > day, "\(day), \(months) months")
                day = day.adding(days: 1)
            }
        }
    }
}
