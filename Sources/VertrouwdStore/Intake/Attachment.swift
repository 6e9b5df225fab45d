import Foundation
import FluentKit
import NIOFoundationCompat
import VertrouwdCore

/// A file a reporter sent with a report or message, sealed with the case key. Only the case's
/// counsellor (or substitute) can download it.
package final class Attachment: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "case_attachments"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "case_id") package var `case`: Case
    @OptionalField(key: "message_id") package var messageID: UUID?
    /// The kind from the allow-list (`pdf`, `png`, …), recognised from the bytes.
    @Field(key: "kind") package var kind: String
    @Field(key: "size") package var size: Int
    @Field(key: "filename") package var filenameSealed: String
    /// The whole file, sealed: only for files stored by a release before 18 (`chunks` is 0).
    @Field(key: "data") package var dataSealed: Data
    /// How many `AttachmentChunk`s hold the file.
    @Field(key: "chunks") package var chunks: Int
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
}

/// A piece of an attachment (`Spool.pieceBytes`, the last one shorter), sealed with the case key
/// and bound to its attachment, its position, the number of pieces and the file's size: a piece
/// moved, dropped, repeated or swapped by someone who can write the database fails to open, and
/// so does every piece of a file whose count or size was changed.
package final class AttachmentChunk: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "attachment_chunks"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "attachment_id") package var attachment: Attachment
    @Parent(key: "case_id") package var `case`: Case
    @Field(key: "position") package var position: Int
    @Field(key: "data") package var dataSealed: Data

    package init() {}

    package static func context(_ attachment: Attachment, position: Int) throws -> FieldContext {
        FieldContext(
            table: schema, row: try attachment.requireID().uuidString, field: "\(position)/\(attachment.chunks)/\(attachment.size)")
    }
}

package struct CreateAttachments: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("case_attachments")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("message_id", .uuid, .references("mailbox_messages", "id", onDelete: .setNull))
            .field("kind", .string, .required)
            .field("size", .int, .required)
            .field("filename", .string, .required)
            .field("data", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("case_attachments").delete()
    }
}

package enum Attachments {
    /// A checked upload, ready to be sealed once the case exists: its clean bytes in the spool.
    package struct Checked: Sendable {
        package let name: String
        package let kind: AttachmentKind
        package let spool: Spool

        package init(name: String, kind: AttachmentKind, spool: Spool) {
            self.name = name
            self.kind = kind
            self.spool = spool
        }
    }

    /// Seals each file piece by piece from its spool into `attachment_chunks`: one piece in
    /// memory at a time.
    package static func store(
        _ files: [Checked], caseID: UUID, messageID: UUID?, key: CaseKey, on db: any Database
    ) async throws {
        for file in files {
            let id = UUID()
            let attachment = Attachment()
            attachment.id = id
            attachment.$case.id = caseID
            attachment.messageID = messageID
            attachment.kind = file.kind.rawValue
            attachment.size = file.spool.size
            attachment.filenameSealed = try key.seal(
                file.name, context: FieldContext(table: "case_attachments", row: id.uuidString, field: "filename"))
            attachment.dataSealed = Data()
            attachment.chunks = file.spool.pieces.count
            // 0 would read as a file of an earlier release, whole in `data`: a file always has a piece.
            guard attachment.chunks > 0 else { throw EnvelopeError.unreadable }
            attachment.createdAt = Date()
            try await attachment.create(on: db)
            for position in file.spool.pieces.indices {
                let chunk = AttachmentChunk()
                chunk.$attachment.id = id
                chunk.$case.id = caseID
                chunk.position = position
                chunk.dataSealed = try key.seal(
                    data: try file.spool.piece(position),
                    context: AttachmentChunk.context(attachment, position: position))
                try await chunk.create(on: db)
            }
        }
    }

    /// The file's bytes in the clear, piece by piece and in order, each piece read and opened on
    /// its own. Throws `EnvelopeError.unreadable` at a piece that is missing or not this file's.
    package static func pieces(
        of attachment: Attachment, key: CaseKey, on db: any Database,
        _ body: (Data) async throws -> Void
    ) async throws {
        let id = try attachment.requireID()
        guard attachment.chunks > 0 else {
            try await body(
                try key.open(
                    data: attachment.dataSealed,
                    context: FieldContext(table: Attachment.schema, row: id.uuidString, field: "data")))
            return
        }
        for position in 0..<attachment.chunks {
            guard
                let chunk = try await AttachmentChunk.query(on: db).filter(\.$attachment.$id == id)
                    .filter(\.$position == position).first()
            else { throw EnvelopeError.unreadable }
            try await body(
                try key.open(data: chunk.dataSealed, context: AttachmentChunk.context(attachment, position: position)))
        }
    }
}
