import Crypto
import Foundation
import NIOCore
import Vapor
import VertrouwdCore
import VertrouwdStore

/// One file input's part of a multipart form, as it arrived: checked on the way in
/// (`AttachmentScan`), its clean bytes in a `Spool`.
final class Upload: @unchecked Sendable {  // filled by one request's reader, then only read
    let field: String
    let filename: String
    private(set) var received = 0
    /// Nil while it arrives; then the kind, or why it is no attachment.
    private(set) var result: Result<AttachmentKind, AttachmentRules.Problem>?
    /// Where the bytes are; nil when they were not kept (a fourth file, a form over its limit).
    private(set) var spool: Spool?
    private var scan: AttachmentScan

    init(field: String, filename: String) {
        self.field = field
        self.filename = filename
        scan = AttachmentScan(filename: filename)
    }

    /// A file was chosen: an empty file input arrives as a part with no name and no bytes.
    var chosen: Bool { !filename.isEmpty || received > 0 }

    /// Why the spool could not be written (a full disk, a folder without rights): the file is
    /// lost, the form must say so and the log why.
    private(set) var lost: (any Error)?

    func receive(_ bytes: UnsafeRawBufferPointer, keepIn folder: String?) {
        received += bytes.count
        guard let folder, lost == nil else { return }
        do {
            if spool == nil && result == nil { spool = try Spool(folder: folder) }
            guard let spool else { return }
            var failure: (any Error)?
            scan.feed(bytes) { clean in
                guard failure == nil else { return }
                do { try spool.append(clean) } catch { failure = error }
            }
            if let failure { throw failure }
        } catch {
            lost = error
            discard()
        }
    }

    /// The part ended: the file is whole. (A file of a few bytes is only passed on now.)
    func complete() {
        guard let spool else { return }
        var failure: (any Error)?
        result = scan.finish { clean in
            guard failure == nil else { return }
            do { try spool.append(clean) } catch { failure = error }
        }
        do {
            if let failure { throw failure }
            try spool.finish()
        } catch {
            lost = error
            discard()
        }
    }

    /// Gives up the bytes (the form was over its limit, or the request ends).
    func discard() {
        spool?.close()
        spool = nil
    }
}

/// A multipart form read as it arrives (`MultipartStream`): text fields kept up to `fieldBytes`
/// each and `textBytes` together, files checked and sealed into spools in `spoolFolder` (or only
/// counted, without one), at most `AttachmentRules.maximumFiles` of them. A part cut off is not
/// kept. Nothing else of the body is held. Used by one request at a time, in order.
final class MultipartReader: @unchecked Sendable {
    private var stream: MultipartStream
    let fieldBytes: Int
    let textBytes: Int
    var spoolFolder: String?
    private(set) var fields: [FormFields.Field] = []
    private(set) var uploads: [Upload] = []
    /// Text parts left out for being too long (alone or together).
    private(set) var dropped = 0
    private var textKept = 0
    /// Files that brought bytes so far: past `AttachmentRules.maximumFiles` they are not kept.
    private var filesWithBytes = 0

    private enum Part {
        case field(name: String)
        case file(Upload, keep: Bool)
        case ignored
    }
    private var current = Part.ignored
    /// The text field being read (its own property: appending to an array held in an enum case
    /// would copy it each time); `fieldOver` once it is past its limit and no longer held.
    private var fieldText: [UInt8] = []
    private var fieldOver = false

    init?(boundary: String, fieldBytes: Int, textBytes: Int, spoolFolder: String?) {
        guard let stream = MultipartStream(boundary: boundary) else { return nil }
        self.stream = stream
        self.fieldBytes = fieldBytes
        self.textBytes = textBytes
        self.spoolFolder = spoolFolder
    }

    var isComplete: Bool { stream.isComplete }

    /// Why a file could not be kept (no room on disk, no rights to the folder), if one was not.
    var lostFile: (any Error)? { uploads.lazy.compactMap(\.lost).first }

    func feed(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            stream.feed(bytes) { event in
                switch event {
                case .part(let headers):
                    current = part(headers)
                case .content(let piece):
                    switch current {
                    case .field:
                        // Past its limit a field is only counted, never held.
                        if !fieldOver && fieldText.count + piece.count <= fieldBytes {
                            fieldText.append(contentsOf: piece)
                        } else {
                            fieldOver = true
                            fieldText = []
                        }
                    case .file(let upload, var keep):
                        if upload.received == 0 {
                            filesWithBytes += 1
                            keep = filesWithBytes <= AttachmentRules.maximumFiles
                            current = .file(upload, keep: keep)
                        }
                        upload.receive(piece, keepIn: keep ? spoolFolder : nil)
                    case .ignored:
                        break
                    }
                case .partEnd:
                    switch current {
                    case .field(let name):
                        if fieldOver || textKept + fieldText.count > textBytes {
                            dropped += 1
                        } else {
                            textKept += fieldText.count
                            fields.append(
                                FormFields.Field(name: name, value: String(decoding: fieldText, as: UTF8.self)))
                        }
                        fieldText = []
                        fieldOver = false
                    case .file(let upload, _):
                        upload.complete()
                    case .ignored:
                        break
                    }
                    current = .ignored
                }
            }
        }
    }

    /// The files are not taken (the form was over its limit): they are only remembered as chosen.
    func discardFiles() {
        spoolFolder = nil
        uploads.forEach { $0.discard() }
    }

    private func part(_ headers: String) -> Part {
        let disposition = headers.split(separator: "\r\n")
            .first { $0.lowercased().hasPrefix("content-disposition:") }
            .flatMap {
                HTTPHeaders([("Content-Disposition", String($0.dropFirst("content-disposition:".count)))])
                    .contentDisposition
            }
        guard let name = disposition?.name else { return .ignored }
        guard let filename = disposition?.filename else {
            fieldText = []
            fieldOver = false
            return .field(name: name)
        }
        let upload = Upload(field: name, filename: filename)
        uploads.append(upload)
        return .file(upload, keep: false)
    }
}
