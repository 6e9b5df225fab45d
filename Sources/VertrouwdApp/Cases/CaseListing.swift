import Fluent
import SQLKit
import Vapor
import VertrouwdCore

/// One case as the lists show it (the case list, the dashboard, signals): the plain columns only,
/// never a sealed one, read with SQL into a plain struct. A list reads hundreds of cases, and
/// Fluent builds each model by reflecting over its forty properties — at 100,000 cases that was
/// most of the dashboard's time (`vertrouwd benchmark-pages`).
struct CaseListing: Decodable, Sendable {
    let id: UUID
    let reference: String
    let organisationID: UUID
    let organisation: String
    let counsellorID: UUID
    let kind: CaseKind
    let status: CaseStatus
    let regime: Regime
    let department: String
    let openedOn: Day
    let wbkReceivedOn: Day?
    let acknowledgedOn: Day?
    let feedbackOn: Day?
    let aftercareOn: Day?
    var categories: [CaseCategory] = []

    enum CodingKeys: String, CodingKey {
        case id, reference, organisationID = "organisation_id", organisation = "organisation_name"
        case counsellorID = "counsellor_id", kind, status, regime, department, openedOn = "opened_on"
        case wbkReceivedOn = "wbk_received_on", acknowledgedOn = "acknowledged_on", feedbackOn = "feedback_on"
        case aftercareOn = "aftercare_on"
    }

    var whistleblowerClock: WhistleblowerClock? {
        guard regime == .whistleblower else { return nil }
        return WhistleblowerClock(receivedOn: wbkReceivedOn ?? openedOn, acknowledgedOn: acknowledgedOn, feedbackOn: feedbackOn)
    }

    /// The labels of the categories, in the order of the list.
    var categoryLabels: String {
        let chosen = Set(categories)
        return CaseCategory.allCases.filter(chosen.contains).map(\.label).joined(separator: ", ")
    }

    private static let columns: SQLQueryString = """
        c.id, c.reference, c.organisation_id, o.name AS organisation_name, c.counsellor_id, c.kind, c.status, c.regime, \
        c.department, c.opened_on, c.wbk_received_on, c.acknowledged_on, c.feedback_on, c.aftercare_on
        """

    /// The cases matching `condition` (on `cases c`), newest first, with their categories.
    static func read(where condition: SQLQueryString, on db: any Database) async throws -> [CaseListing] {
        let sql = db as! any SQLDatabase
        let query: SQLQueryString = "SELECT " + columns + " FROM cases c JOIN organisations o ON o.id = c.organisation_id WHERE "
            + condition + " ORDER BY c.opened_on DESC, c.reference DESC"
        var cases = try await sql.raw(query).all(decoding: CaseListing.self)
        try await addCategories(to: &cases, on: db)
        return cases
    }

    private static func addCategories(to cases: inout [CaseListing], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        var byCase: [UUID: [CaseCategory]] = [:]
        let ids = cases.map(\.id)
        for start in stride(from: 0, to: ids.count, by: 5_000) {
            let some = Array(ids[start..<min(start + 5_000, ids.count)])
            for row in try await sql.raw("SELECT case_id, category FROM case_categories WHERE case_id IN (\(binds: some))").all() {
                if let category = CaseCategory(rawValue: try row.decode(column: "category", as: String.self)) {
                    byCase[try row.decode(column: "case_id", as: UUID.self), default: []].append(category)
                }
            }
        }
        for i in cases.indices { cases[i].categories = byCase[cases[i].id] ?? [] }
    }
}

extension CaseListing {
    /// The condition for the cases a staff member may read: their own and those shared with them.
    /// Own cases come from the index alone (`cases_counsellor_status` holds the state and the id):
    /// an OR on the case row read every one of the counsellor's rows to check its state.
    static func readable(by staff: Staff, includeClosed: Bool, on db: any Database) async throws -> SQLQueryString {
        let open: SQLQueryString = includeClosed ? "" : " AND status <> \(bind: CaseStatus.closed.rawValue)"
        return "c.id IN (SELECT id FROM cases WHERE counsellor_id = \(bind: staff.userID)" + open
            + " UNION ALL SELECT case_id FROM case_shares WHERE user_id = \(bind: staff.userID))"
            + (includeClosed ? "" : " AND c.status <> \(bind: CaseStatus.closed.rawValue)")
    }

    /// One page of the cases a staff member may read, newest first (a page past the last shows
    /// the last), how many there are, and the page shown. The page is picked from the index alone
    /// (`cases_counsellor` holds the counsellor, the day, the reference and the id); a
    /// substitute's shared cases are added as a second, small list (an OR would read every one of
    /// the counsellor's rows to sort them).
    static func page(of staff: Staff, includeClosed: Bool, page asked: Int, per: Int, on db: any Database) async throws
        -> (cases: [CaseListing], total: Int, page: Int) {
        let sql = db as! any SQLDatabase
        let open: SQLQueryString = includeClosed ? "" : " AND status <> \(bind: CaseStatus.closed.rawValue)"
        let keys: SQLQueryString = "SELECT id, opened_on, reference FROM cases WHERE counsellor_id = \(bind: staff.userID)" + open
            + " UNION ALL SELECT id, opened_on, reference FROM cases WHERE id IN (SELECT case_id FROM case_shares WHERE user_id = \(bind: staff.userID))"
            + " AND counsellor_id <> \(bind: staff.userID)" + open
        let total = try await sql.raw("SELECT COUNT(*) AS n FROM (" + keys + ") AS k").first()?.decode(column: "n", as: Int.self) ?? 0
        // Within 1…last before any arithmetic: a page number from the address may be anything.
        let page = min(max(1, asked), max(1, (total + per - 1) / per))
        let ids = try await sql.raw("SELECT id FROM (" + keys + ") AS k ORDER BY opened_on DESC, reference DESC "
            + "LIMIT \(unsafeRaw: String(per)) OFFSET \(unsafeRaw: String((page - 1) * per))").all().map { try $0.decode(column: "id", as: UUID.self) }
        guard !ids.isEmpty else { return ([], total, page) }
        return (try await read(where: "c.id IN (\(binds: ids))", on: db), total, page)
    }
}
