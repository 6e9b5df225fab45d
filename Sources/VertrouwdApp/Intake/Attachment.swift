import Fluent
import NIOFoundationCompat
import Vapor
import VertrouwdCore

/// A file a reporter sent with a report or message, sealed with the case key. Only the case's
/// counsellor (or substitute) can download it.
final class Attachment: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "case_attachments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var `case`: Case
    @OptionalField(key: "message_id") var messageID: UUID?
    /// The kind from the allow-list (`pdf`, `png`, …), recognised from the bytes.
    @Field(key: "kind") var kind: String
    @Field(key: "size") var size: Int
    @Field(key: "filename") var filenameSealed: String
    /// The whole file, sealed: only for files stored by a release before 18 (`chunks` is 0).
    @Field(key: "data") var dataSealed: Data
    /// How many `AttachmentChunk`s hold the file.
    @Field(key: "chunks") var chunks: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A piece of an attachment (`Spool.pieceBytes`, the last one shorter), sealed with the case key
/// and bound to its attachment, its position, the number of pieces and the file's size: a piece
/// moved, dropped, repeated or swapped by someone who can write the database fails to open, and
/// so does every piece of a file whose count or size was changed.
final class AttachmentChunk: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "attachment_chunks"

    @ID(key: .id) var id: UUID?
    @Parent(key: "attachment_id") var attachment: Attachment
    @Parent(key: "case_id") var `case`: Case
    @Field(key: "position") var position: Int
    @Field(key: "data") var dataSealed: Data

    init() {}

    static func context(_ attachment: Attachment, position: Int) -> FieldContext {
        FieldContext(table: schema, row: attachment.id!.uuidString, field: "\(position)/\(attachment.chunks)/\(attachment.size)")
    }
}

struct CreateAttachments: AsyncMigration {
    func prepare(on database: any Database) async throws {
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

    func revert(on database: any Database) async throws {
        try await database.schema("case_attachments").delete()
    }
}

enum Attachments {
    /// A checked upload, ready to be sealed once the case exists: its clean bytes in the spool.
    struct Checked: Sendable {
        let name: String
        let kind: AttachmentKind
        let spool: Spool
    }

    /// A browser does not keep chosen files when a form comes back: say so beside the field,
    /// or a reporter may send the story again without the evidence.
    static func remindToChooseAgain(_ files: [Upload]?, t: PublicText, errors: inout FormErrors) {
        if (files ?? []).contains(where: \.chosen) && errors["files"] == nil { errors["files"] = t.errFilesAgain }
    }

    /// What a form with attachments says when it was refused before it was read.
    static func errors(for refusal: FormRefusal, files: [Upload]?, t: PublicText) -> FormErrors {
        var errors = FormErrors()
        if case .tooLarge(let limit) = refusal {
            errors["files"] = t.errFilesTooLarge.replacingOccurrences(of: "{mb}", with: String(limit.megabytes))
        } else if refusal == .busy {
            errors.general = t.errUploadBusy
            errors["files"] = t.errFilesAgain
        } else {
            errors.general = t.errFormExpired
            remindToChooseAgain(files, t: t, errors: &errors)
        }
        return errors
    }

    /// The uploads that are attachments, checked as they arrived (`AttachmentScan`: the kind
    /// from the bytes, the size, a photo's metadata gone); an empty file input (no file chosen)
    /// is not an error.
    static func check(_ files: [Upload]?, t: PublicText, errors: inout FormErrors) -> [Checked] {
        let chosen = (files ?? []).filter(\.chosen)
        if chosen.count > AttachmentRules.maximumFiles {
            errors["files"] = t.errTooManyFiles
            return []
        }
        var checked: [Checked] = []
        for file in chosen {
            let name = AttachmentRules.cleanName(file.filename)
            switch file.result {
            case .success(let kind)?:
                if let spool = file.spool { checked.append(Checked(name: name, kind: kind, spool: spool)) }
            case .failure(.tooLarge)?:
                errors["files"] = t.errFileTooLarge.replacingOccurrences(of: "{name}", with: name)
            case .failure?, nil:
                errors["files"] = t.errFileType.replacingOccurrences(of: "{name}", with: name)
            }
        }
        return checked
    }

    /// Seals each file piece by piece from its spool into `attachment_chunks`: one piece in
    /// memory at a time.
    static func store(_ files: [Checked], caseID: UUID, messageID: UUID?, key: CaseKey, on db: any Database) async throws {
        for file in files {
            let id = UUID()
            let attachment = Attachment()
            attachment.id = id
            attachment.$case.id = caseID
            attachment.messageID = messageID
            attachment.kind = file.kind.rawValue
            attachment.size = file.spool.size
            attachment.filenameSealed = try key.seal(file.name, context: FieldContext(table: "case_attachments", row: id.uuidString, field: "filename"))
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
                chunk.dataSealed = try key.seal(data: try file.spool.piece(position), context: AttachmentChunk.context(attachment, position: position))
                try await chunk.create(on: db)
            }
        }
    }

    /// The file's bytes in the clear, piece by piece and in order, each piece read and opened on
    /// its own. Throws `EnvelopeError.unreadable` at a piece that is missing or not this file's.
    static func pieces(of attachment: Attachment, key: CaseKey, on db: any Database,
                       _ body: (Data) async throws -> Void) async throws {
        let id = try attachment.requireID()
        guard attachment.chunks > 0 else {
            try await body(try key.open(data: attachment.dataSealed, context: FieldContext(table: Attachment.schema, row: id.uuidString, field: "data")))
            return
        }
        for position in 0..<attachment.chunks {
            guard let chunk = try await AttachmentChunk.query(on: db).filter(\.$attachment.$id == id)
                .filter(\.$position == position).first() else { throw EnvelopeError.unreadable }
            try await body(try key.open(data: chunk.dataSealed, context: AttachmentChunk.context(attachment, position: position)))
        }
    }

    struct Listed: Encodable, Sendable { let url, name, size: String }

    /// Names and sizes for a case (without the file contents).
    static func list(_ c: OpenCase, on db: any Database) async throws -> [Listed] {
        try await Attachment.query(on: db).filter(\.$case.$id == c.id).field(\.$id).field(\.$kind).field(\.$size)
            .field(\.$filenameSealed).field(\.$createdAt).sort(\.$createdAt).all().map { a in
                Listed(url: SiteURL.attachment(.value(c.id), .value(a.id!)).path,
                       name: try c.open(a, \.$filenameSealed),
                       size: ByteCountFormatter.string(fromByteCount: Int64(a.size), countStyle: .file))
            }
    }

    /// GET /cases/:caseID/attachments/:attachmentID — for the case's counsellor only; audited.
    /// Sent as it is read, a piece at a time.
    @Sendable static func download(_ req: Request) async throws -> Response {
        let c = try await CaseAccess.open(req, audit: "case.attachment")
        guard let id = req.parameters.get("attachmentID", as: UUID.self),
              let attachment = try await Attachment.query(on: req.db).filter(\.$id == id).filter(\.$case.$id == c.id).first(),
              let kind = AttachmentKind(rawValue: attachment.kind) else { throw Abort(.notFound) }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: kind.mimeType)
        // A fixed, safe name: the reporter's file name never reaches a header.
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"bijlage-\(c.record.reference)-\(id.uuidString.prefix(8)).\(kind.fileExtension)\"")
        headers.replaceOrAdd(name: "Content-Security-Policy", value: "sandbox; default-src 'none'")
        let db = req.db, key = c.key, logger = req.logger
        let body = Response.Body(managedAsyncStream: { writer in
            do {
                try await pieces(of: attachment, key: key, on: db) { try await writer.writeBuffer(ByteBuffer(data: $0)) }
            } catch {
                // The answer has begun: the download ends short, and the log says why.
                logger.error("attachment \(id) could not be read whole: \(String(reflecting: error))")
                throw error
            }
        }, count: attachment.size)
        return Response(status: .ok, headers: headers, body: body)
    }
}
