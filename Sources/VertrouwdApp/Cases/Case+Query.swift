import Fluent
import Vapor
import VertrouwdCore

/// What several pages ask of cases: which a staff member may read, and one row of a case list.
extension Case {
    /// The longest story or note a form takes (characters).
    static let storyLimit = 20_000

    /// The cases a staff member may read: their own and those shared with them.
    static func readable(by staff: Staff, includeClosed: Bool, on db: any Database) async throws -> [Case] {
        try await readableQuery(by: staff, includeClosed: includeClosed, on: db).with(\.$organisation).with(\.$categories)
            .sort(\.$openedOn, .descending).sort(\.$reference, .descending).all()
    }

    /// One page of the cases a staff member may read, newest first, and how many there are.
    /// The page is picked on the ids alone (a substitute's shared cases make the filter an OR,
    /// which sorts in a temporary table: small rows sort fast), then its rows are read whole.
    static func readable(by staff: Staff, includeClosed: Bool, page: Int, per: Int, on db: any Database) async throws
        -> (cases: [Case], total: Int) {
        let query = try await readableQuery(by: staff, includeClosed: includeClosed, on: db)
        let total = try await query.copy().count()
        let ids = try await query.copy().field(\.$id).field(\.$openedOn).field(\.$reference)
            .sort(\.$openedOn, .descending).sort(\.$reference, .descending)
            .offset((page - 1) * per).limit(per).all().compactMap(\.id)
        guard !ids.isEmpty else { return ([], total) }
        let cases = try await Case.query(on: db).filter(\.$id ~~ ids).with(\.$organisation).with(\.$categories)
            .sort(\.$openedOn, .descending).sort(\.$reference, .descending).all()
        return (cases, total)
    }

    private static func readableQuery(by staff: Staff, includeClosed: Bool, on db: any Database) async throws -> QueryBuilder<Case> {
        let shared = try await CaseShare.query(on: db).filter(\.$user.$id == staff.userID).all().map(\.$case.id)
        let query = Case.query(on: db).group(.or) { or in
            or.filter(\.$counsellor.$id == staff.userID)
            if !shared.isEmpty { or.filter(\.$id ~~ shared) }
        }
        if !includeClosed { query.filter(\.$status != .closed) }
        return query
    }

    /// The labels of the categories, in the order of the list.
    var categoryLabels: String {
        let chosen = Set(categories.map(\.category))
        return CaseCategory.allCases.filter(chosen.contains).map(\.label).joined(separator: ", ")
    }
}

extension User {
    /// The counsellors a case can be shared with: every active one but its own.
    static func substitutes(for counsellorID: UUID, on db: any Database) async throws -> [User] {
        try await User.query(on: db).filter(\.$isCounsellor == true).filter(\.$active == true)
            .filter(\.$id != counsellorID).sort(\.$name).all()
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

    init(_ c: Case, staff: Staff, today: Day) {
        url = SiteURL.case(.value(c.id!)).path
        reference = c.reference
        organisation = c.organisation.name
        kind = c.kind.label
        categories = c.categoryLabels
        status = c.status.label
        openedOn = c.openedOn.dutch
        deadline = c.whistleblowerClock?.next(today: today).map(DeadlineView.init)
        shared = c.$counsellor.id != staff.userID
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
