import Fluent
import NIOConcurrencyHelpers
import VertrouwdCore
import SQLKit
import Vapor

extension Application {
    private struct WriteLockKey: StorageKey { typealias Value = AsyncMutex }

    /// One writer at a time within this process, for SQLite (which has one instance).
    var sqliteWriteLock: AsyncMutex {
        get { storage[WriteLockKey.self]! }
        set { storage[WriteLockKey.self] = newValue }
    }

    /// Runs `body` in a transaction: all of it is saved, or nothing — audit entries recorded
    /// inside it included (`Audit.record` joins the open transaction).
    ///
    /// On PostgreSQL this is an ordinary transaction. On SQLite, Fluent's `BEGIN` is deferred:
    /// a transaction that reads first and writes later fails with SQLITE_BUSY when another
    /// connection wrote in between. So on SQLite writers take turns in the process and start with
    /// `BEGIN IMMEDIATE`, which takes the write lock before the first read.
    ///
    /// Called inside another transaction, it joins that one (the lock is not reentrant).
    func transaction<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if let unit = Writes.current { return try await body(unit.db) }
        let result: T
        let unitBox = NIOLockedValueBox<Writes.Unit?>(nil)
        if case .postgres = settings.database {
            result = try await db.transaction { tx in
                let unit = Writes.Unit(db: tx)
                unitBox.withLockedValue { $0 = unit }
                return try await Writes.$current.withValue(unit) { try await body(tx) }
            }
        } else {
            result = try await sqliteWriteLock.run {
                try await db.withConnection { conn in
                    let sql = conn as! any SQLDatabase
                    try await sql.raw("BEGIN IMMEDIATE").run()
                    do {
                        let unit = Writes.Unit(db: conn)
                        unitBox.withLockedValue { $0 = unit }
                        let result = try await Writes.$current.withValue(unit) { try await body(conn) }
                        try await sql.raw("COMMIT").run()
                        return result
                    } catch {
                        try? await sql.raw("ROLLBACK").run()
                        throw error
                    }
                }
            }
        }
        // Committed: the anchor may move to the newest entry written in it.
        if let entry = unitBox.withLockedValue({ $0?.lastEntry }) { auditAnchor?.advance(to: entry) }
        return result
    }
}

/// The transaction a task is inside, if any: `Application.transaction` sets it, and
/// `Audit.record` and nested transactions join it (a second connection would, on SQLite, wait
/// for this one forever).
enum Writes {
    @TaskLocal static var current: Unit?

    final class Unit: Sendable {
        let db: any Database
        private let last = NIOLockedValueBox<AuditEntry?>(nil)

        init(db: any Database) { self.db = db }

        func appended(_ entry: AuditEntry) { last.withLockedValue { $0 = entry } }
        var lastEntry: AuditEntry? { last.withLockedValue { $0 } }
    }
}

