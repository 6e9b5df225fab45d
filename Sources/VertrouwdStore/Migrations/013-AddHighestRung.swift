import Foundation
import FluentKit
import FluentSQL
import SQLKit

/// 13: the highest rung of the ladder a case reached (`CaseLifecycle.highestRung`), so the annual
/// report's "Hoogste trede bereikt" no longer drops when a case steps down. Existing cases get
/// the highest of their current rung and every escalation recorded; the report's covering index
/// holds the new column instead of the current rung.
package struct AddHighestRung: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        // One transaction: a crash half-way leaves the migration to run again, not a column that
        // stops every later start.
        try await database.transaction { try await prepareSteps(on: $0) }
    }

    private func prepareSteps(on database: any Database) async throws {
        try await database.schema("cases")
            .field("ladder_highest", .int, .required, .sql(.default(1)))
            .update()
        let sql = database as! any SQLDatabase
        let greatest = Dialect(database) == .sqlite ? "MAX" : "GREATEST"
        try await sql.raw(
            """
            UPDATE cases SET ladder_highest = \(unsafeRaw: greatest)(ladder_level, \
            COALESCE((SELECT MAX(level) FROM case_escalations WHERE case_escalations.case_id = cases.id), 1))
            """
        ).run()
        try await sql.raw("DROP INDEX IF EXISTS cases_report").run()
        try await sql.raw(
            """
            CREATE INDEX cases_report ON cases \
            (organisation_id, opened_on, kind, reporter_role, channel, regime, ladder_highest, outcome, id)
            """
        ).run()
    }

    package func revert(on database: any Database) async throws {
        try await database.transaction { try await revertSteps(on: $0) }
    }

    private func revertSteps(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DROP INDEX IF EXISTS cases_report").run()
        try await sql.raw(
            """
            CREATE INDEX cases_report ON cases \
            (organisation_id, opened_on, kind, reporter_role, channel, regime, ladder_level, outcome, id)
            """
        ).run()
        try await database.schema("cases").deleteField("ladder_highest").update()
    }
}
