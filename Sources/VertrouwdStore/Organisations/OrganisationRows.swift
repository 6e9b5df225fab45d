import Foundation
import FluentKit
import SQLKit
import VertrouwdCore

/// What the organisation page shows, read in one place (the page is `OrganisationsController`'s
/// context and view). Each list is one query; none reads a case's contents, and the only figure
/// of cases — how many run — is for a counsellor who serves the organisation (docs/ANONYMITY.md).
package struct OrganisationRows: Sendable {
    /// A contract year with its hours used and, once signed off, the day its annual report was.
    package struct Year: Sendable {
        package let year: ContractYear
        package let id: UUID
        package let usedMinutes: Int
        package let signedOffOn: Day?
    }

    package struct Counsellor: Sendable {
        package let id: UUID
        package let name: String
    }

    /// Hours outside cases, with the name of who recorded them.
    package struct Entry: Sendable {
        package let entry: TimeEntry
        package let id: UUID
        package let who: String
    }

    package let contacts: [OrganisationContact]
    package let phases: [EngagementPhaseRecord]
    /// The latest first.
    package let years: [Year]
    /// By name.
    package let counsellors: [Counsellor]
    /// The latest `entriesShown`.
    package let entries: [Entry]
    /// Running cases; nil unless the reader serves the organisation.
    package let openCases: Int?
    /// The latest first.
    package let advice: [AdviceRecord]
    /// Every version's kind, number, state and day (not its text), the latest version first.
    package let policies: [PolicyDocument]

    package static let entriesShown = 50

    package static func read(
        _ org: Organisation, for userID: UUID, on db: any Database
    ) async throws -> OrganisationRows {
        let id = try org.requireID()
        let sql = db as! any SQLDatabase
        let contacts = try await OrganisationContact.query(on: db).filter(\.$organisation.$id == id).sort(\.$role)
            .all()
        let phases = try await EngagementPhaseRecord.query(on: db).filter(\.$organisation.$id == id).sort(\.$onDay)
            .all()
        let contractYears = try await ContractYear.query(on: db).filter(\.$organisation.$id == id)
            .sort(\.$startsOn, .descending).all()
        // A signed-off report holds its snapshots (tens of KB): only the day is read.
        var signed: [UUID: Day] = [:]
        for report in try await AnnualReportRecord.query(on: db)
            .filter(\.$contractYear.$id ~~ contractYears.compactMap(\.id)).field(\.$id).field(\.$contractYear.$id)
            .field(\.$signedOffOn).all()
        {
            signed[report.$contractYear.id] = report.signedOffOn.flatMap(Day.init(iso:))
        }
        // The minutes of every year in one query (SUM of BIGINT is NUMERIC on PostgreSQL: cast back).
        var used: [UUID: Int] = [:]
        for row in try await sql.raw(
            """
            SELECT y.id, CAST(COALESCE(SUM(t.minutes), 0) AS BIGINT) AS used FROM contract_years y \
            LEFT JOIN time_entries t ON t.organisation_id = y.organisation_id \
            AND t.on_day >= y.starts_on AND t.on_day <= y.ends_on \
            WHERE y.organisation_id = \(bind: id) GROUP BY y.id
            """
        ).all() {
            used[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "used", as: Int.self)
        }
        let years = try contractYears.map { year in
            let yearID = try year.requireID()
            return Year(year: year, id: yearID, usedMinutes: used[yearID] ?? 0, signedOffOn: signed[yearID])
        }
        let counsellors = try await sql.raw(
            """
            SELECT u.id, u.name FROM organisation_counsellors l JOIN users u ON u.id = l.user_id \
            WHERE l.organisation_id = \(bind: id)
            """
        ).all().map {
            Counsellor(
                id: try $0.decode(column: "id", as: UUID.self), name: try $0.decode(column: "name", as: String.self))
        }.sorted { $0.name < $1.name }  // in Swift, as the organisation list: the databases collate apart
        let timeEntries = try await TimeEntry.query(on: db).filter(\.$organisation.$id == id).filter(\.$caseID == nil)
            .sort(\.$onDay, .descending).limit(entriesShown).all()
        var names: [UUID: String] = [:]
        let authors = Set(timeEntries.map(\.$user.id))
        if !authors.isEmpty {
            for row in try await sql.raw("SELECT id, name FROM users WHERE id IN (\(binds: Array(authors)))").all() {
                names[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "name", as: String.self)
            }
        }
        let entries = try timeEntries.map {
            Entry(entry: $0, id: try $0.requireID(), who: names[$0.$user.id] ?? "")
        }
        let openCases =
            try await Organisation.serves(userID, organisation: id, on: db)
            ? try await sql.raw(
                "SELECT COUNT(*) AS n FROM cases WHERE organisation_id = \(bind: id) AND status" + CaseListing.running
            ).first()?.decode(column: "n", as: Int.self) ?? 0 : nil
        let advice = try await AdviceRecord.query(on: db).filter(\.$organisation.$id == id)
            .sort(\.$givenOn, .descending).all()
        let policies = try await PolicyDocument.query(on: db).filter(\.$organisation.$id == id)
            .field(\.$id).field(\.$organisation.$id).field(\.$kind).field(\.$version).field(\.$status)
            .field(\.$adoptedOn).sort(\.$version, .descending).all()
        return OrganisationRows(
            contacts: contacts, phases: phases, years: years, counsellors: counsellors, entries: entries,
            openCases: openCases, advice: advice, policies: policies)
    }
}
