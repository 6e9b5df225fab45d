import FluentKit
import Foundation
import SQLKit

/// Counters that many requests may bump at the same moment (failed logins, wrong receipt codes).
package enum Counters {
    /// Adds one in the database itself and returns the new value: `UPDATE … SET n = n + 1 …
    /// RETURNING n`, atomic on SQLite and PostgreSQL alike. Reading the count, adding one and
    /// saving lost updates: 20 concurrent wrong logins counted 2 and never locked the account.
    package static func increment(_ table: String, _ column: String, id: UUID, on db: any Database) async throws -> Int
    {
        let row = try await (db as! any SQLDatabase).raw(
            """
            UPDATE \(ident: table) SET \(ident: column) = \(ident: column) + 1 WHERE id = \(bind: id) RETURNING \
            \(ident: column)
            """
        ).first()
        return try row?.decode(column: column, as: Int.self) ?? 0
    }
}
