import NIOCore
import Vapor
import VertrouwdCore
import VertrouwdStore

/// How much a POST route may receive, named once and chosen per route in `routes.swift`.
///
/// A browser streams a form body: past the first read (about 2 KB) it is still arriving when the
/// middleware runs. `RequestBodyMiddleware` therefore reads the whole body, up to the route's
/// limit, before anything (the CSRF check first) looks at it.
enum BodyLimit: Sendable {
    /// Login, logout, codes, buttons, account settings: a few short fields.
    case small
    /// Staff forms with notes, stories, advice letters and report text. 20,000 characters of
    /// emoji are ~240 KB url-encoded; the limit leaves room for several such fields.
    case text
    /// A reporter's story or message with up to three attachments of 10 MB each.
    case upload

    /// What is kept and handed to the route.
    var bytes: Int {
        switch self {
        case .small: 64 * 1024
        case .text: 2 * 1024 * 1024
        case .upload: 3 * 10 * 1024 * 1024 + 2 * 1024 * 1024
        }
    }

    /// Past `bytes` the rest is read and thrown away, so the browser (still sending) receives
    /// our answer instead of a broken connection. Past this ceiling the connection is dropped.
    var ceiling: Int {
        switch self {
        case .small: 2 * 1024 * 1024
        case .text: 16 * 1024 * 1024
        case .upload: 160 * 1024 * 1024
        }
    }

    /// The most one text field may hold, in bytes as sent (url-encoded: an emoji is 12). A field
    /// past it is dropped before any string work and the form comes back "too large" without it:
    /// trimming and counting a 30 MB field cost seconds of CPU, and echoing it back 10 MB.
    /// Room for the longest field of each kind: 60,000 characters of a policy document (`text`),
    /// a 20,000-character story (`upload`).
    var fieldBytes: Int {
        switch self {
        case .small: 16 * 1024
        case .text: 60_000 * 12 + 64 * 1024
        case .upload: 20_000 * 12 + 16 * 1024
        }
    }

    /// How long the whole body may take to arrive: `grace` (a minute), and then a slow phone's
    /// pace (32 KB a second) for the most the route takes. A body sent a byte at a time, too
    /// slowly for the idle timeout to close it, is cut off here; a real upload at 3G speed fits.
    func deadline(grace: TimeInterval) -> TimeAmount {
        .milliseconds(Int64(grace * 1000) + Int64(bytes / 32))
    }

    /// In the user's words: "10 MB", "32 MB".
    var megabytes: Int { bytes / (1024 * 1024) }

    static let routeKey = "vertrouwd.bodyLimit"
}

/// Why a form could not be taken as sent. A route that can draw its form again gets the refusal
/// instead of its handler (see `RoutesBuilder.post(_:limit:refused:use:)`), so it shows the form
/// filled in with a message; any other route answers with an error page that shows the text.
enum FormRefusal: Sendable, Equatable {
    /// The CSRF token is missing or wrong: an old tab, a lost cookie, another site.
    case expired
    /// The body was larger than the route's limit; only the fields that arrived whole are kept.
    case tooLarge(BodyLimit)
    /// Too many uploads at once (`Application.uploads`): the text was kept, the files were not.
    case busy

    static let routeKey = "vertrouwd.refusable"

    var status: HTTPStatus {
        switch self {
        case .expired: .forbidden
        case .tooLarge: .payloadTooLarge
        case .busy: .serviceUnavailable
        }
    }
}

private struct FormRefusalKey: StorageKey { typealias Value = FormRefusal }

/// The form of a request, read once (`FormFields`) and kept for the CSRF check, the handler and
/// the error page: a multipart body of 32 MB is scanned once, not once per field.
private struct ReadFormKey: StorageKey {
    struct Value: Sendable {
        let fields: [FormFields.Field]
        let files: [Upload]
    }
}

extension Request {
    /// Set by the middleware when this form cannot be taken as sent.
    var formRefusal: FormRefusal? {
        get { storage[FormRefusalKey.self] }
        set { storage[FormRefusalKey.self] = newValue }
    }

    private var readForm: ReadFormKey.Value {
        if let read = storage[ReadFormKey.self] { return read }
        var read = ReadFormKey.Value(fields: [], files: [])
        if let body = body.data {
            if let type = headers.contentType, type.type == "multipart", let boundary = type.parameters["boundary"] {
                // Not an upload route (those are read as they arrive): files are only counted.
                let form = FormFields.multipart(
                    body, boundary: boundary, fieldBytes: route?.bodyLimit.fieldBytes ?? .max)
                read = .init(fields: form.fields, files: form.files)
            } else {
                read = .init(
                    fields: FormFields.parse(body, contentType: headers.contentType, truncated: false), files: [])
            }
        }
        storage[ReadFormKey.self] = read
        return read
    }

    /// Puts a form read as it arrived in place: its text as the body (url-encoded), its files
    /// in their spools.
    fileprivate func setForm(fields: [FormFields.Field], files: [Upload]) throws {
        headers.contentType = .urlEncodedForm
        try RequestBodyMiddleware.setBody(self, ByteBuffer(string: FormFields.urlEncoded(fields)))
        storage[ReadFormKey.self] = .init(fields: fields, files: files)
    }

    /// The text fields of this request's form, as sent (files left out), url-encoded or
    /// multipart. Never stored or logged.
    var formFields: [FormFields.Field] { readForm.fields }

    /// The first value of a text field of this request's form.
    func formValue(_ name: String) -> String? {
        formFields.first { $0.name == name }?.value
    }

    /// The files sent under `name` in a multipart form (empty file inputs included).
    func formFiles(_ name: String) -> [Upload] {
        readForm.files.filter { $0.field == name }
    }
}

extension RoutesBuilder {
    /// A POST route with a body limit chosen on purpose. With `refused`, a form that comes back
    /// expired or too large is handed to `refused` (which draws the form again, filled in, and
    /// changes nothing) instead of to `handler`.
    @discardableResult
    func post(
        _ url: SiteURL, limit: BodyLimit,
        refused: (@Sendable (Request, FormRefusal) async throws -> Response)? = nil,
        use handler: @escaping @Sendable (Request) async throws -> Response
    ) -> Route {
        post(url.pathComponents, limit: limit, refused: refused, use: handler)
    }

    @discardableResult
    func post(
        _ path: [PathComponent], limit: BodyLimit,
        refused: (@Sendable (Request, FormRefusal) async throws -> Response)? = nil,
        use handler: @escaping @Sendable (Request) async throws -> Response
    ) -> Route {
        // The body is already whole when this runs (RequestBodyMiddleware), so the route itself
        // collects nothing.
        let route = on(.POST, path) { req async throws -> Response in
            if let refusal = req.formRefusal {
                // Only reachable when `refused` exists: the middleware refuses every other route.
                guard let refused else { throw Abort(.forbidden, reason: "csrf") }
                return try await refused(req, refusal)
            }
            return try await handler(req)
        }
        route.userInfo[AnySendableHashable(BodyLimit.routeKey)] = limit
        route.userInfo[AnySendableHashable(FormRefusal.routeKey)] = refused != nil
        return route
    }
}

extension Route {
    var bodyLimit: BodyLimit { userInfo[AnySendableHashable(BodyLimit.routeKey)] as? BodyLimit ?? .small }
    var drawsRefusedForms: Bool { userInfo[AnySendableHashable(FormRefusal.routeKey)] as? Bool ?? false }
}

/// Reads the whole body of every state-changing request, up to its route's limit, before the
/// CSRF check and the route see it. Over the limit it keeps the fields that arrived whole (a
/// form's text comes before its files) and reads the rest away, so the answer can show them.
struct RequestBodyMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method != .GET && request.method != .HEAD else {
            return try await next.respond(to: request)
        }
        let limit = request.route?.bodyLimit ?? .small
        let deadline = limit.deadline(grace: request.application.settings.bodyGrace)
        guard case .upload = limit else {
            return try await respond(to: request, limit: limit, keep: limit.bytes, deadline: deadline, chainingTo: next)
        }
        guard let type = request.headers.contentType, type.type == "multipart",
            let boundary = type.parameters["boundary"], MultipartStream.isValidBoundary(boundary)
        else {
            // Files come only in a multipart form: anything else is text, and kept as much as a
            // text form (a 30 MB url-encoded story is never held).
            return try await respond(
                to: request, limit: limit, keep: BodyLimit.text.bytes, deadline: deadline, chainingTo: next)
        }
        // Forms with files are read as they arrive, the files sealed into spools on disk: a 9 MB
        // upload is never held whole. A few at a time, a few per sender (`Application.uploads`);
        // past a short wait the text is read (the files are read away) and the form comes back
        // with it: nothing typed is lost.
        let uploads = request.application.uploads
        // Announced larger than the route takes: only the text is read.
        let tooLarge = (request.headers.first(name: .contentLength).flatMap(Int.init) ?? 0) > limit.bytes
        var spoolFolder: String? = request.application.settings.spoolFolder
        var busy = false
        if tooLarge {
            spoolFolder = nil
        } else {
            do {
                try await uploads.enter(request.source)
            } catch is Hashing.Busy {
                spoolFolder = nil
                busy = true
            }
        }
        defer { if spoolFolder != nil { uploads.leave(request.source) } }
        let sink = MultipartSink(
            MultipartReader(
                boundary: boundary, fieldBytes: limit.fieldBytes, textBytes: BodyLimit.text.bytes,
                spoolFolder: spoolFolder)!, limit: limit.bytes)
        let reader = sink.reader
        // Let go of the spools when the request ends however it ends (a timeout, a body too
        // large, a dropped connection): past a failed read the event loop feeds the reader no more.
        defer { reader.uploads.forEach { $0.discard() } }
        let total = try await Self.read(request, into: sink, ceiling: limit.ceiling, deadline: deadline)
        try request.setForm(fields: reader.fields, files: reader.uploads)
        if let lost = reader.lostFile {
            // Every upload would say "busy" while the disk is full: the operator must hear why.
            request.logger.error("an upload could not be spooled to \(spoolFolder ?? "-"): \(String(reflecting: lost))")
        }
        let refusal: FormRefusal? =
            if tooLarge || total > limit.bytes || reader.dropped > 0 {
                .tooLarge(limit)
            } else if busy || reader.lostFile != nil {
                .busy
            } else {
                nil
            }
        if let refusal {
            reader.uploads.forEach { $0.discard() }
            guard request.route?.drawsRefusedForms == true else { throw Abort(refusal.status) }
            request.formRefusal = refusal
        }
        return try await next.respond(to: request)
    }

    private func respond(
        to request: Request, limit: BodyLimit, keep: Int, deadline: TimeAmount, chainingTo next: any AsyncResponder
    ) async throws -> Response {
        let sink = KeepSink(
            keep: keep, announced: request.headers.first(name: .contentLength).flatMap(Int.init) ?? 0,
            allocator: request.byteBufferAllocator)
        let total = try await Self.read(request, into: sink, ceiling: limit.ceiling, deadline: deadline)
        var kept = sink.kept
        var oversized = false
        if total <= keep {
            // A field past its size goes before anything reads the form as text.
            if let type = request.headers.contentType, type.type == "multipart" {
                oversized = FormFields.hasOversizedPart(
                    kept, boundary: type.parameters["boundary"] ?? "", fieldBytes: limit.fieldBytes)
            } else if let trimmed = FormFields.withoutOversizedFields(kept, fieldBytes: limit.fieldBytes) {
                kept = trimmed
                oversized = true
            }
        }
        if oversized || total > keep {
            // From here on the request carries the kept text fields as an ordinary url-encoded form.
            let fields = FormFields.parse(
                kept, contentType: request.headers.contentType, truncated: !oversized, fieldBytes: limit.fieldBytes)
            try request.setForm(fields: fields, files: [])
            guard request.route?.drawsRefusedForms == true else { throw Abort(.payloadTooLarge) }
            request.formRefusal = .tooLarge(limit)
        } else if request.body.data == nil {
            try Self.setBody(request, kept)
        }
        return try await next.respond(to: request)
    }

    /// What is done with each piece of a body as it arrives, on the request's event loop.
    class Sink: @unchecked Sendable {
        func take(_ piece: ByteBuffer, total: Int) {}
    }

    /// Keeps the first `keep` bytes and counts the rest.
    final class KeepSink: Sink, @unchecked Sendable {
        let keep: Int
        var kept: ByteBuffer
        init(keep: Int, announced: Int, allocator: ByteBufferAllocator) {
            self.keep = keep
            // Room for what the browser says it sends (up to `keep`), so the buffer does not grow by doubling.
            kept = allocator.buffer(capacity: min(max(announced, 0), keep))
        }
        override func take(_ piece: ByteBuffer, total: Int) {
            var piece = piece
            let room = keep - kept.readableBytes
            if room > 0, var slice = piece.readSlice(length: min(room, piece.readableBytes)) {
                kept.writeBuffer(&slice)
            }
        }
    }

    /// Reads a multipart form as it arrives; past `limit` its files are let go.
    final class MultipartSink: Sink, @unchecked Sendable {
        let reader: MultipartReader
        let limit: Int
        init(_ reader: MultipartReader, limit: Int) { self.reader = reader; self.limit = limit }
        override func take(_ piece: ByteBuffer, total: Int) {
            if total > limit && reader.spoolFolder != nil { reader.discardFiles() }
            reader.feed(piece)
        }
    }

    /// Hands the body to `sink` piece by piece as it arrives and counts it; fails past `ceiling`
    /// or `deadline`.
    static func read(_ request: Request, into sink: Sink, ceiling: Int, deadline: TimeAmount) async throws -> Int {
        if let collected = request.body.data {
            // A body that came in one read (or from an in-process test) is already whole.
            guard collected.readableBytes <= ceiling else { throw Abort(.payloadTooLarge) }
            sink.take(collected, total: collected.readableBytes)
            return collected.readableBytes
        }
        /// Touched only on the request's event loop (the drain callbacks), read after `done` completes.
        final class Progress: @unchecked Sendable {
            var total = 0
            var finished = false
            var late = false
        }
        let announced = request.headers.first(name: .contentLength).flatMap(Int.init) ?? 0
        let progress = Progress()
        let done = request.eventLoop.makePromise(of: Void.self)
        let eventLoop = request.eventLoop
        // Too slow: answered 408, and the connection dropped at the next part that arrives.
        let late = eventLoop.scheduleTask(in: deadline) {
            guard !progress.finished else { return }
            progress.finished = true
            progress.late = true
            done.fail(Abort(.requestTimeout))
        }
        done.futureResult.whenComplete { _ in late.cancel() }
        request.body.drain { part in
            if progress.late { return eventLoop.makeFailedFuture(Abort(.requestTimeout)) }
            guard !progress.finished else { return eventLoop.makeSucceededVoidFuture() }
            switch part {
            case .buffer(let chunk):
                progress.total += chunk.readableBytes
                if progress.total > ceiling {
                    progress.finished = true
                    done.fail(Abort(.payloadTooLarge))
                    return eventLoop.makeFailedFuture(Abort(.payloadTooLarge))
                }
                sink.take(chunk, total: progress.total)
            case .error(let error):
                progress.finished = true
                done.fail(error)
            case .end:
                progress.finished = true
                // Shorter than announced (a connection closed half way, should it ever end the
                // stream rather than fail it): a story cut off at its first words is no report.
                if announced > 0 && progress.total < announced {
                    done.fail(Abort(.badRequest, reason: "body cut off"))
                } else {
                    done.succeed(())
                }
            }
            return eventLoop.makeSucceededVoidFuture()
        }
        try await done.futureResult.get()
        return progress.total
    }

    /// Puts bytes in place as the request's collected body: Vapor has no public setter for it,
    /// but `content.encode` stores what an encoder writes.
    fileprivate static func setBody(_ request: Request, _ bytes: ByteBuffer) throws {
        try request.content.encode("", using: Verbatim(bytes: bytes))
    }

    private struct Verbatim: ContentEncoder {
        let bytes: ByteBuffer
        func encode<E: Encodable>(_ encodable: E, to body: inout ByteBuffer, headers: inout HTTPHeaders) throws {
            // The same storage, not a copy (a 32 MB upload would otherwise be held twice).
            if body.readableBytes == 0 { body = bytes } else { body.writeImmutableBuffer(bytes) }
        }
    }
}

/// A form body, url-encoded or multipart, read leniently: no shape of form fails, and a body cut
/// short yields the fields that arrived whole. `parse` gives the text fields; `multipart` also
/// the files.
enum FormFields {
    struct Field: Sendable, Equatable {
        let name: String
        let value: String
    }

    /// `truncated`: the body was cut off, so a url-encoded body's last field is dropped (a
    /// multipart body's cut-off part is never complete, so it is dropped anyway).
    static func parse(
        _ body: ByteBuffer, contentType: HTTPMediaType?, truncated: Bool, fieldBytes: Int = .max
    ) -> [Field] {
        if let contentType, contentType.type == "multipart", let boundary = contentType.parameters["boundary"] {
            return multipart(body, boundary: boundary, fieldBytes: fieldBytes).fields
        }
        var text = String(decoding: body.readableBytesView, as: UTF8.self)
        if truncated, let last = text.lastIndex(of: "&") { text = String(text[..<last]) }
        return text.split(separator: "&", maxSplits: maximumFields, omittingEmptySubsequences: true).prefix(
            maximumFields
        ).compactMap { pair in
            guard pair.utf8.count <= fieldBytes else { return nil }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2,
                let name = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
                let value = String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            else { return nil }
            return Field(name: name, value: value)
        }
    }

    /// The parts of a multipart body already in memory (`MultipartReader`): the text fields, the
    /// file inputs (counted, their bytes not kept), and how many text parts were left out for
    /// being longer than `fieldBytes`. An invalid boundary gives nothing; a part cut off is not kept.
    static func multipart(
        _ body: ByteBuffer, boundary: String, fieldBytes: Int = .max
    ) -> (fields: [Field], files: [Upload], dropped: Int) {
        guard
            let reader = MultipartReader(boundary: boundary, fieldBytes: fieldBytes, textBytes: .max, spoolFolder: nil)
        else { return ([], [], 0) }
        reader.feed(body)
        return (reader.fields, reader.uploads, reader.dropped)
    }

    /// A url-encoded body without the fields longer than `fieldBytes`, or nil when none is. Bytes
    /// only: `memchr` finds each `&`, nothing is decoded.
    static func withoutOversizedFields(_ body: ByteBuffer, fieldBytes: Int) -> ByteBuffer? {
        guard body.readableBytes > fieldBytes else { return nil }
        return body.withUnsafeReadableBytes { raw -> ByteBuffer? in
            guard let base = raw.baseAddress else { return nil }
            var kept = ByteBuffer()
            var start = 0, dropped = false
            while start <= raw.count {
                let end =
                    memchr(base + start, 0x26, raw.count - start).map { base.distance(to: UnsafeRawPointer($0)) }
                    ?? raw.count
                if end - start > fieldBytes {
                    dropped = true
                } else if end > start {
                    if kept.readableBytes > 0 { kept.writeInteger(UInt8(0x26)) }
                    kept.writeBytes(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                }
                start = end + 1
            }
            return dropped ? kept : nil
        }
    }

    /// Whether a multipart body has a text part (not a file) longer than `fieldBytes`.
    static func hasOversizedPart(_ body: ByteBuffer, boundary: String, fieldBytes: Int) -> Bool {
        guard body.readableBytes > fieldBytes else { return false }
        return multipart(body, boundary: boundary, fieldBytes: fieldBytes).dropped > 0
    }

    /// No form of ours has more than a few dozen fields; a body with thousands is cut off there.
    static let maximumFields = 1_000

    static func urlEncoded(_ fields: [Field]) -> String {
        // ASCII only: `CharacterSet.alphanumerics` would let "é" through unencoded.
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~[]")
        return fields.map {
            "\($0.name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }
}
