#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Fluent
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import VertrouwdCore

/// One entry of the tamper-evident audit log: who read or changed what, when. It names cases by
/// id and never holds case contents.
final class AuditEvent: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "audit_events"

    // managed fields
    @ID(custom: "seq", generatedBy: .user) var id: Int?

    // data fields
    @Field(key: "at_millis") var atMillis: Int64
    @Field(key: "actor") var actor: String
    @Field(key: "action") var action: String
    @Field(key: "subject") var subject: String
    @Field(key: "detail") var detail: String
    @Field(key: "prev_hash") var previousHash: String
    @Field(key: "hash") var hash: String

    init() {}

    init(_ e: AuditEntry) {
        id = e.sequence; atMillis = e.atMillis; actor = e.actor; action = e.action
        subject = e.subject; detail = e.detail; previousHash = e.previousHash; hash = e.hash
    }

    var entry: AuditEntry {
        AuditEntry(sequence: id!, atMillis: atMillis, actor: actor, action: action, subject: subject,
                   detail: detail, previousHash: previousHash, hash: hash)
    }
}

struct CreateAuditEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("audit_events")
            .field("seq", .int64, .identifier(auto: false))
            .field("at_millis", .int64, .required)
            .field("actor", .string, .required)
            .field("action", .string, .required)
            .field("subject", .string, .required)
            .field("detail", .string, .required)
            .field("prev_hash", .string, .required)
            .field("hash", .string, .required)
            .unique(on: "prev_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_events").delete()
    }
}

/// Appends to the audit log. Appends are serialised — by an advisory lock on PostgreSQL (several
/// app instances), by the process's SQLite write lock (one instance) — and the schema's unique
/// sequence and unique previous-hash refuse a forked chain even if that ever failed.
///
/// Inside `Application.transaction` an entry is appended in that transaction: the change and
/// its entry commit together or not at all (a kill -9 between a commit and a later append lost
/// entries). Outside one (reads, logins) it is a transaction of its own.
enum Audit {
    private static let advisoryLockID = 7_263_001

    static func record(_ action: String, subject: String = "", detail: String = "", actor: String,
                       app: Application, db: any Database) async throws {
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        if let unit = Writes.current {
            // The transaction is ours already (on SQLite with the write lock held).
            unit.appended(try await appendSerialised(action, subject: subject, detail: detail, actor: actor, at: now, app: app, db: unit.db))
            return
        }
        let entry: AuditEntry
        if case .postgres = app.settings.database {
            entry = try await db.transaction { tx in
                try await appendSerialised(action, subject: subject, detail: detail, actor: actor, at: now, app: app, db: tx)
            }
        } else {
            // The same lock as SQLite's write transactions: one writer at a time, so no
            // connection spins in SQLite's busy handler while another holds the write lock.
            entry = try await app.sqliteWriteLock.run {
                try await append(action, subject: subject, detail: detail, actor: actor, at: now, db: db)
            }
        }
        app.auditAnchor?.advance(to: entry)
    }

    /// Appends inside a transaction that is already open.
    private static func appendSerialised(_ action: String, subject: String, detail: String, actor: String, at: Int64,
                                         app: Application, db: any Database) async throws -> AuditEntry {
        if case .postgres = app.settings.database {
            // Held until the transaction ends: appenders of every instance take turns.
            try await (db as! any SQLDatabase).raw("SELECT pg_advisory_xact_lock(\(literal: advisoryLockID))").run()
        }
        return try await append(action, subject: subject, detail: detail, actor: actor, at: at, db: db)
    }

    private static func append(_ action: String, subject: String, detail: String, actor: String, at: Int64,
                               db: any Database) async throws -> AuditEntry {
        let last = try await AuditEvent.query(on: db).sort(\.$id, .descending).first()
        let entry = AuditChain.next(after: last?.entry, atMillis: at, actor: actor, action: action,
                                    subject: subject, detail: detail)
        try await AuditEvent(entry).create(on: db)
        return entry
    }

    /// Checks the whole chain, reading it in pages so a long log does not fill memory.
    static func verify(db: any Database) async throws -> (count: Int, broken: AuditChain.Break?) {
        var previous: AuditEntry?
        var count = 0
        let page = 1000
        while true {
            let after = previous?.sequence ?? 0
            let rows = try await AuditEvent.query(on: db).filter(\.$id > after).sort(\.$id, .ascending).limit(page).all()
            if rows.isEmpty { return (count, nil) }
            if let broken = AuditChain.verify(rows.map(\.entry), after: previous) { return (count, broken) }
            count += rows.count
            previous = rows.last!.entry
        }
    }

    /// A log that has never been anchored (a new practice, or one from before anchors) gets its
    /// first anchor now, with an entry saying so. Once that entry exists, a missing anchor file
    /// is not made again: `audit verify` reports it.
    static func startAnchoring(_ app: Application) async throws {
        guard let anchor = app.auditAnchor, anchor.read() == nil,
              try await AuditEvent.query(on: app.db).filter(\.$action == "audit.anchor").first() == nil else { return }
        try await record("audit.anchor", detail: anchor.path, actor: "system", app: app, db: app.db)
    }

    /// The entry with this sequence number, if the log has it.
    static func entry(_ sequence: Int, db: any Database) async throws -> AuditEntry? {
        try await AuditEvent.query(on: db).filter(\.$id == sequence).first()?.entry
    }
}

/// The file that holds the audit log's anchor (`AuditAnchor`): rewritten, atomically, after each
/// entry commits, only ever forward. Kept outside the database (`VERTROUWD_AUDIT_ANCHOR`, by
/// default `audit-anchor` in the data folder); `audit verify` compares the log with it.
final class AuditAnchorFile: Sendable {
    let path: String
    private let key: SymmetricKey
    private let head = NIOLockedValueBox<Int>(0)

    init(path: String, masterKey: MasterKey) {
        self.path = path
        self.key = AuditAnchor.key(from: masterKey)
        head.withLockedValue { $0 = Self.read(path)?.sequence ?? 0 }
    }

    static func read(_ path: String) -> AuditAnchor? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(AuditAnchor.init(line:))
    }

    func read() -> AuditAnchor? { Self.read(path) }

    /// Compares an anchor read *before* the log was verified (a running server moves it on) with
    /// the log. A log with entries and no anchor is reported: deleting the file must not pass.
    func check(_ anchor: AuditAnchor?, lastSequence: Int, entryAtAnchor: (Int) async throws -> AuditEntry?) async throws -> AuditAnchor.Finding {
        guard let anchor else { return lastSequence == 0 ? .intact : .missing }
        return anchor.check(lastSequence: lastSequence, entryAtAnchor: try await entryAtAnchor(anchor.sequence), key: key)
    }

    /// Writes the anchor at `entry` even where it stands already: signed again after a key
    /// rotation (`KeyRotation.finish`).
    func rewrite(at entry: AuditEntry) {
        advance(to: entry, rewriting: true)
    }

    /// Moves the anchor to `entry` unless it is already further: another request's entry, or
    /// another instance's (instances sharing a PostgreSQL share the file). The file is read
    /// again under its lock, so an instance that is behind never moves it back. A file that is
    /// there but cannot be read is left alone (`audit verify` reports it); rewriting after a key
    /// rotation signs again what the file holds when that is further than `entry`.
    func advance(to entry: AuditEntry, rewriting: Bool = false) {
        head.withLockedValue { current in
            guard rewriting || entry.sequence > current else { return }
            // Read-only is enough for flock; close-on-exec keeps it from a sendmail child.
            let lock = Glibc.open(path + ".lock", O_RDONLY | O_CREAT | O_CLOEXEC, 0o600)
            guard lock >= 0 else { return }
            defer { Glibc.close(lock) } // closing it releases the lock
            var locked = flock(lock, LOCK_EX)
            while locked != 0 && errno == EINTR { locked = flock(lock, LOCK_EX) }
            guard locked == 0 else { return }
            let onDisk = Self.read(path)
            if onDisk == nil && FileManager.default.fileExists(atPath: path) { return }
            var target = (sequence: entry.sequence, hash: entry.hash)
            if let onDisk, onDisk.sequence >= entry.sequence {
                guard rewriting else {
                    current = max(current, onDisk.sequence)
                    return
                }
                target = (onDisk.sequence, onDisk.hash)
            }
            let line = AuditAnchor(sequence: target.sequence, hash: target.hash, key: key).line
            // Written in full and synced before it replaces the old one: a power cut leaves the
            // old anchor or the new, never half of one. The name is per process (CLI and server).
            let temporary = path + ".tmp.\(getpid())"
            guard FileManager.default.createFile(atPath: temporary, contents: Data(line.utf8), attributes: [.posixPermissions: 0o600]),
                  let handle = FileHandle(forWritingAtPath: temporary) else { return }
            try? handle.synchronize()
            try? handle.close()
            guard rename(temporary, path) == 0 else { return }
            current = target.sequence
        }
    }
}

extension Application {
    private struct AnchorKey: StorageKey { typealias Value = AuditAnchorFile }

    /// Set by `configure` when an anchor path is configured.
    var auditAnchor: AuditAnchorFile? {
        get { storage[AnchorKey.self] }
        set { storage[AnchorKey.self] = newValue }
    }
}

extension Request {
    /// Records what the logged-in staff member did (or "system").
    func audit(_ action: String, subject: String = "", detail: String = "") async throws {
        try await Audit.record(action, subject: subject, detail: detail,
                               actor: staff.map { "user:\($0.userID.uuidString)" } ?? "system",
                               app: application, db: db)
    }
}
