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

/// The head of the audit log, written outside the database with a MAC whose key the database
/// does not hold (derived from the master key). The chain alone proves that no entry was
/// changed or removed *before* the newest one; cutting entries off the end leaves a shorter chain
/// that still links. The anchor says how long the log was: a log that ends before it, or whose
/// entry at the anchor has another hash, was cut or rewritten.
public struct AuditAnchor: Equatable, Sendable {
    public let sequence: Int
    public let hash: String
    public let mac: String

    /// The MAC key for anchors, from the master key (HKDF-SHA256, its own label).
    public static func key(from master: MasterKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: master.key, info: Data("vertrouwd audit anchor v1".utf8), outputByteCount: 32)
    }

    public init(sequence: Int, hash: String, key: SymmetricKey) {
        self.sequence = sequence
        self.hash = hash
        self.mac = Self.mac(sequence: sequence, hash: hash, key: key)
    }

    private init(sequence: Int, hash: String, mac: String) {
        self.sequence = sequence; self.hash = hash; self.mac = mac
    }

    static func mac(sequence: Int, hash: String, key: SymmetricKey) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(sequence)|\(hash)".utf8), using: key)
        return Data(code).map { String(format: "%02x", $0) }.joined()
    }

    /// One line: `sequence hash mac`.
    public var line: String { "\(sequence) \(hash) \(mac)\n" }

    public init?(line: String) {
        let parts = line.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard parts.count == 3, let sequence = Int(parts[0]) else { return nil }
        self.init(sequence: sequence, hash: parts[1], mac: parts[2])
    }

    public enum Finding: Equatable, Sendable, CustomStringConvertible {
        case intact
        /// The anchor was not made with this key: forged, or from another practice.
        case forged
        /// The log ends before the anchor: its newest entries were removed.
        case tailRemoved(logEndsAt: Int, anchorAt: Int)
        /// The entry at the anchor is not the one the anchor names: the log was rewritten.
        case rewritten(sequence: Int)
        /// The log has entries but its anchor is gone or unreadable (deleted with the tail?).
        case missing

        public var description: String {
            switch self {
            case .intact: "the log reaches its anchor"
            case .forged: "the anchor's MAC does not match: it was not written by this practice"
            case .tailRemoved(let end, let anchor): "entries \(end + 1)…\(anchor) were removed from the end (the anchor says the log reached \(anchor))"
            case .rewritten(let sequence): "entry \(sequence) is not the one the anchor recorded: the log was rewritten"
            case .missing: "the log has entries but its anchor is missing or unreadable"
            }
        }
    }

    /// Compares the anchor with the verified log: its last sequence and its entry at the anchor.
    public func check(lastSequence: Int, entryAtAnchor: AuditEntry?, key: SymmetricKey) -> Finding {
        guard Self.mac(sequence: sequence, hash: hash, key: key) == mac else { return .forged }
        guard lastSequence >= sequence, let entry = entryAtAnchor else { return .tailRemoved(logEndsAt: lastSequence, anchorAt: sequence) }
        return entry.hash == hash ? .intact : .rewritten(sequence: sequence)
    }
}
