import Foundation
import FluentKit
import NIOConcurrencyHelpers
import VertrouwdCore
import SQLKit

extension Store {
    /// Runs `body` in a transaction: all of it is saved, or nothing — audit entries recorded
    /// inside it included (`Audit.record` joins the open transaction).
    ///
    /// On PostgreSQL this is an ordinary transaction. On SQLite, Fluent's `BEGIN` is deferred:
    /// a transaction that reads first and writes later fails with SQLITE_BUSY when another
    /// connection wrote in between. So on SQLite writers take turns in the process and start with
    /// `BEGIN IMMEDIATE`, which takes the write lock before the first read.
    ///
    /// Called inside another transaction, it joins that one (the lock is not reentrant).
    package func transaction<T: Sendable>(
        _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        let db = self.db
        if let unit = Writes.current { return try await body(unit.db) }
        let result: T
        let unitBox = NIOLockedValueBox<Writes.Unit?>(nil)
        if dialect == .postgres {
            result = try await db.transaction { tx in
                let unit = Writes.Unit(db: tx)
                unitBox.withLockedValue { $0 = unit }
                let result = try await Writes.$current.withValue(unit) { try await body(tx) }
                try await unit.countCasesWritten()
                return result
            }
        } else {
            result = try await writeLock.run {
                try await db.withConnection { conn in
                    let sql = conn as! any SQLDatabase
                    try await sql.raw("BEGIN IMMEDIATE").run()
                    do {
                        let unit = Writes.Unit(db: conn)
                        unitBox.withLockedValue { $0 = unit }
                        let result = try await Writes.$current.withValue(unit) { try await body(conn) }
                        try await unit.countCasesWritten()
                        try await sql.raw("COMMIT").run()
                        return result
                    } catch {
                        try? await sql.raw("ROLLBACK").run()
                        throw error
                    }
                }
            }
        }
        committed()
        // Committed: the anchor may move to the newest entry written in it.
        if let entry = unitBox.withLockedValue({ $0?.lastEntry }) { auditAnchor?.advance(to: entry) }
        return result
    }
}

/// The transaction a task is inside, if any: `Store.transaction` sets it, and
/// `Audit.record` and nested transactions join it (a second connection would, on SQLite, wait
/// for this one forever).
package enum Writes {
    @TaskLocal package static var current: Unit?

    package final class Unit: Sendable {
        package let db: any Database
        private let last = NIOLockedValueBox<AuditEntry?>(nil)
        private let touched = NIOLockedValueBox<Set<UUID>>([])

        package init(db: any Database) { self.db = db }

        package func appended(_ entry: AuditEntry) { last.withLockedValue { $0 = entry } }
        package var lastEntry: AuditEntry? { last.withLockedValue { $0 } }

        /// A case of this organisation is written in this unit (`CaseWriter`): its `cases_written`
        /// goes up by one as the unit commits, and what was worked out from the organisation's
        /// cases and kept (`Organisation.casesWritten`) is out of date, on every instance.
        package func touch(organisation: UUID) { touched.withLockedValue { _ = $0.insert(organisation) } }

        /// Raises the count of the organisations touched, last thing before the commit.
        func countCasesWritten() async throws {
            let ids = touched.withLockedValue { $0 }
            guard !ids.isEmpty else { return }
            try await (db as! any SQLDatabase).raw(
                "UPDATE organisations SET cases_written = cases_written + 1 WHERE id IN (\(binds: Array(ids)))"
            ).run()
        }
    }
}
