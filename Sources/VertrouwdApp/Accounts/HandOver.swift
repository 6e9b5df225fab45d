import Fluent
import SQLKit
import Vapor
import VertrouwdCore
import VertrouwdStore

/// An admin hands a counsellor's cases over to colleagues (*overdragen*), organisation by
/// organisation, when the counsellor leaves or is ill: otherwise their cases and WBK deadlines
/// have nobody. The admin sees how many cases there are per organisation, never which or what;
/// each case is handed over on its own, audited (`case.handover`), and both counsellors are told
/// by mail (without content). Deactivating a counsellor who still has cases leads here first.
enum HandOver {
    struct Page: Encodable, Sendable {
        let meta: PageMeta
        let name: String
        let action: String
        let groups: [Group]
        let beforeDeactivating: Bool
        let nothing: Bool
        let error: String?
    }

    /// One organisation's cases of the counsellor, and who may take them.
    struct Group: Encodable, Sendable {
        let field, organisation: String
        let running, closed: Int
        let colleagues: [Colleague]
    }

    struct Colleague: Encodable, Sendable { let id, name: String }

    /// GET /admin/users/:userID/handover
    @Sendable static func show(_ req: Request) async throws -> Response {
        try await render(req, try await UsersController.target(req), error: nil, status: .ok)
    }

    static func render(_ req: Request, _ user: User, error: String?, status: HTTPStatus) async throws -> Response {
        let groups = try await groups(of: user, on: req.db)
        let page = Page(
            meta: req.meta("Meldingen overdragen", section: "users"), name: user.name,
            action: SiteURL.user(.value(try user.requireID()), .handOver).path, groups: groups,
            beforeDeactivating: req.query[String.self, at: "deactivate"] == "1", nothing: groups.isEmpty, error: error)
        return try await req.page(.handOver, page, status: status)
    }

    /// The counsellor's cases that are not destroyed, counted per organisation, with the active
    /// counsellors (not them) who serve it.
    static func groups(of user: User, on db: any Database) async throws -> [Group] {
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw(
            """
            SELECT organisation_id, SUM(CASE WHEN status = \(bind: CaseStatus.closed.rawValue) THEN 0 ELSE 1 END) \
            AS running, \
            SUM(CASE WHEN status = \(bind: CaseStatus.closed.rawValue) THEN 1 ELSE 0 END) AS closed \
            FROM cases WHERE counsellor_id = \(bind: try user.requireID()) AND destroyed_on IS NULL GROUP BY organisation_id
            """
        ).all()
        var groups: [Group] = []
        for row in rows {
            let orgID = try row.decode(column: "organisation_id", as: UUID.self)
            guard let org = try await Organisation.query(on: db).filter(\.$id == orgID).with(\.$counsellors).first()
            else { continue }
            let colleagues = org.counsellors.filter { $0.id != user.id && $0.active && $0.isCounsellor }.sorted {
                $0.name < $1.name
            }
            groups.append(
                Group(
                    field: "org-\(orgID.uuidString)", organisation: org.name,
                    running: try row.decode(column: "running", as: Int.self),
                    closed: try row.decode(column: "closed", as: Int.self),
                    colleagues: colleagues.map { Colleague(id: $0.id!.uuidString, name: $0.name) }))
        }
        return groups.sorted { $0.organisation < $1.organisation }
    }

    /// POST /admin/users/:userID/handover — per organisation, to the colleague chosen (or not at
    /// all, left empty). A colleague who does not serve the organisation is refused.
    @Sendable static func save(_ req: Request) async throws -> Response {
        let user = try await UsersController.target(req)
        let groups = try await groups(of: user, on: req.db)
        var chosen: [(organisation: UUID, to: UUID)] = []
        for group in groups {
            guard let value = req.formValue(group.field), !value.isEmpty else { continue }
            // Never to the admin who hands over: an admin does not read cases by giving them to themselves.
            guard let to = UUID(uuidString: value), to != req.staff?.userID,
                group.colleagues.contains(where: { $0.id == to.uuidString }),
                let orgID = UUID(uuidString: String(group.field.dropFirst("org-".count)))
            else {
                return try await render(
                    req, user, error: "Kies voor \(group.organisation) een vertrouwenspersoon van die organisatie.",
                    status: .unprocessableEntity)
            }
            chosen.append((orgID, to))
        }
        guard !chosen.isEmpty else {
            return try await render(
                req, user, error: "Kies voor ten minste één organisatie aan wie je de meldingen overdraagt.",
                status: .unprocessableEntity)
        }
        let writer = try req.cases
        var told: Set<UUID> = []
        for (organisation, to) in chosen {
            let ids = try await Case.query(on: req.db).filter(\.$counsellor.$id == (try user.requireID())).filter(
                \.$organisation.$id == organisation
            )
            .filter(\.$destroyedOn == nil).field(\.$id).all().compactMap(\.id)
            for id in ids {
                do {
                    try await writer.handOver(caseID: id, from: try user.requireID(), to: to)
                } catch is CaseWriter.HandOverMoved {
                    continue  // handed over meanwhile
                } catch Keyring.KeyError.destroyed {
                    continue  // destroyed by retention meanwhile
                }
            }
            told.insert(to)
        }
        // Both sides hear of it (without content): nobody's cases move unnoticed.
        for id in told.union([(try user.requireID())]) {
            if let person = try await User.find(id, on: req.db) {
                Notifier.notify(req.application, to: person.email, about: .handedOver)
            }
        }
        return req.redirect(to: .users, flash: .handedOver)
    }

    /// Whether the counsellor still has cases whose contents exist (a closed case too: its
    /// mailbox may still bring a message, its retention a reporter's request).
    static func hasCases(_ user: User, on db: any Database) async throws -> Bool {
        try await Case.query(on: db).filter(\.$counsellor.$id == (try user.requireID())).filter(\.$destroyedOn == nil)
            .count() > 0
    }
}
