import FluentKit
import SQLKit

/// PostgreSQL's advisory locks, the one list of their ids: instances that share a database take
/// turns through them. SQLite needs none (one instance, `Store.writeLock`), so both calls do
/// nothing there.
package enum AdvisoryLock: Int64, Sendable, CaseIterable {
    /// Start-up: migrations and the key file check.
    case migrations = 7_263_000
    /// Appending to the audit log's hash chain.
    case auditChain = 7_263_001
    /// Giving a new case its number (and destroying cases, which frees numbers of the year).
    case numbering = 7_263_002
    /// The retention run.
    case retention = 7_263_003
    /// An import of organisations: checked and written in one go, one at a time.
    case organisationImport = 7_263_004

    /// Held until the transaction `db` is in ends.
    package func holdUntilCommit(on db: any Database) async throws {
        guard Dialect(db) == .postgres, let sql = db as? any SQLDatabase else { return }
        try await sql.raw("SELECT pg_advisory_xact_lock(\(literal: rawValue))").run()
    }

    /// Held on one session while `body` runs, and let go after it, also when it throws.
    package func holding<T: Sendable>(
        on db: any Database, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard Dialect(db) == .postgres, let sql = db as? any SQLDatabase else { return try await body() }
        return try await sql.withSession { conn in
            try await conn.raw("SELECT pg_advisory_lock(\(literal: rawValue))").run()
            do {
                let result = try await body()
                try await conn.raw("SELECT pg_advisory_unlock(\(literal: rawValue))").run()
                return result
            } catch {
                try? await conn.raw("SELECT pg_advisory_unlock(\(literal: rawValue))").run()
                throw error
            }
        }
    }
}
