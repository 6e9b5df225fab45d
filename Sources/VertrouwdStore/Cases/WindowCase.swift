import Foundation
import FluentKit
import SQLKit
import VertrouwdCore

/// A case of the signal window (*signaleren*) as the signal rule and the signal list read it: the
/// plain columns only, never a sealed one. One query gives one row per case and category, decoded
/// column by column: the counsellor's organisations hold hundreds of cases in the window at
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
        var at: [UUID: Int] = [:]
        for row in try await sql.raw(
            """
            SELECT c.id, CASE WHEN c.destroyed_on IS NULL THEN c.reference ELSE '' END AS reference, \
            c.organisation_id, c.counsellor_id, c.department, c.opened_on, k.category \
            FROM cases c LEFT JOIN case_categories k ON k.case_id = c.id \
            WHERE c.organisation_id IN (\(binds: orgIDs)) AND c.opened_on >= \(bind: from.iso) \
            AND c.opened_on <= \(bind: to.iso)
            """
        ).all() {
            let id = try row.decode(column: "id", as: UUID.self)
            let category = try row.decode(column: "category", as: String?.self).flatMap(CaseCategory.init(rawValue:))
            if let i = at[id] {
                if let category { cases[i].categories.append(category) }
                continue
            }
            guard let openedOn = Day(iso: try row.decode(column: "opened_on", as: String.self)) else {
                throw StoreError.inconsistent("a case opened on a day that does not read")
            }
            at[id] = cases.count
            cases.append(
                WindowCase(
                    id: id, reference: try row.decode(column: "reference", as: String.self),
                    organisationID: try row.decode(column: "organisation_id", as: UUID.self),
                    counsellorID: try row.decode(column: "counsellor_id", as: UUID.self),
                    department: try row.decode(column: "department", as: String.self), openedOn: openedOn,
                    categories: category.map { [$0] } ?? []))
        }
        return cases
    }
}
