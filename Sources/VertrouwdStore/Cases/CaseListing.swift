import Foundation
import FluentKit
import FluentSQL
import SQLKit
import VertrouwdCore

/// One case as the lists show it (the case list, the dashboard, signals): the plain columns only,
/// never a sealed one, read with SQL into a plain struct, column by column. A list reads hundreds
/// of cases: Fluent builds each model by reflecting over its forty properties, and `Decodable`
/// through `SQLRowDecoder` costs about as much again — at 100,000 cases they were most of the
/// dashboard's time (`vertrouwd benchmark-pages`).
package struct CaseListing: Sendable {
    package let id: UUID
    package let reference: String
    package let organisationID: UUID
    package let organisation: String
    package let counsellorID: UUID
    package let kind: CaseKind
    package let status: CaseStatus
    package let regime: Regime
    package let department: String
    package let openedOn: Day
    package let wbkReceivedOn: Day?
    package let acknowledgedOn: Day?
    package let feedbackOn: Day?
    package let aftercareOn: Day?
    package var categories: [CaseCategory] = []

    /// One row of `columns`.
    init(row: any SQLRow) throws {
        func text(_ column: String) throws -> String { try row.decode(column: column, as: String.self) }
        func choice<T: RawRepresentable<String>>(_ column: String) throws -> T {
            guard let value = T(rawValue: try text(column)) else {
                throw StoreError.inconsistent("a case's \(column) is not one of its values")
            }
            return value
        }
        id = try row.decode(column: "id", as: UUID.self)
        reference = try text("reference")
        organisationID = try row.decode(column: "organisation_id", as: UUID.self)
        organisation = try text("organisation_name")
        counsellorID = try row.decode(column: "counsellor_id", as: UUID.self)
        kind = try choice("kind")
        status = try choice("status")
        regime = try choice("regime")
        department = try text("department")
        openedOn = try row.requiredDay("opened_on")
        wbkReceivedOn = try row.day("wbk_received_on")
        acknowledgedOn = try row.day("acknowledged_on")
        feedbackOn = try row.day("feedback_on")
        aftercareOn = try row.day("aftercare_on")
    }

    package var whistleblowerClock: WhistleblowerClock? {
        guard regime == .whistleblower else { return nil }
        return WhistleblowerClock(
            receivedOn: wbkReceivedOn ?? openedOn, acknowledgedOn: acknowledgedOn, feedbackOn: feedbackOn)
    }

    /// The labels of the categories, in the order of the list.
    package var categoryLabels: String {
        let chosen = Set(categories)
        return CaseCategory.allCases.filter(chosen.contains).map(\.label).joined(separator: ", ")
    }

    private static let columns: SQLQueryString = """
        c.id, c.reference, c.organisation_id, o.name AS organisation_name, c.counsellor_id, c.kind, c.status, \
        c.regime, \
        c.department, c.opened_on, c.wbk_received_on, c.acknowledged_on, c.feedback_on, c.aftercare_on
        """

    /// The cases matching `condition` (on `cases c`), in `order` (newest first), with their categories.
    /// At most `limit` of them when one is given. Without `categories` they are left empty (to be
    /// added with `addCategories` to the few rows a page shows).
    package static func read(
        where condition: SQLQueryString, order: CaseFilter.Order = .newest, limit: Int? = nil,
        categories: Bool = true, on db: any Database
    ) async throws -> [CaseListing] {
        let sql = db as! any SQLDatabase
        var query: SQLQueryString =
            "SELECT " + columns + " FROM cases c JOIN organisations o ON o.id = c.organisation_id WHERE "
            + condition + " ORDER BY " + order.sql(prefix: "c.")
        if let limit { query = query + " LIMIT \(unsafeRaw: String(max(0, limit)))" }
        var cases = try await sql.raw(query).all().map(CaseListing.init(row:))
        if categories { try await addCategories(to: &cases, on: db) }
        return cases
    }

    /// Reads the categories of `cases`.
    package static func addCategories(to cases: inout [CaseListing], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        var byCase: [UUID: [CaseCategory]] = [:]
        let ids = cases.map(\.id)
        for start in stride(from: 0, to: ids.count, by: 5_000) {
            let some = Array(ids[start..<min(start + 5_000, ids.count)])
            for row in try await sql.raw(
                "SELECT case_id, category FROM case_categories WHERE case_id IN (\(binds: some))"
            ).all() {
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
    package static func readable(
        by staff: Staff, includeClosed: Bool, on db: any Database
    ) async throws -> SQLQueryString {
        readable(by: staff.userID, includeClosed: includeClosed)
    }

    package static func readable(by userID: UUID, includeClosed: Bool) -> SQLQueryString {
        let open: SQLQueryString = includeClosed ? "" : " AND status" + running
        return "c.id IN (SELECT id FROM cases WHERE counsellor_id = \(bind: userID)" + open
            + " UNION ALL SELECT case_id FROM case_shares WHERE user_id = \(bind: userID)" + CaseShare.running() + ")"
            + (includeClosed ? "" : " AND c.status" + running)
    }

    /// The same condition for a query that starts from a few cases (those with an unread
    /// message): checked per case, instead of listing every case the staff member may read —
    /// thousands for a counsellor of some years.
    package static func readableOne(by userID: UUID) -> SQLQueryString {
        "(c.counsellor_id = \(bind: userID) OR c.id IN (SELECT case_id FROM case_shares WHERE user_id = \(bind: userID)"
            + CaseShare.running() + "))"
    }

    /// The staff member's closed cases (their own, or shared with them) with a reporter's message
    /// nobody has read.
    package static func closedWithMessages(userID: UUID, on db: any Database) async throws -> [CaseListing] {
        try await read(
            where: "c.status = \(bind: CaseStatus.closed.rawValue) AND c.destroyed_on IS NULL AND c.id IN "
                + "(SELECT case_id FROM mailbox_messages WHERE sender = "
                + "\(bind: MailboxMessage.Sender.reporter.rawValue) AND read_at IS NULL) AND "
                + readableOne(by: userID), on: db)
    }

    /// ` IN ('new', 'open', 'aftercare')`: a case that is not closed. Said as the states it may
    /// be in, so an index on (counsellor or organisation, status) is searched for those alone;
    /// `<> 'closed'` read every closed case's entry too (7,612 for one counsellor at 100,000).
    package static var running: SQLQueryString {
        """
         IN \
        (\(unsafeRaw: CaseStatus.allCases.filter { $0 != .closed }.map { "'\($0.rawValue)'" }.joined(separator: ", ")))
        """
    }

    /// One page of the cases a staff member may read that match `filter`, in its order (a page
    /// past the last shows the last), how many there are, and the page shown. The page is picked
    /// from the index alone (`cases_counsellor` holds the counsellor, the day, the reference and
    /// the id); a substitute's shared cases are added as a second, small list (an OR would read
    /// every one of the counsellor's rows to sort them).
    package static func page(
        of staff: Staff, filter: CaseFilter, page asked: Int, per: Int, on db: any Database
    ) async throws
        -> (cases: [CaseListing], total: Int, page: Int)
    {
        let sql = db as! any SQLDatabase
        let open = filter.condition
        let keys: SQLQueryString =
            "SELECT id, opened_on, reference FROM cases WHERE counsellor_id = \(bind: staff.userID)" + open
                + """
                 UNION ALL SELECT id, opened_on, reference FROM cases WHERE id IN (SELECT case_id FROM case_shares \
                WHERE user_id = \(bind: staff.userID)
                """
            + CaseShare.running() + ")"
            + " AND counsellor_id <> \(bind: staff.userID)" + open
        let total =
            try await sql.raw("SELECT COUNT(*) AS n FROM (" + keys + ") AS k").first()?.decode(
                column: "n", as: Int.self) ?? 0
        // Within 1…last before any arithmetic: a page number from the address may be anything.
        let page = min(max(1, asked), max(1, (total + per - 1) / per))
        let ids = try await sql.raw(
            "SELECT id FROM (" + keys + ") AS k ORDER BY " + filter.order.sql(prefix: "") + " "
                + "LIMIT \(unsafeRaw: String(per)) OFFSET \(unsafeRaw: String((page - 1) * per))"
        ).all().map { try $0.decode(column: "id", as: UUID.self) }
        guard !ids.isEmpty else { return ([], total, page) }
        return (try await read(where: "c.id IN (\(binds: ids))", order: filter.order, on: db), total, page)
    }
}

/// What the case list is narrowed to and in what order: plain columns only (reference,
/// organisation, kind, status, year), so a search reads nothing sealed and needs no key.
package struct CaseFilter: Sendable {
    package enum Order: String, Sendable, CaseIterable {
        case newest, oldest, reference

        package var label: String {
            switch self {
            case .newest: "Nieuwste eerst"
            case .oldest: "Oudste eerst"
            case .reference: "Op kenmerk"
            }
        }

        package func sql(prefix: String) -> SQLQueryString {
            switch self {
            case .newest: "\(unsafeRaw: prefix)opened_on DESC, \(unsafeRaw: prefix)reference DESC"
            case .oldest: "\(unsafeRaw: prefix)opened_on ASC, \(unsafeRaw: prefix)reference ASC"
            case .reference: "\(unsafeRaw: prefix)reference ASC"
            }
        }
    }

    /// Part of a reference as typed ("44", "2026-0044"): digits and dashes only.
    package var reference = ""
    package var organisation: UUID?
    package var kind: CaseKind?
    package var status: CaseStatus?
    package var year: Int?
    package var order = Order.newest
    /// Without a status chosen: closed cases too.
    package var includeClosed = false

    package init(includeClosed: Bool = false) { self.includeClosed = includeClosed }

    package var isSearch: Bool {
        !reference.isEmpty || organisation != nil || kind != nil || status != nil || year != nil
    }

    /// The conditions on `cases`, each starting with AND.
    package var condition: SQLQueryString {
        var sql: SQLQueryString = ""
        if let status {
            sql = sql + " AND status = \(bind: status.rawValue)"
        } else if !includeClosed {
            sql = sql + " AND status" + CaseListing.running
        }
        if !reference.isEmpty { sql = sql + " AND reference LIKE \(bind: "%" + reference + "%")" }
        if let organisation { sql = sql + " AND organisation_id = \(bind: organisation)" }
        if let kind { sql = sql + " AND kind = \(bind: kind.rawValue)" }
        if let year {
            sql = sql + " AND opened_on >= \(bind: "\(year)-01-01") AND opened_on <= \(bind: "\(year)-12-31")"
        }
        return sql
    }

    /// The same search as an address query, for the pages of the result (without `page`).
    package var query: String {
        var items: [URLQueryItem] = []
        if includeClosed { items.append(.init(name: "closed", value: "1")) }
        if !reference.isEmpty { items.append(.init(name: "q", value: reference)) }
        if let organisation { items.append(.init(name: "organisation", value: organisation.uuidString)) }
        if let kind { items.append(.init(name: "kind", value: kind.rawValue)) }
        if let status { items.append(.init(name: "status", value: status.rawValue)) }
        if let year { items.append(.init(name: "year", value: String(year))) }
        if order != .newest { items.append(.init(name: "order", value: order.rawValue)) }
        var components = URLComponents()
        components.queryItems = items
        return components.percentEncodedQuery ?? ""
    }
}
