import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The attachments as the forms and the case page meet them.
extension Attachments {
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

    struct Listed: Encodable, Sendable { let url, name, size: String }

    /// Names and sizes for a case (without the file contents).
    static func list(_ c: OpenCase, on db: any Database) async throws -> [Listed] {
        try await Attachment.query(on: db).filter(\.$case.$id == c.id).field(\.$id).field(\.$kind).field(\.$size)
            .field(\.$filenameSealed).field(\.$createdAt).sort(\.$createdAt).all().map { a in
                Listed(
                    url: SiteURL.attachment(.value(c.id), .value(try a.requireID())).path,
                    name: try c.open(a, \.$filenameSealed),
                    size: ByteCountFormatter.string(fromByteCount: Int64(a.size), countStyle: .file))
            }
    }

    /// GET /cases/:caseID/attachments/:attachmentID — for the case's counsellor only; audited.
    /// Sent as it is read, a piece at a time.
    @Sendable static func download(_ req: Request) async throws -> Response {
        let c = try await CaseAccess.open(req, audit: "case.attachment")
        guard let id = req.parameters.get("attachmentID", as: UUID.self),
            let attachment = try await Attachment.query(on: req.db).filter(\.$id == id).filter(\.$case.$id == c.id)
                .first(),
            let kind = AttachmentKind(rawValue: attachment.kind)
        else { throw Abort(.notFound) }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: kind.mimeType)
        // A fixed, safe name: the reporter's file name never reaches a header.
        headers.replaceOrAdd(
            name: .contentDisposition,
            value:
                """
                attachment; \
                filename=\"bijlage-\(c.record.reference)-\(id.uuidString.prefix(8)).\(kind.fileExtension)\"
                """
        )
        headers.replaceOrAdd(name: "Content-Security-Policy", value: "sandbox; default-src 'none'")
        let db = req.db, key = c.key, logger = req.logger
        let body = Response.Body(
            managedAsyncStream: { writer in
                do {
                    try await pieces(of: attachment, key: key, on: db) {
                        try await writer.writeBuffer(ByteBuffer(data: $0))
                    }
                } catch {
                    // The answer has begun: the download ends short, and the log says why.
                    logger.error("attachment \(id) could not be read whole: \(String(reflecting: error))")
                    throw error
                }
            }, count: attachment.size)
        return Response(status: .ok, headers: headers, body: body)
    }
}
