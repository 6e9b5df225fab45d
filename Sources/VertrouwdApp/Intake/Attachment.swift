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
    @Field(key: "data") var dataSealed: Data
    @Field(key: "created_at") var createdAt: Date

    init() {}
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
    /// A checked upload, ready to be sealed once the case exists.
    struct Checked: Sendable {
        let name: String
        let kind: AttachmentKind
        let data: Data
    }

    /// A browser does not keep chosen files when a form comes back: say so beside the field,
    /// or a reporter may send the story again without the evidence.
    static func remindToChooseAgain(_ files: [File]?, t: PublicText, errors: inout FormErrors) {
        let chosen = (files ?? []).contains { !$0.filename.isEmpty || $0.data.readableBytes > 0 }
        if chosen && errors["files"] == nil { errors["files"] = t.errFilesAgain }
    }

    /// What a form with attachments says when it was refused before it was read.
    static func errors(for refusal: FormRefusal, files: [File]?, t: PublicText) -> FormErrors {
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

    /// Checks uploaded files; an empty file input (no file chosen) is not an error.
    static func check(_ files: [File]?, t: PublicText, errors: inout FormErrors) -> [Checked] {
        let chosen = (files ?? []).filter { !$0.filename.isEmpty || $0.data.readableBytes > 0 }
        if chosen.count > AttachmentRules.maximumFiles {
            errors["files"] = t.errTooManyFiles
            return []
        }
        var checked: [Checked] = []
        for file in chosen {
            // The bytes of the body itself, not a copy: a 9 MB file is held once fewer.
            let data = Data(buffer: file.data, byteTransferStrategy: .noCopy)
            switch AttachmentRules.kind(of: data, filename: file.filename) {
            case .success(let kind):
                // A photo's place, time and camera never reach the case (`ImageMetadata`).
                guard let clean = ImageMetadata.stripped(data, kind: kind) else {
                    errors["files"] = t.errFileType.replacingOccurrences(of: "{name}", with: AttachmentRules.cleanName(file.filename))
                    continue
                }
                checked.append(Checked(name: AttachmentRules.cleanName(file.filename), kind: kind, data: clean))
            case .failure(.tooLarge):
                errors["files"] = t.errFileTooLarge.replacingOccurrences(of: "{name}", with: AttachmentRules.cleanName(file.filename))
            case .failure:
                errors["files"] = t.errFileType.replacingOccurrences(of: "{name}", with: AttachmentRules.cleanName(file.filename))
            }
        }
        return checked
    }

    static func store(_ files: [Checked], caseID: UUID, messageID: UUID?, key: CaseKey, on db: any Database) async throws {
        for file in files {
            let attachment = Attachment()
            attachment.id = UUID()
            attachment.$case.id = caseID
            attachment.messageID = messageID
            attachment.kind = file.kind.rawValue
            attachment.size = file.data.count
            let row = attachment.id!.uuidString
            attachment.filenameSealed = try key.seal(file.name, context: FieldContext(table: "case_attachments", row: row, field: "filename"))
            attachment.dataSealed = try key.seal(data: file.data, context: FieldContext(table: "case_attachments", row: row, field: "data"))
            attachment.createdAt = Date()
            try await attachment.create(on: db)
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
    @Sendable static func download(_ req: Request) async throws -> Response {
        let c = try await CaseAccess.open(req, audit: "case.attachment")
        guard let id = req.parameters.get("attachmentID", as: UUID.self),
              let attachment = try await Attachment.query(on: req.db).filter(\.$id == id).filter(\.$case.$id == c.id).first(),
              let kind = AttachmentKind(rawValue: attachment.kind) else { throw Abort(.notFound) }
        let data = try c.key.open(data: attachment.dataSealed, context: FieldContext(table: "case_attachments", row: id.uuidString, field: "data"))
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: kind.mimeType)
        // A fixed, safe name: the reporter's file name never reaches a header.
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"bijlage-\(c.record.reference)-\(id.uuidString.prefix(8)).\(kind.fileExtension)\"")
        headers.replaceOrAdd(name: "Content-Security-Policy", value: "sandbox; default-src 'none'")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}
