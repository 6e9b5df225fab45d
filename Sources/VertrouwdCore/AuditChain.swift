import Crypto
import Foundation

/// One entry of the audit log. Each entry's hash covers its predecessor's hash, so a changed,
/// removed or inserted entry breaks the chain from that point on.
public struct AuditEntry: Sendable, Equatable {
    public let sequence: Int
    public let atMillis: Int64
    public let actor: String
    public let action: String
    public let subject: String
    public let detail: String
    public let previousHash: String
    public let hash: String

    public init(sequence: Int, atMillis: Int64, actor: String, action: String, subject: String,
                detail: String, previousHash: String, hash: String) {
        self.sequence = sequence; self.atMillis = atMillis; self.actor = actor; self.action = action
        self.subject = subject; self.detail = detail; self.previousHash = previousHash; self.hash = hash
    }
}

public enum AuditChain {
    /// The hash before the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// Builds the next entry after `previous` (nil for the first).
    public static func next(after previous: AuditEntry?, atMillis: Int64, actor: String, action: String,
                            subject: String, detail: String) -> AuditEntry {
        let sequence = (previous?.sequence ?? 0) + 1
        let prev = previous?.hash ?? genesis
        return AuditEntry(sequence: sequence, atMillis: atMillis, actor: actor, action: action, subject: subject,
                          detail: detail, previousHash: prev,
                          hash: hash(sequence: sequence, atMillis: atMillis, actor: actor, action: action,
                                     subject: subject, detail: detail, previousHash: prev))
    }

    /// Length-prefixed fields, so no choice of text can make two different entries hash alike.
    public static func hash(sequence: Int, atMillis: Int64, actor: String, action: String, subject: String,
                            detail: String, previousHash: String) -> String {
        let fields = [String(sequence), String(atMillis), actor, action, subject, detail, previousHash]
        let canonical = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
        return SHA256.hash(data: Data(canonical.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public enum Break: Equatable, Sendable, CustomStringConvertible {
        case gap(expected: Int, found: Int)
        case wrongLink(sequence: Int)
        case wrongHash(sequence: Int)

        public var description: String {
            switch self {
            case .gap(let expected, let found): "entry \(expected) is missing (found \(found) next)"
            case .wrongLink(let sequence): "entry \(sequence) does not point at the hash of entry \(sequence - 1)"
            case .wrongHash(let sequence): "entry \(sequence) was changed after it was written"
            }
        }
    }

    /// Verifies entries in sequence order; returns the first break, or nil when the chain holds.
    /// `after` is the already-verified entry before them (nil: they start the log), so a long log
    /// can be checked page by page.
    public static func verify<S: Sequence>(_ entries: S, after start: AuditEntry? = nil) -> Break? where S.Element == AuditEntry {
        var previous = start
        for entry in entries {
            let expected = (previous?.sequence ?? 0) + 1
            if entry.sequence != expected { return .gap(expected: expected, found: entry.sequence) }
            if entry.previousHash != (previous?.hash ?? genesis) { return .wrongLink(sequence: entry.sequence) }
            let recomputed = hash(sequence: entry.sequence, atMillis: entry.atMillis, actor: entry.actor,
                                  action: entry.action, subject: entry.subject, detail: entry.detail,
                                  previousHash: entry.previousHash)
            if recomputed != entry.hash { return .wrongHash(sequence: entry.sequence) }
            previous = entry
        }
        return nil
    }
}
