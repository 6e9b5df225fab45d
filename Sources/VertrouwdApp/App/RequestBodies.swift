import NIOCore
import Vapor

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
        let files: [(name: String, file: File)]
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
                let (fields, files) = FormFields.multipart(body, boundary: boundary, fieldBytes: route?.bodyLimit.fieldBytes ?? .max)
                read = .init(fields: fields, files: files)
            } else {
                read = .init(fields: FormFields.parse(body, contentType: headers.contentType, truncated: false), files: [])
            }
        }
        storage[ReadFormKey.self] = read
        return read
    }

    /// The text fields of this request's form, as sent (files left out), url-encoded or
    /// multipart. Never stored or logged.
    var formFields: [FormFields.Field] { readForm.fields }

    /// The first value of a text field of this request's form.
    func formValue(_ name: String) -> String? {
        formFields.first { $0.name == name }?.value
    }

    /// The files sent under `name` in a multipart form.
    func formFiles(_ name: String) -> [File] {
        readForm.files.filter { $0.name == name }.map(\.file)
    }
}

extension RoutesBuilder {
    /// A POST route with a body limit chosen on purpose. With `refused`, a form that comes back
    /// expired or too large is handed to `refused` (which draws the form again, filled in, and
    /// changes nothing) instead of to `handler`.
    @discardableResult
    func post(_ url: SiteURL, limit: BodyLimit,
              refused: (@Sendable (Request, FormRefusal) async throws -> Response)? = nil,
              use handler: @escaping @Sendable (Request) async throws -> Response) -> Route {
        post(url.pathComponents, limit: limit, refused: refused, use: handler)
    }

    @discardableResult
    func post(_ path: [PathComponent], limit: BodyLimit,
              refused: (@Sendable (Request, FormRefusal) async throws -> Response)? = nil,
              use handler: @escaping @Sendable (Request) async throws -> Response) -> Route {
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
        let announced = request.headers.first(name: .contentLength).flatMap(Int.init)
        if case .upload = limit, announced.map({ $0 > Self.largeBody }) ?? true {
            // Large bodies (files) are read and handled one at a time, so four 9 MB uploads at
            // once do not each hold their copies in memory together. Past a short wait the text is
            // read (the files are read away) and the form comes back with it: nothing typed is lost.
            let uploads = request.application.uploads
            do {
                try await uploads.enter(request.source)
            } catch is Hashing.Busy {
                let (kept, _) = try await Self.read(request, keep: BodyLimit.text.bytes, ceiling: limit.ceiling, deadline: deadline)
                let fields = FormFields.parse(kept, contentType: request.headers.contentType, truncated: true, fieldBytes: limit.fieldBytes)
                request.headers.contentType = .urlEncodedForm
                try Self.setBody(request, ByteBuffer(string: FormFields.urlEncoded(fields)))
                guard request.route?.drawsRefusedForms == true else { throw Abort(.serviceUnavailable) }
                request.formRefusal = .busy
                return try await next.respond(to: request)
            }
            defer { uploads.leave(request.source) }
            return try await respond(to: request, limit: limit, deadline: deadline, chainingTo: next)
        }
        return try await respond(to: request, limit: limit, deadline: deadline, chainingTo: next)
    }

    /// A body past this (or of unknown length) waits its turn on an upload route: a story
    /// without files, or with a photo, goes straight through.
    static let largeBody = 1024 * 1024

    private func respond(to request: Request, limit: BodyLimit, deadline: TimeAmount, chainingTo next: any AsyncResponder) async throws -> Response {
        var (kept, total) = try await Self.read(request, keep: limit.bytes, ceiling: limit.ceiling, deadline: deadline)
        var oversized = false
        if total <= limit.bytes {
            // A field past its size goes before anything reads the form as text.
            if let type = request.headers.contentType, type.type == "multipart" {
                oversized = FormFields.hasOversizedPart(kept, boundary: type.parameters["boundary"] ?? "", fieldBytes: limit.fieldBytes)
            } else if let trimmed = FormFields.withoutOversizedFields(kept, fieldBytes: limit.fieldBytes) {
                kept = trimmed
                oversized = true
            }
        }
        if oversized {
            let fields = FormFields.parse(kept, contentType: request.headers.contentType, truncated: false, fieldBytes: limit.fieldBytes)
            request.headers.contentType = .urlEncodedForm
            try Self.setBody(request, ByteBuffer(string: FormFields.urlEncoded(fields)))
            guard request.route?.drawsRefusedForms == true else { throw Abort(.payloadTooLarge) }
            request.formRefusal = .tooLarge(limit)
        } else if total > limit.bytes {
            let fields = FormFields.parse(kept, contentType: request.headers.contentType, truncated: true, fieldBytes: limit.fieldBytes)
            // From here on the request carries the kept text fields as an ordinary url-encoded form.
            request.headers.contentType = .urlEncodedForm
            try Self.setBody(request, ByteBuffer(string: FormFields.urlEncoded(fields)))
            guard request.route?.drawsRefusedForms == true else { throw Abort(.payloadTooLarge) }
            request.formRefusal = .tooLarge(limit)
        } else if request.body.data == nil {
            try Self.setBody(request, kept)
        }
        return try await next.respond(to: request)
    }

    /// Keeps the first `keep` bytes of the body and counts the rest; fails past `ceiling`.
    static func read(_ request: Request, keep: Int, ceiling: Int, deadline: TimeAmount) async throws -> (ByteBuffer, Int) {
        if let collected = request.body.data {
            // A body that came in one read (or from an in-process test) is already whole.
            return (collected.getSlice(at: collected.readerIndex, length: min(keep, collected.readableBytes))!, collected.readableBytes)
        }
        /// Touched only on the request's event loop (the drain callbacks), read after `done` completes.
        final class Progress: @unchecked Sendable {
            var kept: ByteBuffer
            var total = 0
            var finished = false
            var late = false
            init(_ buffer: ByteBuffer) { kept = buffer }
        }
        // Room for what the browser says it sends (up to `keep`), so the buffer does not grow by doubling.
        let announced = request.headers.first(name: .contentLength).flatMap(Int.init) ?? 0
        let progress = Progress(request.byteBufferAllocator.buffer(capacity: min(max(announced, 0), keep)))
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
            case .buffer(var chunk):
                progress.total += chunk.readableBytes
                if progress.total > ceiling {
                    progress.finished = true
                    done.fail(Abort(.payloadTooLarge))
                    return eventLoop.makeFailedFuture(Abort(.payloadTooLarge))
                }
                let room = keep - progress.kept.readableBytes
                if room > 0, var slice = chunk.readSlice(length: min(room, chunk.readableBytes)) {
                    progress.kept.writeBuffer(&slice)
                }
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
        return (progress.kept, progress.total)
    }

    /// Puts bytes in place as the request's collected body: Vapor has no public setter for it,
    /// but `content.encode` stores what an encoder writes.
    private static func setBody(_ request: Request, _ bytes: ByteBuffer) throws {
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
    static func parse(_ body: ByteBuffer, contentType: HTTPMediaType?, truncated: Bool, fieldBytes: Int = .max) -> [Field] {
        if let contentType, contentType.type == "multipart", let boundary = contentType.parameters["boundary"] {
            return multipart(body, boundary: boundary, fieldBytes: fieldBytes).fields
        }
        var text = String(decoding: body.readableBytesView, as: UTF8.self)
        if truncated, let last = text.lastIndex(of: "&") { text = String(text[..<last]) }
        return text.split(separator: "&", maxSplits: maximumFields, omittingEmptySubsequences: true).prefix(maximumFields).compactMap { pair in
            guard pair.utf8.count <= fieldBytes else { return nil }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2,
                  let name = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
                  let value = String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            else { return nil }
            return Field(name: name, value: value)
        }
    }

    /// The parts of a multipart body: text fields, and files (name, file name, bytes). A scan
    /// of our own rather than MultipartKit's parser, which reads byte by byte (about a second per
    /// MB in a debug build): `memchr` finds each carriage return and `memcmp` checks for the
    /// delimiter there, so files of 10 MB cost milliseconds and nothing is copied. The scan is
    /// linear however hostile the body: the delimiter starts with CR LF and a valid boundary
    /// (RFC 2046: at most 70 of a few ASCII characters) holds no CR, so two places that match
    /// a part of it cannot overlap. An invalid boundary gives nothing. A part cut off is not kept.
    static func multipart(_ body: ByteBuffer, boundary: String, fieldBytes: Int = .max) -> (fields: [Field], files: [(name: String, file: File)]) {
        let parts = multipartParts(body, boundary: boundary, fieldBytes: fieldBytes)
        return (parts.fields, parts.files)
    }

    /// `multipart`, and how many text parts were left out for being longer than `fieldBytes`.
    static func multipartParts(_ body: ByteBuffer, boundary: String, fieldBytes: Int) -> (fields: [Field], files: [(name: String, file: File)], dropped: Int) {
        guard isValidBoundary(boundary) else { return ([], [], 0) }
        let delimiter = Array("\r\n--\(boundary)".utf8)
        let headerEnd = Array("\r\n\r\n".utf8)
        return body.withUnsafeReadableBytes { raw -> (fields: [Field], files: [(name: String, file: File)], dropped: Int) in
            guard let base = raw.baseAddress else { return ([], [], 0) }
            let count = raw.count
            /// The first place at or after `start` where `needle` (starting with CR) begins.
            func find(_ needle: [UInt8], from start: Int) -> Int? {
                var at = start
                while at + needle.count <= count {
                    guard let cr = memchr(base + at, 0x0D, count - at) else { return nil }
                    let position = base.distance(to: UnsafeRawPointer(cr))
                    guard position + needle.count <= count else { return nil }
                    if memcmp(base + position, needle, needle.count) == 0 { return position }
                    at = position + 1
                }
                return nil
            }
            func text(_ from: Int, _ to: Int) -> String {
                String(decoding: UnsafeRawBufferPointer(rebasing: raw[from..<to]), as: UTF8.self)
            }
            var fields: [Field] = []
            var files: [(name: String, file: File)] = []
            var dropped = 0
            // The body starts with the delimiter without its CR LF, or has a preamble before it.
            let opening = Array(delimiter.dropFirst(2))
            var position: Int
            if count >= opening.count, memcmp(base, opening, opening.count) == 0 {
                position = -2
            } else if let first = find(delimiter, from: 0) {
                position = first
            } else {
                return ([], [], 0)
            }
            while fields.count + files.count < maximumFields {
                let afterDelimiter = position + delimiter.count
                // "--" right after the delimiter closes the body.
                guard afterDelimiter + 2 <= count, !(raw[afterDelimiter] == 0x2D && raw[afterDelimiter + 1] == 0x2D),
                      let headersEnd = find(headerEnd, from: afterDelimiter) else { break }
                let contentStart = headersEnd + headerEnd.count
                guard let contentEnd = find(delimiter, from: contentStart) else { break }
                let disposition = text(afterDelimiter, headersEnd).split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-disposition:") }
                    .flatMap { HTTPHeaders([("Content-Disposition", String($0.dropFirst("content-disposition:".count)))]).contentDisposition }
                if let name = disposition?.name {
                    if let filename = disposition?.filename {
                        let bytes = body.getSlice(at: body.readerIndex + contentStart, length: contentEnd - contentStart) ?? ByteBuffer()
                        files.append((name, File(data: bytes, filename: filename)))
                    } else if contentEnd - contentStart <= fieldBytes {
                        fields.append(Field(name: name, value: text(contentStart, contentEnd)))
                    } else {
                        dropped += 1
                    }
                }
                position = contentEnd
            }
            return (fields, files, dropped)
        }
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
                let end = memchr(base + start, 0x26, raw.count - start).map { base.distance(to: UnsafeRawPointer($0)) } ?? raw.count
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
        return multipartParts(body, boundary: boundary, fieldBytes: fieldBytes).dropped > 0
    }

    /// RFC 2046: 1 to 70 characters from a small ASCII set, not ending in a space.
    static func isValidBoundary(_ boundary: String) -> Bool {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'()+_,-./:=? ".utf8)
        return (1...70).contains(boundary.utf8.count) && boundary.utf8.allSatisfy(allowed.contains) && boundary.last != " "
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
