import FluentKit
import Foundation
import SQLKit
import VertrouwdCore

extension HoursStatement {
    /// Every minute written from `from` to `to` (both included), summed in the database per
    /// organisation, contract year and kind of work: case work (any entry on a case) or the
    /// activity's kind (work outside a case without one counts as "other"). Contract years do not
    /// overlap, so each entry falls in one or none.
    package static func load(from: Day, to: Day, on db: any Database) async throws -> HoursStatement {
        // SUM of BIGINT is NUMERIC on PostgreSQL: cast back.
        let rows = try await (db as! any SQLDatabase).raw(
            """
            SELECT o.name, o.slug, y.starts_on, y.ends_on, y.hourly_rate_cents, \
            CASE WHEN t.case_id IS NOT NULL THEN 'cases' ELSE COALESCE(t.activity_kind, 'other') END AS work, \
            CAST(SUM(t.minutes) AS BIGINT) AS minutes \
            FROM time_entries t JOIN organisations o ON o.id = t.organisation_id \
            LEFT JOIN contract_years y ON y.organisation_id = t.organisation_id \
            AND y.starts_on <= t.on_day AND y.ends_on >= t.on_day \
            WHERE t.on_day >= \(bind: from.iso) AND t.on_day <= \(bind: to.iso) \
            GROUP BY o.id, o.name, o.slug, y.id, y.starts_on, y.ends_on, y.hourly_rate_cents, work
            """
        ).all()
        let entries = try rows.map { row -> Entry in
            let work = try row.decode(column: "work", as: String.self)
            let start = try row.decode(column: "starts_on", as: String?.self).flatMap(Day.init(iso:))
            let end = try row.decode(column: "ends_on", as: String?.self).flatMap(Day.init(iso:))
            // A rate that cannot be read is an error, not "no rate": an amount would go missing.
            let rate = try row.decode(column: "hourly_rate_cents", as: Int?.self)
            return Entry(
                organisation: try row.decode(column: "name", as: String.self),
                slug: try row.decode(column: "slug", as: String.self),
                contract: start.flatMap { start in end.map { Contract(start: start, end: $0, rateCents: rate) } },
                work: work == "cases" ? .cases : .activity(ActivityKind(rawValue: work) ?? .other),
                minutes: try row.decode(column: "minutes", as: Int.self))
        }
        return HoursStatement(from: from, to: to, entries: entries)
    }
}
