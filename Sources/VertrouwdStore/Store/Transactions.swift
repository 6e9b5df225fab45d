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
                try await unit.writeCaseVersions()
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
                        try await unit.writeCaseVersions()
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

        /// A case of this organisation is written in this unit (`CaseWriter`): as the unit commits,
        /// the organisation gets a new case version (`organisation_case_versions`), and what was
        /// worked out from its cases and kept (`Organisation.namesAndCaseVersions`) is out of date,
        /// on every instance.
        package func touch(organisation: UUID) { touched.withLockedValue { _ = $0.insert(organisation) } }

        /// Gives the organisations touched a new case version, last thing before the commit: a
        /// random one, so no version comes back (a restored backup holds older ones).
        func writeCaseVersions() async throws {
            // In one order, so two units never wait on each other's rows (every unit that touches
            // also holds the audit chain's lock by now, which already makes them take turns).
            let ids = touched.withLockedValue { $0 }.sorted { $0.uuidString < $1.uuidString }
            guard !ids.isEmpty else { return }
            let version = Int.random(in: 1...Int.max)
            let rows = SQLList(ids.map { SQLQueryString("(\(bind: $0), \(bind: version))") })
            try await (db as! any SQLDatabase).raw(
                """
                INSERT INTO organisation_case_versions (organisation_id, version) VALUES \(rows) \
                ON CONFLICT (organisation_id) DO UPDATE SET version = excluded.version
                """
            ).run()
        }
    }
}
