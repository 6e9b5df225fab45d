import Vapor
import VertrouwdStore

extension CaseAccess {
    /// Loads the case named in the URL for the logged-in staff member. Anyone else gets the same
    /// 404 as for a case that does not exist: a URL tells nothing about whether a case exists.
    static func open(_ req: Request, audit action: String = "case.read") async throws -> OpenCase {
        let staff = try req.requireStaff()
        guard let id = req.parameters.get("caseID", as: UUID.self) else {
            if let asked = req.parameters.get("caseID") {
                try await denied(asked, by: staff.userID, store: req.store, on: req.db)
            }
            throw Abort(.notFound)
        }
        return try await open(id, by: staff.userID, store: req.store, on: req.db, audit: action)
    }
}
