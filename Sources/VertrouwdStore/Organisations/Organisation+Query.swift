import Foundation
import FluentKit
import SQLKit
import VertrouwdCore

/// What several pages ask of organisations: which a staff member sees, who serves them, the
/// contract year running today and how much of its hours budget is used.
extension Organisation {

    /// One page of the organisations a staff member sees (an admin: all; a counsellor: the ones
    /// they serve) whose name contains `name` (any case), by name; how many match; the page shown
    /// (a page past the last shows the last).
    package static func page(
        visibleTo staff: Staff, named name: String, page asked: Int, per: Int,
        on db: any Database
    ) async throws -> (organisations: [OrganisationListing], total: Int, page: Int) {
        let sql = db as! any SQLDatabase
        var condition: SQLQueryString = "1 = 1"
        if !staff.user.isAdmin {
            condition =
                "id IN (SELECT organisation_id FROM organisation_counsellors WHERE user_id = \(bind: staff.userID))"
        }
        if !name.isEmpty {
            // The name's own % and _ taken literally; lower case on both sides, so SQLite and
            // PostgreSQL match alike.
            let escaped = name.lowercased().replacingOccurrences(of: "!", with: "!!")
                .replacingOccurrences(of: "%", with: "!%").replacingOccurrences(of: "_", with: "!_")
            condition = condition + " AND LOWER(name) LIKE \(bind: "%" + escaped + "%") ESCAPE '!'"
        }
        let total =
            try await sql.raw("SELECT COUNT(*) AS n FROM organisations WHERE " + condition).first()?
            .decode(column: "n", as: Int.self) ?? 0
        let page = min(max(1, asked), max(1, (total + per - 1) / per))
        var organisations = try await sql.raw(
            "SELECT id, name, sector, employees FROM organisations WHERE " + condition
                + " ORDER BY name, id LIMIT \(unsafeRaw: String(per)) OFFSET \(unsafeRaw: String((page - 1) * per))"
        ).all().map {
            OrganisationListing(
                id: try $0.decode(column: "id", as: UUID.self), name: try $0.decode(column: "name", as: String.self),
                sector: try $0.decode(column: "sector", as: String.self),
                employees: try $0.decode(column: "employees", as: Int.self))
        }
        guard !organisations.isEmpty else { return ([], total, page) }
        // The latest phase and the counsellors' names of the page's organisations, in two queries.
        let ids = organisations.map(\.id)
        var phases: [UUID: EngagementPhase] = [:]
        for row in try await sql.raw(
            "SELECT organisation_id, phase FROM organisation_phases WHERE organisation_id IN (\(binds: ids)) ORDER BY on_day"
        ).all() {
            phases[try row.decode(column: "organisation_id", as: UUID.self)] = EngagementPhase(
                rawValue: try row.decode(column: "phase", as: String.self))
        }
        var counsellors: [UUID: [String]] = [:]
        for row in try await sql.raw(
            """
            SELECT l.organisation_id, u.name FROM organisation_counsellors l JOIN users u ON u.id = l.user_id \
            WHERE l.organisation_id IN (\(binds: ids))
            """
        ).all() {
            counsellors[try row.decode(column: "organisation_id", as: UUID.self), default: []].append(
                try row.decode(column: "name", as: String.self))
        }
        for i in organisations.indices {
            organisations[i].phase = phases[organisations[i].id]
            organisations[i].counsellors = (counsellors[organisations[i].id] ?? []).sorted()
        }
        return (organisations, total, page)
    }

    /// The names of some organisations and the version of each one's cases (0 until a case of it is
    /// written; `organisation_case_versions`): what their kept signals compare.
    package static func namesAndCaseVersions(
        of ids: some Collection<UUID>, on db: any Database
    ) async throws -> [UUID: (name: String, caseVersion: Int)] {
        guard !ids.isEmpty else { return [:] }
        var found: [UUID: (name: String, caseVersion: Int)] = [:]
        for row in try await (db as! any SQLDatabase).raw(
            """
            SELECT o.id, o.name, COALESCE(v.version, 0) AS version FROM organisations o \
            LEFT JOIN organisation_case_versions v ON v.organisation_id = o.id WHERE o.id IN (\(binds: Array(ids)))
            """
        ).all() {
            found[try row.decode(column: "id", as: UUID.self)] = (
                try row.decode(column: "name", as: String.self), try row.decode(column: "version", as: Int.self)
            )
        }
        return found
    }

    /// The organisations a user serves as one of their counsellors, without models.
    package static func served(by userID: UUID, on db: any Database) async throws -> [UUID] {
        try await (db as! any SQLDatabase).raw(
            "SELECT organisation_id FROM organisation_counsellors WHERE user_id = \(bind: userID)"
        ).all().map { try $0.decode(column: "organisation_id", as: UUID.self) }
    }

    /// The organisations that have a counsellor.
    package static func servedByAnyone(on db: any Database) async throws -> [UUID] {
        try await (db as! any SQLDatabase).raw("SELECT DISTINCT organisation_id FROM organisation_counsellors").all()
            .map { try $0.decode(column: "organisation_id", as: UUID.self) }
    }

    /// Whether a user is one of the organisation's counsellors.
    package static func serves(_ userID: UUID, organisation orgID: UUID, on db: any Database) async throws -> Bool {
        try await OrganisationCounsellor.query(on: db).filter(\.$organisation.$id == orgID).filter(
            \.$user.$id == userID
        ).count() > 0
    }
}

/// One organisation as the list shows it: the plain columns with its latest phase and its
/// counsellors' names, read with SQL (a model reads every text of the organisation).
package struct OrganisationListing: Sendable {
    package let id: UUID
    package let name: String
    package let sector: String
    package let employees: Int
    package var phase: EngagementPhase? = nil
    /// Sorted by name.
    package var counsellors: [String] = []

    package var sectorValue: Sector? { Sector(rawValue: sector) }
}

extension ContractYear {
    /// The contract year of an organisation that runs on `today`, if any.
    package static func current(of orgID: UUID, today: Day, on db: any Database) async throws -> ContractYear? {
        try await ContractYear.query(on: db).filter(\.$organisation.$id == orgID)
            .filter(\.$startsOn <= today).filter(\.$endsOn >= today).first()
    }

    /// The question to ask before `minutes` written on `day` take the organisation's contract
    /// year past its budget (*tegoed*), or nil when they stay within it, there is no year, or it
    /// was past already (its badge says so).
    package static func crossing(
        of orgID: UUID, on day: Day, adding minutes: Int, db: any Database
    ) async throws -> String? {
        guard let year = try await current(of: orgID, today: day, on: db) else { return nil }
        let used = try await BudgetView.usedMinutes(of: year, on: db)
        guard let after = BudgetStatus(usedMinutes: used, budgetMinutes: year.budgetMinutes).crossing(adding: minutes)
        else { return nil }
        return
            """
            Hiermee gaat het tegoed van \(year.start.dutch) – \(year.end.dutch) over: \
            \(Hours.format(minutes: after.usedMinutes))
            """
                + """
                 van \(Hours.format(minutes: year.budgetMinutes)). Overleg met de opdrachtgever over extra uren, of \
                vink aan dat je ze toch schrijft.
                """
    }
}

/// What the lists of organisations show of each (open cases, the contract year running today and
/// its hours used), read in a fixed number of queries however many organisations there are.
package struct OrganisationFigures: Sendable {
    /// The days and budget of a contract year: what the lists show of it.
    package struct Year: Sendable {
        package let start: Day
        package let end: Day
        package let budgetMinutes: Int
    }

    package var openCases: [UUID: Int] = [:]
    package var currentYears: [UUID: Year] = [:]
    /// Minutes written in each organisation's current contract year.
    package var usedMinutes: [UUID: Int] = [:]

    package func budget(of orgID: UUID) -> BudgetView? {
        currentYears[orgID].map {
            BudgetView(
                start: $0.start, end: $0.end, budgetMinutes: $0.budgetMinutes, usedMinutes: usedMinutes[orgID] ?? 0)
        }
    }

    /// Open cases are counted for the organisations in `counted` only (all of `ids` when nil):
    /// who does not serve an organisation sees its hours, not how many cases run there.
    package static func of(
        _ ids: [UUID], today: Day, countingCasesOf counted: Set<UUID>? = nil,
        on db: any Database
    ) async throws -> OrganisationFigures {
        var figures = OrganisationFigures()
        guard !ids.isEmpty else { return figures }
        let sql = db as! any SQLDatabase
        let countedIDs = counted.map { c in ids.filter(c.contains) } ?? ids
        for row in countedIDs.isEmpty
            ? []
            : try await sql.raw(
                "SELECT organisation_id, COUNT(*) AS n FROM cases WHERE status"
                    + CaseListing.running + " AND organisation_id IN (\(binds: countedIDs)) GROUP BY organisation_id"
            ).all()
        {
            figures.openCases[try row.decode(column: "organisation_id", as: UUID.self)] = try row.decode(
                column: "n", as: Int.self)
        }
        // The year running today and its minutes, one row per organisation: the sum is read per
        // year from the index on (organisation, day), and no model is built (200 Fluent models
        // and a join over every year cost the admin's dashboard 20 ms at 100,000 cases).
        // SUM of BIGINT is NUMERIC on PostgreSQL: cast back.
        for row in try await sql.raw(
            """
            SELECT y.organisation_id, y.starts_on, y.ends_on, y.budget_minutes, \
            CAST(COALESCE((SELECT SUM(t.minutes) FROM time_entries t WHERE t.organisation_id = y.organisation_id \
            AND t.on_day >= y.starts_on AND t.on_day <= y.ends_on), 0) AS BIGINT) AS used \
            FROM contract_years y WHERE y.organisation_id IN (\(binds: ids)) \
            AND y.starts_on <= \(bind: today.iso) AND y.ends_on >= \(bind: today.iso)
            """
        ).all() {
            let org = try row.decode(column: "organisation_id", as: UUID.self)
            figures.currentYears[org] = Year(
                start: try row.requiredDay("starts_on"), end: try row.requiredDay("ends_on"),
                budgetMinutes: try row.decode(column: "budget_minutes", as: Int.self))
            figures.usedMinutes[org] = try row.decode(column: "used", as: Int.self)
        }
        return figures
    }
}

/// A contract year's hours budget as the pages show it: used, left, and a warning near the end.
package struct BudgetView: Encodable, Sendable {
    package let period: String
    package let used: String
    package let budget: String
    package let percent: Int
    package let level: String
    package let message: String?

    /// Minutes written in the contract year (on cases and outside them).
    package static func usedMinutes(of year: ContractYear, on db: any Database) async throws -> Int {
        // SUM of BIGINT is NUMERIC on PostgreSQL: cast back.
        try await (db as! any SQLDatabase).raw(
            """
            SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) AS used FROM time_entries \
            WHERE organisation_id = \(bind: year.$organisation.id) AND on_day >= \(bind: year.startsOn.iso) AND \
            on_day <= \(bind: year.endsOn.iso)
            """
        ).first()?.decode(column: "used", as: Int.self) ?? 0
    }

    package init(of year: ContractYear, usedMinutes used: Int) {
        self.init(start: year.start, end: year.end, budgetMinutes: year.budgetMinutes, usedMinutes: used)
    }

    package init(start: Day, end: Day, budgetMinutes: Int, usedMinutes used: Int) {
        let status = BudgetStatus(usedMinutes: used, budgetMinutes: budgetMinutes)
        period = "\(start.dutch) – \(end.dutch)"
        self.used = Hours.format(minutes: used)
        budget = Hours.format(minutes: budgetMinutes)
        percent = min(status.percentUsed, 999)
        level = status.level.rawValue
        message =
            switch status.level {
            case .ok: nil
            case .warning: "Let op: \(status.percentUsed)% van het tegoed is gebruikt."
            case .exhausted: "Het tegoed is op (\(status.percentUsed)%). Overleg met de opdrachtgever over extra uren."
            }
    }
}
