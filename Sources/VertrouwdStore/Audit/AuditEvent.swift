#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Crypto
import FluentKit
import Logging
import NIOConcurrencyHelpers
import SQLKit
import VertrouwdCore

/// One entry of the tamper-evident audit log: who read or changed what, when. It names cases by
/// id and never holds case contents.
package final class AuditEvent: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "audit_events"

    // managed fields
    @ID(custom: "seq", generatedBy: .user) package var id: Int?

    // data fields
    @Field(key: "at_millis") package var atMillis: Int64
    @Field(key: "actor") package var actor: String
    @Field(key: "action") package var action: String
    @Field(key: "subject") package var subject: String
    @Field(key: "detail") package var detail: String
    @Field(key: "prev_hash") package var previousHash: String
    @Field(key: "hash") package var hash: String

    package init() {}

    package init(_ e: AuditEntry) {
        id = e.sequence; atMillis = e.atMillis; actor = e.actor; action = e.action
        subject = e.subject; detail = e.detail; previousHash = e.previousHash; hash = e.hash
    }

    package var entry: AuditEntry {
        AuditEntry(
            sequence: id!, atMillis: atMillis, actor: actor, action: action, subject: subject,
            detail: detail, previousHash: previousHash, hash: hash)
    }
}

package struct CreateAuditEvents: ShippedMigration {
    package func prepare(on database: any Database) async throws {
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

    package func revert(on database: any Database) async throws {
        try await database.schema("audit_events").delete()
    }
}

/// Appends to the audit log. Appends are serialised — by an advisory lock on PostgreSQL (several
/// app instances), by the process's SQLite write lock (one instance) — and the schema's unique
/// sequence and unique previous-hash refuse a forked chain even if that ever failed.
///
/// Inside `Store.transaction` an entry is appended in that transaction: the change and
/// its entry commit together or not at all (a kill -9 between a commit and a later append lost
/// entries). Outside one (reads, logins) it is a transaction of its own.
package enum Audit {

    @discardableResult
    package static func record(
        _ action: String, subject: String = "", detail: String = "", actor: String,
        store: Store, db: any Database, checked: Bool = true
    ) async throws -> AuditEntry {
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        if let unit = Writes.current {
            // The transaction is ours already (on SQLite with the write lock held).
            let entry = try await appendSerialised(
                action, subject: subject, detail: detail, actor: actor, at: now, store: store, db: unit.db,
                checked: checked)
            unit.appended(entry)
            return entry
        }
        let entry: AuditEntry
        if store.dialect == .postgres {
            entry = try await db.transaction { tx in
                try await appendSerialised(
                    action, subject: subject, detail: detail, actor: actor, at: now, store: store, db: tx,
                    checked: checked)
            }
        } else {
            // The same lock as SQLite's write transactions: one writer at a time, so no
            // connection spins in SQLite's busy handler while another holds the write lock.
            entry = try await store.writeLock.run {
                try await append(
                    action, subject: subject, detail: detail, actor: actor, at: now, store: store, db: db,
                    checked: checked)
            }
        }
        store.auditAnchor?.advance(to: entry)
        return entry
    }

    /// `audit acknowledge`: an entry that records a finding and the operator's reason, appended
    /// without the head check, and the anchor put there (the old anchor file is kept beside it).
    package static func acknowledge(_ detail: String, store: Store) async throws -> AuditEntry {
        let entry = try await record(
            "audit.acknowledge", detail: detail, actor: "cli", store: store, db: store.db, checked: false)
        store.auditAnchor?.reset(to: entry, keepingOldAs: "before-acknowledge")
        return entry
    }

    /// Appends inside a transaction that is already open.
    private static func appendSerialised(
        _ action: String, subject: String, detail: String, actor: String, at: Int64,
        store: Store, db: any Database, checked: Bool
    ) async throws -> AuditEntry {
        // Held until the transaction ends: appenders of every instance take turns.
        try await AdvisoryLock.auditChain.holdUntilCommit(on: db)
        return try await append(
            action, subject: subject, detail: detail, actor: actor, at: at, store: store, db: db, checked: checked)
    }

    private static func append(
        _ action: String, subject: String, detail: String, actor: String, at: Int64,
        store: Store, db: any Database, checked: Bool
    ) async throws -> AuditEntry {
        // The anchor before the log: another process (a CLI command beside the server) may
        // append and move the anchor in between, and a head read after the log would then look
        // further than the log reaches.
        let head = store.auditAnchor?.head()
        let last = try await AuditEvent.query(on: db).sort(\.$id, .descending).first()?.entry
        if checked { try await checkHead(last: last, head: head, store: store, db: db) }
        let entry = AuditChain.next(
            after: last, atMillis: at, actor: actor, action: action,
            subject: subject, detail: detail, key: store.keys.auditChainKey)
        try await AuditEvent(entry).create(on: db)
        return entry
    }

    /// Before anything is appended (and so before the anchor moves): the log must still hold the
    /// entry the anchor names, with its hash, and end in an entry this practice wrote. Otherwise
    /// someone changed the log outside Vertrouwd, and appending would hide it: a cut tail would
    /// grow back past the anchor, a rewritten one would be anchored. Writing stops instead
    /// (`AuditAlarm`), loudly, until an operator has looked (see README, "The audit log").
    package static func checkHead(
        last: AuditEntry?, head: (sequence: Int, hash: String)?, store: Store, db: any Database
    ) async throws {
        if let raised = store.auditAlarm.raised { throw raised }
        let key = store.keys.auditChainKey
        var finding: String?
        if let head {
            if let last, last.sequence >= head.sequence {
                let atHead = last.sequence == head.sequence ? last : try await entry(head.sequence, db: db)
                if atHead?.hash != head.hash {
                    finding = "entry \(head.sequence) is not the one the anchor recorded: the log was rewritten"
                }
            } else {
                finding =
                    """
                        the log ends at entry \(last?.sequence ?? 0) but the anchor says it reached \
                        \(head.sequence): entries were removed
                        """
            }
        }
        if finding == nil, let last {
            // Unkeyed is only right for a log that has no keyed entry yet (from before the keyed chain).
            let unkeyedAllowed =
                !(head?.hash.hasPrefix(AuditChain.keyedPrefix) ?? false)
                && !last.previousHash.hasPrefix(AuditChain.keyedPrefix)
            if !AuditChain.holds(last, key: key, unkeyedAllowed: unkeyedAllowed) {
                finding = "the newest entry (\(last.sequence)) was not written with the practice's key"
            }
        }
        if let finding { throw store.auditAlarm.raise(finding) }
    }

    /// Checks the whole chain, reading it in pages so a long log does not fill memory. `count`
    /// is the number of entries that hold: all of them, or those before the break.
    package static func verify(
        db: any Database, key: SymmetricKey
    ) async throws -> (count: Int, broken: AuditChain.Break?) {
        var previous: AuditEntry?
        var count = 0
        let page = 1000
        while true {
            let after = previous?.sequence ?? 0
            let rows = try await AuditEvent.query(on: db).filter(\.$id > after).sort(\.$id, .ascending).limit(page)
                .all()
            if rows.isEmpty { return (count, nil) }
            if let broken = AuditChain.verify(rows.map(\.entry), after: previous, key: key) {
                return (max(0, broken.sequence - 1), broken)
            }
            count += rows.count
            previous = rows.last!.entry
        }
    }

    /// At start, without delaying it: the whole chain and its anchor, as `audit verify` does. A
    /// break is logged as critical and mailed to the admins. A log that no longer reaches its
    /// anchor also stops writing, as the first append would; a break further back stays on
    /// record (every `audit verify` reports it) and is announced at every start, but the work
    /// of the practice goes on.
    package static func verifyInBackground(_ store: Store) {
        Task.detached {
            do {
                let anchor = store.auditAnchor?.read()
                let (count, broken) = try await verify(db: store.db, key: store.keys.auditChainKey)
                if let broken {
                    store.auditAlarm.announce("the chain breaks at entry \(broken.sequence): \(broken.description)")
                }
                let lastSequence = try await newest(db: store.db)?.sequence ?? 0
                let finding = try await store.auditAnchor?.check(anchor, lastSequence: lastSequence) {
                    try await entry($0, db: store.db)
                }
                if let finding, finding != .intact {
                    _ = store.auditAlarm.raise(finding.description)
                } else if broken == nil {
                    store.logger.info("Audit log verified at start: \(count) entries, intact.")
                }
            } catch {
                store.logger.error(
                    "The audit log could not be verified at start: \(String(reflecting: type(of: error)))")
            }
        }
    }

    /// The newest entry: what `backup` and `audit head` print, to be kept off the server.
    package static func newest(db: any Database) async throws -> AuditEntry? {
        try await AuditEvent.query(on: db).sort(\.$id, .descending).first()?.entry
    }

    /// A log that has never been anchored (a new practice, or one from before anchors) gets its
    /// first anchor now, with an entry saying so. Once that entry exists, a missing anchor file
    /// is not made again: `audit verify` reports it.
    package static func startAnchoring(_ store: Store) async throws {
        guard let anchor = store.auditAnchor, anchor.read() == nil,
            try await AuditEvent.query(on: store.db).filter(\.$action == "audit.anchor").first() == nil
        else { return }
        try await record("audit.anchor", detail: anchor.path, actor: "system", store: store, db: store.db)
    }

    /// The entry with this sequence number, if the log has it.
    package static func entry(_ sequence: Int, db: any Database) async throws -> AuditEntry? {
        try await AuditEvent.query(on: db).filter(\.$id == sequence).first()?.entry
    }
}

/// The file that holds the audit log's anchor (`AuditAnchor`): rewritten, atomically, after each
/// entry commits, only ever forward. Kept outside the database (`VERTROUWD_AUDIT_ANCHOR`, by
/// default `audit-anchor` in the data folder); `audit verify` compares the log with it.
package final class AuditAnchorFile: Sendable {
    package let path: String
    private let key: SymmetricKey
    /// How far this process knows the anchor stands (and that entry's hash).
    private let known = NIOLockedValueBox<(sequence: Int, hash: String)>((0, ""))

    package init(path: String, masterKey: MasterKey) {
        self.path = path
        self.key = AuditAnchor.key(from: masterKey)
        if let onDisk = Self.read(path) { known.withLockedValue { $0 = (onDisk.sequence, onDisk.hash) } }
    }

    /// The entry the log must still hold: the furthest of what this process wrote and what the
    /// file says (another instance may have moved it). A file whose MAC does not hold is not
    /// believed; nil when nothing was anchored yet.
    package func head() -> (sequence: Int, hash: String)? {
        var best = known.withLockedValue { $0 }
        if let onDisk = read(), onDisk.sequence > best.sequence, onDisk.isSigned(with: key) {
            best = (onDisk.sequence, onDisk.hash)
        }
        return best.sequence > 0 ? best : nil
    }

    /// Puts the anchor at `entry` even when the file stands further: only `restore` (which has
    /// verified the restored log and makes it the practice's log) and `audit acknowledge`. The
    /// old file is kept beside it, as evidence.
    package func reset(to entry: AuditEntry, keepingOldAs label: String) {
        if FileManager.default.fileExists(atPath: path) {
            let stamp = Int(Date().timeIntervalSince1970)
            rename(path, path + ".\(label)-\(stamp)")
        }
        known.withLockedValue { $0 = (0, "") }
        advance(to: entry)
    }

    package static func read(_ path: String) -> AuditAnchor? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(AuditAnchor.init(line:))
    }

    package func read() -> AuditAnchor? { Self.read(path) }

    /// Compares an anchor read *before* the log was verified (a running server moves it on) with
    /// the log. A log with entries and no anchor is reported: deleting the file must not pass.
    package func check(
        _ anchor: AuditAnchor?, lastSequence: Int, entryAtAnchor: (Int) async throws -> AuditEntry?
    ) async throws -> AuditAnchor.Finding {
        guard let anchor else { return lastSequence == 0 ? .intact : .missing }
        return anchor.check(
            lastSequence: lastSequence, entryAtAnchor: try await entryAtAnchor(anchor.sequence), key: key)
    }

    /// Writes the anchor at `entry` even where it stands already: signed again after a key
    /// rotation (`KeyRotation.finish`).
    package func rewrite(at entry: AuditEntry) {
        advance(to: entry, rewriting: true)
    }

    /// Moves the anchor to `entry` unless it is already further: another request's entry, or
    /// another instance's (instances sharing a PostgreSQL share the file). The file is read
    /// again under its lock, so an instance that is behind never moves it back. A file that is
    /// there but cannot be read is left alone (`audit verify` reports it); rewriting after a key
    /// rotation signs again what the file holds when that is further than `entry`.
    package func advance(to entry: AuditEntry, rewriting: Bool = false) {
        known.withLockedValue { current in
            guard rewriting || entry.sequence > current.sequence else { return }
            // Read-only is enough for flock; close-on-exec keeps it from a sendmail child.
            let lock = Glibc.open(path + ".lock", O_RDONLY | O_CREAT | O_CLOEXEC, 0o600)
            guard lock >= 0 else { return }
            defer { Glibc.close(lock) }  // closing it releases the lock
            var locked = flock(lock, LOCK_EX)
            while locked != 0 && errno == EINTR { locked = flock(lock, LOCK_EX) }
            guard locked == 0 else { return }
            let onDisk = Self.read(path)
            if onDisk == nil && FileManager.default.fileExists(atPath: path) { return }
            var target = (sequence: entry.sequence, hash: entry.hash)
            if let onDisk, onDisk.sequence >= entry.sequence {
                guard rewriting else {
                    if onDisk.sequence > current.sequence { current = (onDisk.sequence, onDisk.hash) }
                    return
                }
                target = (onDisk.sequence, onDisk.hash)
            }
            let line = AuditAnchor(sequence: target.sequence, hash: target.hash, key: key).line
            // Written in full and synced before it replaces the old one: a power cut leaves the
            // old anchor or the new, never half of one. The name is per process (CLI and server).
            let temporary = path + ".tmp.\(getpid())"
            guard
                FileManager.default.createFile(
                    atPath: temporary, contents: Data(line.utf8), attributes: [.posixPermissions: 0o600]),
                let handle = FileHandle(forWritingAtPath: temporary)
            else { return }
            try? handle.synchronize()
            try? handle.close()
            guard rename(temporary, path) == 0 else { return }
            current = target
        }
    }
}

/// Raised when the log was changed outside Vertrouwd (`Audit.checkHead`): from then on this
/// instance appends nothing, so every change that must be audited is refused, until the operator
/// has looked and restarted it (a restart checks again: a log still tampered with raises it
/// again). Logged as critical and mailed to every admin when mail is set up.
package final class AuditAlarm: Sendable {
    private let state = NIOLockedValueBox<ExplainedRefusal?>(nil)
    private let logger: Logger
    private let notify: @Sendable (String) -> Void

    package init(logger: Logger, notify: @escaping @Sendable (String) -> Void) {
        self.logger = logger
        self.notify = notify
    }

    package var raised: ExplainedRefusal? { state.withLockedValue { $0 } }

    package func raise(_ finding: String) -> ExplainedRefusal {
        let (error, first) = state.withLockedValue { current -> (ExplainedRefusal, Bool) in
            if let current { return (current, false) }
            let error = ExplainedRefusal(
                .unavailable, title: "Opslaan staat stil",
                reason:
                    """
                        Het auditlogboek is buiten Vertrouwd om gewijzigd. Om dat niet te verbergen slaat Vertrouwd \
                        niets meer op
                        """
                    + " tot de beheerder het heeft onderzocht. Er is niets opgeslagen; wat je typte staat hieronder.")
            current = error
            return (error, true)
        }
        if first { announce(finding + ". Vertrouwd stops writing") }
        return error
    }

    /// Logs a finding as critical and has it mailed to every admin (when mail is set up).
    package func announce(_ finding: String) {
        logger.critical(
            """
                AUDIT LOG TAMPERED WITH: \(finding). Run `vertrouwd audit verify`, compare with the heads kept off \
                the server, and see README, 'The audit log'.
                """
        )
        notify(finding)
    }
}
