import Foundation
import FluentKit
import SQLKit
import VertrouwdCore

/// A case of the signal window (*signaleren*) as the signal rule and the signal list read it: the
/// plain columns only, never a sealed one. One query gives one row per case with its categories,
/// decoded column by column: the counsellor's organisations hold hundreds of cases in the window at
/// 100,000 cases, and reading them as `CaseListing` (fourteen columns through `Decodable`, and a
/// second query for the categories) was most of the time of a dashboard worked out anew.
package struct WindowCase: Sendable {
    package let id: UUID
    /// Empty for a destroyed case (retention, or the reporter's request): it still counts, but
    /// its reference leads to nothing and is never named.
    package let reference: String
    package let organisationID: UUID
    package let counsellorID: UUID
    package let department: String
    package let openedOn: Day
    package var categories: [CaseCategory]

    /// The cases of some organisations opened between `from` and `to` (both included), in no order.
    package static func read(in orgIDs: [UUID], from: Day, to: Day, on db: any Database) async throws -> [WindowCase] {
        guard !orgIDs.isEmpty else { return [] }
        let sql = db as! any SQLDatabase
        var cases: [WindowCase] = []
        // One row per case, its categories joined by commas: every column decoded costs, and a
        // case has one to three categories. No category value holds a comma.
        let categories: SQLQueryString =
            Dialect(db) == .postgres ? "string_agg(k.category, ',')" : "group_concat(k.category, ',')"
        let select: SQLQueryString =
            "SELECT c.id, CASE WHEN c.destroyed_on IS NULL THEN c.reference ELSE '' END AS reference, "
            + "c.organisation_id, c.counsellor_id, c.department, c.opened_on, " + categories + " AS categories"
        for row in try await sql.raw(
            select
                + """
                 FROM cases c LEFT JOIN case_categories k ON k.case_id = c.id \
                WHERE c.organisation_id IN (\(binds: orgIDs)) AND c.opened_on >= \(bind: from.iso) \
                AND c.opened_on <= \(bind: to.iso) \
                GROUP BY c.id, c.reference, c.destroyed_on, c.organisation_id, c.counsellor_id, c.department, c.opened_on
                """
        ).all() {
            let openedOn = try row.requiredDay("opened_on")
            let listed = try row.decode(column: "categories", as: String?.self) ?? ""
            cases.append(
                WindowCase(
                    id: try row.decode(column: "id", as: UUID.self),
                    reference: try row.decode(column: "reference", as: String.self),
                    organisationID: try row.decode(column: "organisation_id", as: UUID.self),
                    counsellorID: try row.decode(column: "counsellor_id", as: UUID.self),
                    department: try row.decode(column: "department", as: String.self), openedOn: openedOn,
                    categories: listed.split(separator: ",").compactMap { CaseCategory(rawValue: String($0)) }))
        }
        return cases
    }
}
