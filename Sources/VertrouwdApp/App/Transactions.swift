import Fluent
import SQLKit
import Vapor

extension Application {
    private struct WriteLockKey: StorageKey { typealias Value = AsyncMutex }

    /// One writer at a time within this process, for SQLite (which has one instance).
    var sqliteWriteLock: AsyncMutex {
        get { storage[WriteLockKey.self]! }
        set { storage[WriteLockKey.self] = newValue }
    }

    /// Runs `body` in a transaction: all of it is saved, or nothing.
    ///
    /// On PostgreSQL this is an ordinary transaction. On SQLite, Fluent's `BEGIN` is deferred:
    /// a transaction that reads first and writes later fails with SQLITE_BUSY when another
    /// connection wrote in between. So on SQLite writers take turns in the process and start with
    /// `BEGIN IMMEDIATE`, which takes the write lock before the first read.
    func transaction<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if case .postgres = settings.database {
            return try await db.transaction(body)
        }
        return try await sqliteWriteLock.run {
            try await db.withConnection { conn in
                let sql = conn as! any SQLDatabase
                try await sql.raw("BEGIN IMMEDIATE").run()
                do {
                    let result = try await body(conn)
                    try await sql.raw("COMMIT").run()
                    return result
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }
}
