import Fluent
import Vapor
import VertrouwdCore

/// An opened case: the row and its unwrapped key. Only `CaseAccess.open` makes one, after checking
/// that the staff member may read this case, and every opening is written to the audit log.
struct OpenCase: Sendable {
    let record: Case
    let key: CaseKey
    /// Whether the reader is the case's own counsellor (not a substitute).
    let isOwner: Bool

    var id: UUID { record.id! }

    /// Seals `text` into a field of one of this case's rows. The additional authenticated data is
    /// the row's table (its model's schema), id and column, so a sealed value cannot be moved to
    /// another field, row or table.
    func seal<Row: Model>(_ text: String, into row: Row, _ field: KeyPath<Row, FieldProperty<Row, String>>) throws
    where Row.IDValue == UUID {
        try key.seal(text, into: row, field)
    }

    /// Opens a sealed field of one of this case's rows.
    func open<Row: Model>(_ row: Row, _ field: KeyPath<Row, FieldProperty<Row, String>>) throws -> String where Row.IDValue == UUID {
        try key.open(row, field)
    }
}

extension CaseKey {
    static func context<Row: Model>(_ row: Row, _ field: KeyPath<Row, FieldProperty<Row, String>>) -> FieldContext
    where Row.IDValue == UUID {
        FieldContext(table: Row.schema, row: row.id!.uuidString, field: row[keyPath: field].key.description)
    }

    func seal<Row: Model>(_ text: String, into row: Row, _ field: KeyPath<Row, FieldProperty<Row, String>>) throws
    where Row.IDValue == UUID {
        row[keyPath: field].value = try seal(text, context: Self.context(row, field))
    }

    func open<Row: Model>(_ row: Row, _ field: KeyPath<Row, FieldProperty<Row, String>>) throws -> String where Row.IDValue == UUID {
        try open(row[keyPath: field].value ?? "", context: Self.context(row, field))
    }
}

enum CaseAccess {
    /// Whether a staff member may read a case: its own counsellor, or a substitute it was shared
    /// with. Being an admin gives no access to case contents.
    static func mayRead(_ record: Case, staff: Staff, on db: any Database) async throws -> Bool {
        if record.$counsellor.id == staff.userID { return true }
        return try await CaseShare.running(on: db).filter(\.$case.$id == record.id!).filter(\.$user.$id == staff.userID).count() > 0
    }

    /// Loads the case named in the URL for the logged-in staff member. Anyone else gets the same
    /// 404 as for a case that does not exist: a URL tells nothing about whether a case exists.
    static func open(_ req: Request, audit action: String = "case.read") async throws -> OpenCase {
        let staff = try req.requireStaff()
        guard let id = req.parameters.get("caseID", as: UUID.self),
              let record = try await Case.find(id, on: req.db),
              try await mayRead(record, staff: staff, on: req.db) else {
            if let id = req.parameters.get("caseID") {
                try await req.audit("case.denied", subject: "case:\(id.prefix(36))")
            }
            throw Abort(.notFound)
        }
        if let destroyed = record.destroyedOn {
            throw ExplainedAbort(status: .gone, title: "Melding \(record.reference): inhoud vernietigd",
                                 reason: "De inhoud is vernietigd op \(destroyed.dutch) (\(record.destroyedBy?.dutch ?? "")); "
                                    + "alleen de statistische gegevens en dit verwijderverslag zijn bewaard.")
        }
        let key: CaseKey
        do {
            key = try req.application.keys.caseKey(of: record)
        } catch Keyring.KeyError.destroyed {
            throw ExplainedAbort(status: .gone, title: "Melding \(record.reference): inhoud vernietigd",
                                 reason: "De sleutel van deze melding is uit het sleutelbestand verwijderd: de inhoud is niet meer te lezen.")
        }
        try await req.audit(action, subject: "case:\(id.uuidString)")
        return OpenCase(record: record, key: key, isOwner: record.$counsellor.id == staff.userID)
    }
}
