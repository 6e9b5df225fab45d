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

    public init(
        sequence: Int, atMillis: Int64, actor: String, action: String, subject: String,
        detail: String, previousHash: String, hash: String
    ) {
        self.sequence = sequence; self.atMillis = atMillis; self.actor = actor; self.action = action
        self.subject = subject; self.detail = detail; self.previousHash = previousHash; self.hash = hash
    }
}

/// The audit log's chain. Each entry's hash is an HMAC-SHA256 over its fields and its
/// predecessor's hash, keyed with the practice's chain key (`AuditChain.key`), which lives in the
/// key file and never in the database. Someone who can write the database but holds no key can
/// neither change an entry nor link a rewritten log again: the formula is public, the key is not.
///
/// Entries written before the chain was keyed (Vertrouwd before 2026-12) carry a plain SHA-256
/// hash without the `k1:` prefix. They verify as they were written, but only at the start of
/// the log: after the first keyed entry an unkeyed one is a forgery.
public enum AuditChain {
    /// The hash before the first entry.
    public static let genesis = String(repeating: "0", count: 64)
    /// Marks a keyed hash.
    public static let keyedPrefix = "k1:"

    /// The chain key when the key file names none (key files from before the keyed chain): from
    /// the master key, with its own label. `key rotate` writes it into the new file unchanged, so
    /// the log written so far still verifies after a rotation.
    public static func key(from master: MasterKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: master.key, info: Data("vertrouwd audit chain v1".utf8), outputByteCount: 32)
    }

    /// Builds the next entry after `previous` (nil for the first), keyed.
    public static func next(
        after previous: AuditEntry?, atMillis: Int64, actor: String, action: String,
        subject: String, detail: String, key: SymmetricKey
    ) -> AuditEntry {
        let sequence = (previous?.sequence ?? 0) + 1
        let prev = previous?.hash ?? genesis
        return AuditEntry(
            sequence: sequence, atMillis: atMillis, actor: actor, action: action, subject: subject,
            detail: detail, previousHash: prev,
            hash: keyedHash(
                sequence: sequence, atMillis: atMillis, actor: actor, action: action,
                subject: subject, detail: detail, previousHash: prev, key: key))
    }

    /// Length-prefixed fields, so no choice of text can make two different entries hash alike.
    static func canonical(
        sequence: Int, atMillis: Int64, actor: String, action: String, subject: String,
        detail: String, previousHash: String
    ) -> Data {
        let fields = [String(sequence), String(atMillis), actor, action, subject, detail, previousHash]
        return Data(fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|").utf8)
    }

    public static func keyedHash(
        sequence: Int, atMillis: Int64, actor: String, action: String, subject: String,
        detail: String, previousHash: String, key: SymmetricKey
    ) -> String {
        let data = canonical(
            sequence: sequence, atMillis: atMillis, actor: actor, action: action, subject: subject,
            detail: detail, previousHash: previousHash)
        return keyedPrefix + hex(HMAC<SHA256>.authenticationCode(for: data, using: key))
    }

    /// The unkeyed hash of entries written before the chain was keyed. Anyone can compute it,
    /// which is why it is accepted only before the first keyed entry.
    public static func hash(
        sequence: Int, atMillis: Int64, actor: String, action: String, subject: String,
        detail: String, previousHash: String
    ) -> String {
        hex(
            SHA256.hash(
                data: canonical(
                    sequence: sequence, atMillis: atMillis, actor: actor, action: action,
                    subject: subject, detail: detail, previousHash: previousHash)))
    }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `entry`'s own hash is right: keyed with `key`, or unkeyed where that is allowed.
    public static func holds(_ entry: AuditEntry, key: SymmetricKey, unkeyedAllowed: Bool) -> Bool {
        if entry.hash.hasPrefix(keyedPrefix) {
            let expected = keyedHash(
                sequence: entry.sequence, atMillis: entry.atMillis, actor: entry.actor,
                action: entry.action, subject: entry.subject, detail: entry.detail,
                previousHash: entry.previousHash, key: key)
            // Constant time: the comparison must not tell a forger how much of a guess was right.
            return Data(expected.utf8).withUnsafeBytes { a in
                Data(entry.hash.utf8).withUnsafeBytes { b in
                    a.count == b.count && safeCompare(a, b)
                }
            }
        }
        return unkeyedAllowed
            && entry.hash
                == hash(
                    sequence: entry.sequence, atMillis: entry.atMillis, actor: entry.actor,
                    action: entry.action, subject: entry.subject, detail: entry.detail,
                    previousHash: entry.previousHash)
    }

    private static func safeCompare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    public enum Break: Equatable, Sendable, CustomStringConvertible {
        case gap(expected: Int, found: Int)
        case wrongLink(sequence: Int)
        case wrongHash(sequence: Int)
        /// An unkeyed entry after keyed ones: written by someone without the chain key.
        case unkeyed(sequence: Int)

        /// The first entry that does not hold; the ones before it do.
        public var sequence: Int {
            switch self {
            case .gap(let expected, _): expected
            case .wrongLink(let s), .wrongHash(let s), .unkeyed(let s): s
            }
        }

        public var description: String {
            switch self {
            case .gap(let expected, let found): "entry \(expected) is missing (found \(found) next)"
            case .wrongLink(let sequence): "entry \(sequence) does not point at the hash of entry \(sequence - 1)"
            case .wrongHash(let sequence):
                "entry \(sequence) was changed after it was written, or written without the practice's key"
            case .unkeyed(let sequence):
                "entry \(sequence) has an unkeyed hash after keyed entries: it was written outside Vertrouwd"
            }
        }
    }

    /// Verifies entries in sequence order; returns the first break, or nil when the chain holds.
    /// `after` is the already-verified entry before them (nil: they start the log), so a long log
    /// can be checked page by page.
    public static func verify<S: Sequence>(_ entries: S, after start: AuditEntry? = nil, key: SymmetricKey) -> Break?
    where S.Element == AuditEntry {
        var previous = start
        for entry in entries {
            let expected = (previous?.sequence ?? 0) + 1
            if entry.sequence != expected { return .gap(expected: expected, found: entry.sequence) }
            if entry.previousHash != (previous?.hash ?? genesis) { return .wrongLink(sequence: entry.sequence) }
            let unkeyedAllowed = !(previous?.hash.hasPrefix(keyedPrefix) ?? false)
            if !entry.hash.hasPrefix(keyedPrefix) && !unkeyedAllowed { return .unkeyed(sequence: entry.sequence) }
            if !holds(entry, key: key, unkeyedAllowed: unkeyedAllowed) { return .wrongHash(sequence: entry.sequence) }
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
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: master.key, info: Data("vertrouwd audit anchor v1".utf8), outputByteCount: 32)
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

    /// Whether this anchor was written with `key` (by this practice).
    public func isSigned(with key: SymmetricKey) -> Bool {
        Self.mac(sequence: sequence, hash: hash, key: key) == mac
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
            case .tailRemoved(let end, let anchor):
                "entries \(end + 1)…\(anchor) were removed from the end (the anchor says the log reached \(anchor))"
            case .rewritten(let sequence): "entry \(sequence) is not the one the anchor recorded: the log was rewritten"
            case .missing: "the log has entries but its anchor is missing or unreadable"
            }
        }
    }

    /// Compares the anchor with the verified log: its last sequence and its entry at the anchor.
    public func check(lastSequence: Int, entryAtAnchor: AuditEntry?, key: SymmetricKey) -> Finding {
        guard Self.mac(sequence: sequence, hash: hash, key: key) == mac else { return .forged }
        guard lastSequence >= sequence, let entry = entryAtAnchor else {
            return .tailRemoved(logEndsAt: lastSequence, anchorAt: sequence)
        }
        return entry.hash == hash ? .intact : .rewritten(sequence: sequence)
    }
}
