import Foundation
import Crypto
import Testing
@testable import VertrouwdCore

@Suite("Envelope encryption")
struct EnvelopeTests {
    let master = MasterKey.generate()
    let caseID = UUID().uuidString
    var context: FieldContext { FieldContext(table: "cases", row: caseID, field: "summary") }

    @Test func aCaseKeyWrappedByTheMasterKeyOpensTheCasesText() throws {
        let key = CaseKey.generate()
        let wrapped = try master.wrap(key, caseID: caseID)
        let sealed = try key.seal("Mijn leidinggevende intimideert mij", context: context)
        #expect(!sealed.contains("leidinggevende"))
        #expect(sealed.hasPrefix("v1."))
        let unwrapped = try master.unwrap(wrapped, caseID: caseID)
        #expect(try unwrapped.open(sealed, context: context) == "Mijn leidinggevende intimideert mij")
    }

    @Test func sealingTheSameTextTwiceGivesDifferentCiphertexts() throws {
        let key = CaseKey.generate()
        #expect(try key.seal("x", context: context) != key.seal("x", context: context))
    }

    @Test func aTamperedCiphertextIsDetected() throws {
        let key = CaseKey.generate()
        let sealed = try key.seal("feiten", context: context)
        var bytes = Data(base64Encoded: String(sealed.dropFirst(3)))!
        bytes[bytes.count / 2] ^= 0x01
        let tampered = "v1." + bytes.base64EncodedString()
        #expect(throws: EnvelopeError.unreadable) { try key.open(tampered, context: context) }
        #expect(throws: EnvelopeError.unreadable) { try key.open("v1.nonsense", context: context) }
        #expect(throws: EnvelopeError.unreadable) { try key.open("plain text", context: context) }
    }

    @Test func aCiphertextMovedToAnotherRowOrFieldDoesNotOpen() throws {
        let key = CaseKey.generate()
        let sealed = try key.seal("naam melder", context: context)
        #expect(throws: EnvelopeError.unreadable) {
            try key.open(sealed, context: FieldContext(table: "cases", row: UUID().uuidString, field: "summary"))
        }
        #expect(throws: EnvelopeError.unreadable) {
            try key.open(sealed, context: FieldContext(table: "cases", row: caseID, field: "reporter_name"))
        }
    }

    @Test func anotherCasesKeyOrAnotherMasterKeyOpensNothing() throws {
        let key = CaseKey.generate()
        let sealed = try key.seal("geheim", context: context)
        #expect(throws: EnvelopeError.unreadable) { try CaseKey.generate().open(sealed, context: context) }
        let wrapped = try master.wrap(key, caseID: caseID)
        #expect(throws: (any Error).self) { try MasterKey.generate().unwrap(wrapped, caseID: caseID) }
        #expect(throws: (any Error).self) { try master.unwrap(wrapped, caseID: UUID().uuidString) }
    }

    @Test func theKeyFileRoundTripsAndNamesItsKey() throws {
        let read = try #require(MasterKey(fileContents: master.fileContents))
        #expect(read.id == master.id)
        #expect(MasterKey(fileContents: "not a key") == nil)
        #expect(MasterKey(fileContents: Data(count: 16).base64EncodedString()) == nil)
        #expect(MasterKey.generate().id != master.id)
    }
}

@Suite("Audit hash chain")
struct AuditChainTests {
    static let key = SymmetricKey(size: .bits256)
    func chain(_ n: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        for i in 0..<n {
            entries.append(AuditChain.next(after: entries.last, atMillis: 1_700_000_000_000 + Int64(i), actor: "user:a",
                                           action: i % 2 == 0 ? "case.read" : "case.update", subject: "case:\(i % 3)", detail: "", key: Self.key))
        }
        return entries
    }

    /// The chain key lives in the key file and a rotation keeps it: re-keying would mean
    /// rewriting the record, and the log written so far must still verify.
    @Test func theChainKeyIsInTheKeyFileAndOutlivesARotation() throws {
        let ring = Keyring.generate(from: KeyEpoch(year: 2026, month: 1)!, months: 2)
        let read = try #require(Keyring(fileContents: ring.fileContents))
        #expect(read.auditChainKey == ring.auditChainKey)
        #expect(ring.auditChainKey != AuditChain.key(from: ring.master), "a new file has a key of its own")
        let rotated = try ring.rotated()
        #expect(rotated.master.id != ring.master.id && rotated.auditChainKey == ring.auditChainKey)
        // A file from before the keyed chain: the key comes from the master key, and a rotation
        // writes that key into the new file.
        let older = Keyring(master: .generate(), epochs: [:])
        #expect(older.auditChainKey == AuditChain.key(from: older.master))
        let olderRotated = try #require(Keyring(fileContents: try older.rotated().fileContents))
        #expect(olderRotated.auditChainKey == older.auditChainKey)
        let entry = AuditChain.next(after: nil, atMillis: 1, actor: "cli", action: "x", subject: "", detail: "", key: older.auditChainKey)
        #expect(AuditChain.verify([entry], key: olderRotated.auditChainKey) == nil)
    }

    @Test func anUntouchedChainVerifies() {
        #expect(AuditChain.verify(chain(20), key: Self.key) == nil)
        #expect(AuditChain.verify([AuditEntry](), key: Self.key) == nil)
    }

    @Test func aChangedEntryIsFoundWhereItWasChanged() {
        var entries = chain(10)
        let e = entries[4]
        entries[4] = AuditEntry(sequence: e.sequence, atMillis: e.atMillis, actor: "user:someone-else", action: e.action,
                                subject: e.subject, detail: e.detail, previousHash: e.previousHash, hash: e.hash)
        #expect(AuditChain.verify(entries, key: Self.key) == .wrongHash(sequence: 5))
    }

    @Test func aRemovedEntryBreaksTheChain() {
        var entries = chain(10)
        entries.remove(at: 6)
        #expect(AuditChain.verify(entries, key: Self.key) == .gap(expected: 7, found: 8))
        #expect(AuditChain.verify(Array(chain(5).dropFirst()), key: Self.key) == .gap(expected: 1, found: 2))
    }

    @Test func aRewrittenTailWithRecomputedHashesStillBreaksAtTheLink() {
        var entries = chain(6)
        let e = entries[2]
        let forged = AuditChain.next(after: entries[1], atMillis: e.atMillis, actor: e.actor, action: "case.delete", subject: e.subject, detail: "", key: Self.key)
        entries[2] = forged
        #expect(AuditChain.verify(entries, key: Self.key) == .wrongLink(sequence: 4))
    }

    @Test func aLongLogCanBeCheckedPageByPage() {
        let entries = chain(30)
        #expect(AuditChain.verify(entries[10..<20], after: entries[9], key: Self.key) == nil)
        #expect(AuditChain.verify(entries[11..<20], after: entries[9], key: Self.key) == .gap(expected: 11, found: 12))
    }

    @Test func fieldBoundariesCannotBeShiftedToForgeAHash() {
        let a = AuditChain.hash(sequence: 1, atMillis: 1, actor: "ab", action: "c", subject: "", detail: "", previousHash: AuditChain.genesis)
        let b = AuditChain.hash(sequence: 1, atMillis: 1, actor: "a", action: "bc", subject: "", detail: "", previousHash: AuditChain.genesis)
        #expect(a != b)
    }

    /// The chain cannot tell a log cut short from a shorter one; the anchor can.
    @Test func theAnchorFindsACutTailARewriteAndAForgery() throws {
        let master = MasterKey.generate()
        let key = AuditAnchor.key(from: master)
        var log: [AuditEntry] = []
        for i in 0..<10 { log.append(AuditChain.next(after: log.last, atMillis: Int64(i), actor: "a", action: "x", subject: "", detail: "", key: Self.key)) }
        let anchor = AuditAnchor(sequence: 10, hash: log[9].hash, key: key)
        #expect(AuditAnchor(line: anchor.line) == anchor)
        #expect(anchor.check(lastSequence: 10, entryAtAnchor: log[9], key: key) == .intact)
        #expect(AuditChain.verify(log.prefix(7), key: Self.key) == nil, "three entries cut off: the chain alone holds")
        #expect(anchor.check(lastSequence: 7, entryAtAnchor: nil, key: key) == .tailRemoved(logEndsAt: 7, anchorAt: 10))
        let rewritten = AuditChain.next(after: log[8], atMillis: 99, actor: "b", action: "y", subject: "", detail: "", key: Self.key)
        #expect(anchor.check(lastSequence: 10, entryAtAnchor: rewritten, key: key) == .rewritten(sequence: 10))
        #expect(anchor.check(lastSequence: 10, entryAtAnchor: log[9], key: AuditAnchor.key(from: .generate())) == .forged)
        #expect(AuditAnchor(line: "10 \(log[9].hash) 00") .map { $0.check(lastSequence: 10, entryAtAnchor: log[9], key: key) } == .forged)
    }
}
