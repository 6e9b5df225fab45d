import Crypto
import Foundation

/// A calendar month that names a retention epoch (*bewaartijdvak*): `2028-11`.
public struct KeyEpoch: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (1...12).contains(month), (1970...9999).contains(year) else { return nil }
        self.year = year; self.month = month
    }

    /// The month a day falls in.
    public init(_ day: Day) { self.year = day.year; self.month = day.month }

    public init?(label: String) {
        let parts = label.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1])
        else { return nil }
        self.init(year: y, month: m)
    }

    public var label: String { String(format: "%04d-%02d", year, month) }
    public var description: String { label }

    public func adding(months: Int) -> KeyEpoch {
        let index = year * 12 + (month - 1) + months
        return KeyEpoch(year: index / 12, month: index % 12 + 1)!
    }

    public static func < (a: KeyEpoch, b: KeyEpoch) -> Bool { (a.year, a.month) < (b.year, b.month) }
}

/// The practice's keys, kept in the key file and never in the database (*sleutelbestand*).
///
/// - the **master key** seals what belongs to no case (TOTP secrets, the key check, the audit
///   anchor's MAC) and the *carried* case keys;
/// - an **epoch key** per month wraps the keys of the cases whose retention ends in that month.
///   All epochs are made at once, a century ahead, so the file does not change when cases are
///   opened and several instances can share one copy;
/// - a **carried** case key is a case key wrapped by the master key, written here when its
///   epoch is deleted while the case is kept (legal hold, a later closing): a database backup
///   made before the move still names the deleted epoch, and the carried copy keeps the case
///   readable from it.
///
/// Destroying a case deletes its epoch key (after carrying the epoch's other cases) and its
/// carried copy. Every copy of the case key that any database backup holds was wrapped by one of
/// those two, so no restored backup opens the case again with this file.
public struct Keyring: Sendable {
    public private(set) var master: MasterKey
    public private(set) var epochs: [KeyEpoch: SymmetricKey]
    /// Case id (upper-case UUID text) → case key wrapped by the master key.
    public private(set) var carried: [String: Data]
    /// Epochs a retention run is deleting: written before its transaction commits, so that even
    /// a crash followed by restoring an earlier database (which does not list them as retired)
    /// still ends with them deleted.
    public private(set) var retiring: Set<KeyEpoch> = []
    /// The audit chain's HMAC key (`AuditChain`), when the file names one: new files do. It is
    /// not a wrapping key, and `rotated` keeps it, so the log written so far still verifies.
    public private(set) var auditKey: SymmetricKey?

    /// The key the audit chain is keyed with: the file's, or (older files) one from the master key.
    public var auditChainKey: SymmetricKey { auditKey ?? AuditChain.key(from: master) }

    public static let header = "vertrouwd-keyring 1"
    /// How many months of epochs a new key file holds.
    public static let horizonMonths = 100 * 12

    public init(master: MasterKey, epochs: [KeyEpoch: SymmetricKey], carried: [String: Data] = [:]) {
        self.master = master; self.epochs = epochs; self.carried = carried
    }

    /// A new keyring: `master`, and an epoch key for every month from `from` on.
    /// `ownAuditKey: false` leaves the audit chain keyed from the master key (a key given inline,
    /// which every instance must derive alike).
    public static func generate(
        master: MasterKey = .generate(), from: KeyEpoch, months: Int = horizonMonths,
        ownAuditKey: Bool = true
    ) -> Keyring {
        var epochs: [KeyEpoch: SymmetricKey] = [:]
        for i in 0..<months { epochs[from.adding(months: i)] = SymmetricKey(size: .bits256) }
        var keyring = Keyring(master: master, epochs: epochs)
        if ownAuditKey { keyring.auditKey = SymmetricKey(size: .bits256) }
        return keyring
    }

    // MARK: wrapping case keys

    public enum KeyError: Error, Equatable, Sendable {
        /// The case's epoch key and carried copy are gone: the case was destroyed.
        case destroyed
        /// The case names an epoch key this file does not hold (another key file).
        case unknownKey(String)
    }

    /// The id stored with a case key wrapped by `epoch`: `ep-2028-11-<fingerprint>`, so a key
    /// file with other epoch keys is recognised instead of failing as damaged data.
    public func keyID(for epoch: KeyEpoch) -> String? {
        epochs[epoch].map { "ep-\(epoch.label)-\(Self.fingerprint($0))" }
    }

    /// Wraps a case key with an epoch key, bound to its case.
    public func wrap(_ caseKey: CaseKey, caseID: String, epoch: KeyEpoch) throws -> (keyID: String, wrapped: Data) {
        guard let key = epochs[epoch], let id = keyID(for: epoch) else {
            throw KeyError.unknownKey("ep-\(epoch.label)")
        }
        return (id, try Self.wrap(caseKey, with: key, caseID: caseID))
    }

    /// Opens a case key: with its epoch key, else its carried copy (a backup from before the
    /// epoch was deleted, or from before epochs existed). A case key wrapped by the master key
    /// itself (before epochs) opens only through its carried copy: the upgrade carried every one,
    /// and destroying the case deletes that copy, so a backup from before the upgrade does not
    /// open a case destroyed since.
    public func unwrap(keyID: String, wrapped: Data, caseID: String) throws -> CaseKey {
        if let epoch = Self.epoch(ofKeyID: keyID), let key = epochs[epoch], keyID == self.keyID(for: epoch) {
            return try Self.unwrap(wrapped, with: key, caseID: caseID)
        }
        if let copy = carried[caseID] { return try master.unwrap(copy, caseID: caseID) }
        if let epoch = Self.epoch(ofKeyID: keyID), epochs[epoch] != nil { throw KeyError.unknownKey(keyID) }
        if Self.epoch(ofKeyID: keyID) == nil && keyID != master.id { throw KeyError.unknownKey(keyID) }
        throw KeyError.destroyed
    }

    /// The epoch a key id names, or nil for a master-wrapped (older) key.
    public static func epoch(ofKeyID keyID: String) -> KeyEpoch? {
        guard keyID.hasPrefix("ep-") else { return nil }
        return KeyEpoch(label: String(keyID.dropFirst(3).prefix(7)))
    }

    // MARK: changing the file

    /// Keeps a master-wrapped copy of a case key that must outlive its epoch.
    public mutating func carry(_ caseKey: CaseKey, caseID: String) throws {
        carried[caseID] = try master.wrap(caseKey, caseID: caseID)
    }

    /// Notes epochs as being deleted (see `retiring`).
    public mutating func retire(_ gone: Set<KeyEpoch>) {
        retiring.formUnion(gone.filter { epochs[$0] != nil })
    }

    /// Forgets epoch keys and carried copies: what they wrapped can no longer be opened.
    public mutating func forget(epochs gone: Set<KeyEpoch>, carried ids: Set<String>) {
        for e in gone { epochs[e] = nil }
        retiring.subtract(gone)
        for id in ids { carried[id] = nil }
    }

    /// The first epoch at or after `epoch` that this file still holds.
    public func available(from epoch: KeyEpoch, excluding retired: Set<KeyEpoch> = []) -> KeyEpoch? {
        epochs.keys.filter { $0 >= epoch && !retired.contains($0) }.min()
    }

    /// A new master key and new epoch keys for the same months (`key rotate`); carried copies
    /// are wrapped again by the new master key.
    public func rotated() throws -> Keyring {
        let master = MasterKey.generate()
        var next = Keyring(master: master, epochs: epochs.mapValues { _ in SymmetricKey(size: .bits256) })
        for (id, copy) in carried { try next.carry(try self.master.unwrap(copy, caseID: id), caseID: id) }
        next.retiring = retiring
        next.auditKey = auditChainKey
        return next
    }

    // MARK: the file

    /// The key file's text: a header, the master key, one line per epoch and per carried key.
    public var fileContents: String {
        var lines = [
            "# Vertrouwd key file: the master key, the retention epochs and carried case keys.",
            "# Keep it apart from the database backups; see README, \"Backups and keys\".",
            Self.header, "master " + Self.base64(master.key)
        ]
        for (epoch, key) in epochs.sorted(by: { $0.key < $1.key }) {
            lines.append("epoch \(epoch.label) \(Self.base64(key))")
        }
        for (id, copy) in carried.sorted(by: { $0.key < $1.key }) {
            lines.append("carry \(id) \(copy.base64EncodedString())")
        }
        for epoch in retiring.sorted() { lines.append("retiring \(epoch.label)") }
        if let auditKey { lines.append("audit " + Self.base64(auditKey)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads a key file. An older file holds only the master key (base64 of 32 bytes): it is
    /// read as a keyring without epochs (`isLegacy`), to be completed with `generate`'s epochs.
    public init?(fileContents: String) {
        let lines = fileContents.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        if lines.count == 1, let master = MasterKey(fileContents: lines[0]) {
            self.init(master: master, epochs: [:])
            return
        }
        guard lines.first == Self.header else { return nil }
        var master: MasterKey?
        var epochs: [KeyEpoch: SymmetricKey] = [:]
        var carried: [String: Data] = [:]
        var retiring: Set<KeyEpoch> = []
        var auditKey: SymmetricKey?
        for line in lines.dropFirst() {
            let f = line.split(separator: " ").map(String.init)
            switch (f.first, f.count) {
            case ("master", 2):
                guard master == nil, let m = MasterKey(fileContents: f[1]) else { return nil }
                master = m
            case ("epoch", 3):
                guard let e = KeyEpoch(label: f[1]), let d = Data(base64Encoded: f[2]), d.count == 32 else {
                    return nil
                }
                epochs[e] = SymmetricKey(data: d)
            case ("carry", 3):
                guard UUID(uuidString: f[1]) != nil, let d = Data(base64Encoded: f[2]) else { return nil }
                carried[f[1]] = d
            case ("retiring", 2):
                guard let e = KeyEpoch(label: f[1]) else { return nil }
                retiring.insert(e)
            case ("audit", 2):
                guard auditKey == nil, let d = Data(base64Encoded: f[1]), d.count == 32 else { return nil }
                auditKey = SymmetricKey(data: d)
            default:
                return nil
            }
        }
        guard let master else { return nil }
        self.init(master: master, epochs: epochs, carried: carried)
        self.retiring = retiring
        self.auditKey = auditKey
    }

    /// A key file from before epochs: the master key alone.
    public var isLegacy: Bool { epochs.isEmpty && carried.isEmpty && retiring.isEmpty && auditKey == nil }

    /// Adds epoch keys for every month from `from` on that the file lacks (an older file).
    public mutating func addEpochs(from: KeyEpoch, months: Int = horizonMonths) {
        for i in 0..<months where epochs[from.adding(months: i)] == nil {
            epochs[from.adding(months: i)] = SymmetricKey(size: .bits256)
        }
    }

    // MARK: helpers

    static func wrap(_ caseKey: CaseKey, with key: SymmetricKey, caseID: String) throws -> Data {
        try AES.GCM.seal(
            caseKey.key.withUnsafeBytes { Data($0) }, using: key,
            authenticating: Data("vertrouwd/case-key/v1/\(caseID)".utf8)
        ).combined!
    }

    static func unwrap(_ wrapped: Data, with key: SymmetricKey, caseID: String) throws -> CaseKey {
        let raw = try AES.GCM.open(
            AES.GCM.SealedBox(combined: wrapped), using: key,
            authenticating: Data("vertrouwd/case-key/v1/\(caseID)".utf8))
        return CaseKey(key: SymmetricKey(data: raw))
    }

    static func fingerprint(_ key: SymmetricKey) -> String {
        let digest = SHA256.hash(data: Data("vertrouwd-epoch-id".utf8) + key.withUnsafeBytes { Data($0) })
        return digest.prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    static func base64(_ key: SymmetricKey) -> String { key.withUnsafeBytes { Data($0).base64EncodedString() } }
}
