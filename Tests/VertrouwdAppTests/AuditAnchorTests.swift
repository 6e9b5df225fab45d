import Foundation
import Testing
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

/// Two instances on one PostgreSQL share the audit anchor file; each keeps its own idea of how
/// far it stands. The one that is behind must never move the file back (a log cut off after the
/// anchor goes unnoticed).
@Suite("The audit anchor shared by instances")
struct AuditAnchorTests {
    func entry(_ sequence: Int) -> AuditEntry {
        AuditEntry(sequence: sequence, atMillis: 0, actor: "cli", action: "test", subject: "", detail: "",
                   previousHash: String(repeating: "0", count: 64), hash: String(repeating: String(sequence % 10), count: 64))
    }

    @Test func anInstanceThatIsBehindDoesNotMoveTheAnchorBack() throws {
        let path = NSTemporaryDirectory() + "vertrouwd-anchor-\(UUID().uuidString)"
        defer { for p in [path, path + ".lock"] { try? FileManager.default.removeItem(atPath: p) } }
        let key = MasterKey.generate()
        let first = AuditAnchorFile(path: path, masterKey: key)
        let second = AuditAnchorFile(path: path, masterKey: key)  // started before the first wrote
        first.advance(to: entry(10))
        second.advance(to: entry(7))
        #expect(first.read()?.sequence == 10)
        second.advance(to: entry(12))
        #expect(first.read()?.sequence == 12)
        // A key rotation signs the anchor again where it stands, or where the file stands when
        // another instance moved it further meanwhile.
        let rotated = MasterKey.generate()
        let renewed = AuditAnchorFile(path: path, masterKey: rotated)
        renewed.rewrite(at: entry(11))
        let anchor = try #require(renewed.read())
        #expect(anchor.sequence == 12 && anchor.hash == entry(12).hash)
        #expect(anchor.mac == AuditAnchor(sequence: 12, hash: entry(12).hash, key: AuditAnchor.key(from: rotated)).mac)
        // A file that is there but unreadable is not written over.
        try "not an anchor".write(toFile: path, atomically: true, encoding: .utf8)
        second.advance(to: entry(20))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "not an anchor")
    }
}
