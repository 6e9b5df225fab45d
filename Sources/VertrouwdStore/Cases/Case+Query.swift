import Foundation
import FluentKit
import VertrouwdCore

/// What several pages ask of cases: which a staff member may read, and one row of a case list.
extension Case {
    /// The longest story or note a form takes (characters).
    package static let storyLimit = 20_000

    /// The cases a staff member may read: their own and those shared with them, newest first.
    package static func readable(
        by staff: Staff, includeClosed: Bool, on db: any Database
    ) async throws -> [CaseListing] {
        try await CaseListing.read(where: CaseListing.readable(by: staff, includeClosed: includeClosed, on: db), on: db)
    }

    /// The labels of the categories, in the order of the list.
    package var categoryLabels: String {
        let chosen = Set(categories.map(\.category))
        return CaseCategory.allCases.filter(chosen.contains).map(\.label).joined(separator: ", ")
    }
}

extension User {
    /// The counsellors a case can be shared with: the active ones who serve its organisation
    /// (the organisation knows them; a stranger to it does not read its cases), but its own.
    package static func substitutes(for c: Case, on db: any Database) async throws -> [User] {
        let serving = try await OrganisationCounsellor.query(on: db).filter(\.$organisation.$id == c.$organisation.id)
            .all().map(\.$user.id)
        return try await User.query(on: db).filter(\.$isCounsellor == true).filter(\.$active == true)
            .filter(\.$id ~~ serving).filter(\.$id != c.$counsellor.id).sort(\.$name).all()
    }
}
