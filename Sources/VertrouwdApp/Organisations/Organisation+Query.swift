import Fluent
import Vapor
import VertrouwdCore

/// What several pages ask of organisations: which a staff member sees, who serves them, the
/// contract year running today and how much of its hours budget is used.
extension Organisation {
    /// Every organisation for an admin; for a counsellor, the ones they serve.
    static func visible(to staff: Staff, on db: any Database) async throws -> [Organisation] {
        let query = Organisation.query(on: db).sort(\.$name)
        if !staff.user.isAdmin {
            let ids = try await OrganisationCounsellor.query(on: db).filter(\.$user.$id == staff.userID).all().map(
                \.$organisation.id)
            query.filter(\.$id ~~ ids)
        }
        return try await query.all()
    }

    /// The organisation named in the URL, if the staff member may see it (the same 404 otherwise).
    static func named(in req: Request) async throws -> Organisation {
        let staff = try req.requireStaff()
        guard let id = req.parameters.get("orgID", as: UUID.self), let org = try await Organisation.find(id, on: req.db)
        else {
            throw Abort(.notFound)
        }
        if !staff.user.isAdmin {
            guard try await serves(staff.userID, organisation: id, on: req.db) else { throw Abort(.notFound) }
        }
        return org
    }

    /// Whether a user is one of the organisation's counsellors.
    static func serves(_ userID: UUID, organisation orgID: UUID, on db: any Database) async throws -> Bool {
        try await OrganisationCounsellor.query(on: db).filter(\.$organisation.$id == orgID).filter(
            \.$user.$id == userID
        ).count() > 0
    }
}

extension ContractYear {
    /// The contract year of an organisation that runs on `today`, if any.
    static func current(of orgID: UUID, today: Day, on db: any Database) async throws -> ContractYear? {
        try await ContractYear.query(on: db).filter(\.$organisation.$id == orgID)
            .filter(\.$startsOn <= today).filter(\.$endsOn >= today).first()
    }
}

/// A contract year's hours budget as the pages show it: used, left, and a warning near the end.
struct BudgetView: Encodable, Sendable {
    let period: String
    let used: String
    let budget: String
    let percent: Int
    let level: String
    let message: String?

    init(of year: ContractYear, on db: any Database) async throws {
        let used = try await TimeEntry.query(on: db)
            .filter(\.$organisation.$id == year.$organisation.id)
            .filter(\.$onDay >= year.startsOn).filter(\.$onDay <= year.endsOn)
            .all(\.$minutes).reduce(0, +)  // SUM of BIGINT is NUMERIC on PostgreSQL
        let status = BudgetStatus(usedMinutes: used, budgetMinutes: year.budgetMinutes)
        period = "\(year.start.dutch) – \(year.end.dutch)"
        self.used = Hours.format(minutes: used)
        budget = Hours.format(minutes: year.budgetMinutes)
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

extension FormErrors {
    /// Hours written in quarters (`1,5`, `1:30`), as minutes; the error beside `hours` otherwise.
    mutating func hours(_ text: String?) -> Int? {
        let t = (text ?? "").trimmingCharacters(in: .whitespaces)
        if t.isEmpty { self["hours"] = "Vul de uren in."; return nil }
        guard let m = Hours.parseMinutes(t) else {
            self["hours"] = "Schrijf uren in kwartieren, van 0,25 tot 24 (bijvoorbeeld 1,5 of 1:30)."
            return nil
        }
        return m
    }
}
