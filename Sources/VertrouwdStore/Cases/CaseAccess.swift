import Foundation
import FluentKit
import VertrouwdCore

/// An opened case: the row and its unwrapped key. Only `CaseAccess.open` makes one, after checking
/// that the staff member may read this case, and every opening is written to the audit log.
package struct OpenCase: Sendable {
    package let record: Case
    package let key: CaseKey
    /// Whether the reader is the case's own counsellor (not a substitute).
    package let isOwner: Bool

    /// The case's id, known when the value is made (a case is opened from its stored row).
    package let id: UUID

    package init(record: Case, key: CaseKey, isOwner: Bool) throws {
        self.record = record
        self.key = key
        self.isOwner = isOwner
        self.id = try record.requireID()
    }

    /// Seals `text` into a field of one of this case's rows. The additional authenticated data is
    /// the row's table (its model's schema), id and column, so a sealed value cannot be moved to
    /// another field, row or table.
    package func seal<Row: Model>(
        _ text: String, into row: Row, _ field: KeyPath<Row, FieldProperty<Row, String>>
    ) throws
    where Row.IDValue == UUID {
        try key.seal(text, into: row, field)
    }

    /// Opens a sealed field of one of this case's rows.
    package func open<Row: Model>(_ row: Row, _ field: KeyPath<Row, FieldProperty<Row, String>>) throws -> String
    where Row.IDValue == UUID {
        try key.open(row, field)
    }
}

extension CaseKey {
    package static func context<Row: Model>(
        _ row: Row, _ field: KeyPath<Row, FieldProperty<Row, String>>
    ) throws -> FieldContext
    where Row.IDValue == UUID {
        // A row is sealed under its id: one not yet given an id cannot be.
        FieldContext(table: Row.schema, row: try row.requireID().uuidString, field: row[keyPath: field].key.description)
    }

    package func seal<Row: Model>(
        _ text: String, into row: Row, _ field: KeyPath<Row, FieldProperty<Row, String>>
    ) throws
    where Row.IDValue == UUID {
        row[keyPath: field].value = try seal(text, context: Self.context(row, field))
    }

    package func open<Row: Model>(_ row: Row, _ field: KeyPath<Row, FieldProperty<Row, String>>) throws -> String
    where Row.IDValue == UUID {
        try open(row[keyPath: field].value ?? "", context: Self.context(row, field))
    }
}

package enum CaseAccess {
    /// Whether a staff member may read a case: its own counsellor, or a substitute it was shared
    /// with. Being an admin gives no access to case contents.
    package static func mayRead(_ record: Case, userID: UUID, on db: any Database) async throws -> Bool {
        if record.$counsellor.id == userID { return true }
        return try await CaseShare.running(on: db).filter(\.$case.$id == (try record.requireID())).filter(\.$user.$id == userID)
            .count() > 0
    }

    /// Opens case `id` for staff member `userID`, and writes the opening to the audit log as
    /// `action`. Anyone who may not read it gets the same refusal as for a case that does not
    /// exist (`StoreError.notFound`, audited as `case.denied`): an id tells nothing about
    /// whether a case exists.
    package static func open(
        _ id: UUID, by userID: UUID, store: Store, on db: any Database, audit action: String = "case.read"
    ) async throws -> OpenCase {
        guard let record = try await Case.find(id, on: db), try await mayRead(record, userID: userID, on: db) else {
            try await denied(id.uuidString, by: userID, store: store, on: db)
            throw StoreError.notFound
        }
        if let destroyed = record.destroyedOn {
            throw ExplainedRefusal(
                .gone, title: "Melding \(record.reference): inhoud vernietigd",
                reason: "De inhoud is vernietigd op \(destroyed.dutch) (\(record.destroyedBy?.dutch ?? "")); "
                    + "alleen de statistische gegevens en dit verwijderverslag zijn bewaard.")
        }
        let key: CaseKey
        do {
            key = try store.keys.caseKey(of: record)
        } catch Keyring.KeyError.destroyed {
            throw ExplainedRefusal(
                .gone, title: "Melding \(record.reference): inhoud vernietigd",
                reason:
                    "De sleutel van deze melding is uit het sleutelbestand verwijderd: de inhoud is niet meer te lezen."
            )
        }
        try await Audit.record(
            action, subject: "case:\(id.uuidString)", actor: "user:\(userID.uuidString)", store: store, db: db)
        return try OpenCase(record: record, key: key, isOwner: record.$counsellor.id == userID)
    }

    /// An attempt to open a case that is not there or not this staff member's (the id as asked,
    /// at most 36 characters).
    package static func denied(_ asked: String, by userID: UUID, store: Store, on db: any Database) async throws {
        try await Audit.record(
            "case.denied", subject: "case:\(asked.prefix(36))", actor: "user:\(userID.uuidString)", store: store, db: db
        )
    }
}
