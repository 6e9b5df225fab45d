import Fluent
import Vapor
import VertrouwdCore

/// What several pages ask of cases: which a staff member may read, and one row of a case list.
extension Case {
    /// The longest story or note a form takes (characters).
    static let storyLimit = 20_000

    /// The cases a staff member may read: their own and those shared with them, newest first.
    static func readable(by staff: Staff, includeClosed: Bool, on db: any Database) async throws -> [CaseListing] {
        try await CaseListing.read(where: CaseListing.readable(by: staff, includeClosed: includeClosed, on: db), on: db)
    }

    /// The labels of the categories, in the order of the list.
    var categoryLabels: String {
        let chosen = Set(categories.map(\.category))
        return CaseCategory.allCases.filter(chosen.contains).map(\.label).joined(separator: ", ")
    }
}

extension User {
    /// The counsellors a case can be shared with: the active ones who serve its organisation
    /// (the organisation knows them; a stranger to it does not read its cases), but its own.
    static func substitutes(for c: Case, on db: any Database) async throws -> [User] {
        let serving = try await OrganisationCounsellor.query(on: db).filter(\.$organisation.$id == c.$organisation.id).all().map(\.$user.id)
        return try await User.query(on: db).filter(\.$isCounsellor == true).filter(\.$active == true)
            .filter(\.$id ~~ serving).filter(\.$id != c.$counsellor.id).sort(\.$name).all()
    }
}

/// One case in a list (the cases page, the dashboard), loaded with its organisation and categories.
struct CaseRow: Encodable, Sendable {
    let url: String
    let reference: String
    let organisation: String
    let kind: String
    let categories: String
    let status: String
    let openedOn: String
    let deadline: DeadlineView?
    let shared: Bool
    let isClosed: Bool

    init(_ c: CaseListing, staff: Staff, today: Day) {
        url = SiteURL.case(.value(c.id)).path
        reference = c.reference
        organisation = c.organisation
        kind = c.kind.label
        categories = c.categoryLabels
        status = c.status.label
        openedOn = c.openedOn.dutch
        // A closed case has no deadline left to miss: no red "te laat" in the closed list.
        deadline = c.status == .closed ? nil : c.whistleblowerClock?.next(today: today).map(DeadlineView.init)
        shared = c.counsellorID != staff.userID
        isClosed = c.status == .closed
    }
}

/// A deadline of the whistleblower law as the pages show it.
struct DeadlineView: Encodable, Sendable {
    let what: String
    let due: String
    let state: String
    let label: String

    init(_ d: WhistleblowerClock.Deadline) {
        what = d.what == .acknowledgement ? "Ontvangstbevestiging" : "Terugkoppeling"
        due = d.due.dutch
        state = d.state.rawValue
        label =
            switch d.state {
            case .met: "op tijd gedaan"
            case .open: "uiterlijk \(d.due.dutch)"
            case .dueSoon: "binnenkort: uiterlijk \(d.due.dutch)"
            case .overdue: "te laat: was \(d.due.dutch)"
            }
    }
}
