import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

extension Organisation {
    /// Every organisation for an admin; for a counsellor, the ones they serve.
    static func visible(to staff: Staff, on db: any Database) async throws -> [Organisation] {
        let query = Organisation.query(on: db).sort(\.$name)
        if !staff.user.isAdmin {
            let ids = try await Organisation.served(by: staff.userID, on: db)
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
