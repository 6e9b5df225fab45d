import Foundation

/// A `multipart/form-data` body read as it arrives, in pieces of any size: a 30 MB upload is
/// never held whole. Each part is announced with its raw header block, its content follows in
/// pieces, and it ends only when the next delimiter is seen: a part cut off by a dropped
/// connection never ends, so nobody keeps half a file or half a story.
///
/// The scan is linear however hostile the body: `memchr` finds each carriage return and `memcmp`
/// checks for the delimiter there. The delimiter starts with CR LF and a valid boundary
/// (RFC 2046: at most 70 of a few ASCII characters) holds no CR, so two places that match a part
/// of it cannot overlap. An invalid boundary gives no stream at all.
public struct MultipartStream: Sendable {
    public enum Event {
        /// A part begins; `headers` is its header block as sent (Content-Disposition and others).
        case part(headers: String)
        /// A piece of the current part's content, valid only during the call.
        case content(UnsafeRawBufferPointer)
        /// The current part is complete.
        case partEnd
    }

    private enum State: Sendable { case preamble, afterDelimiter, headers, content, done, broken }

    private let delimiter: [UInt8]
    private var state = State.preamble
    /// Bytes received but not yet consumed: at most a delimiter's length in content, at most
    /// `maximumHeaderBytes` in a header block.
    private var pending: [UInt8]
    private var parts = 0
    /// How much of a header block still arriving was searched already (from its start), so a
    /// block sent a byte at a time is searched once, not once per byte.
    private var headerSearched = 0

    /// A part's header block past this breaks the stream (a browser sends a few hundred bytes).
    public static let maximumHeaderBytes = 16 * 1024
    /// No form of ours has more than a few dozen fields; past this the rest is read and ignored.
    public static let maximumParts = 1_000

    public init?(boundary: String) {
        guard Self.isValidBoundary(boundary) else { return nil }
        delimiter = Array("\r\n--\(boundary)".utf8)
        // The body may start with the delimiter without its CR LF: as if it had one.
        pending = [0x0D, 0x0A]
    }

    /// RFC 2046: 1 to 70 characters from a small ASCII set, not ending in a space.
    public static func isValidBoundary(_ boundary: String) -> Bool {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'()+_,-./:=? ".utf8)
        return (1...70).contains(boundary.utf8.count) && boundary.utf8.allSatisfy(allowed.contains)
            && boundary.last != " "
    }

    /// Whether the closing delimiter was seen: the body arrived whole.
    public var isComplete: Bool { state == .done }

    /// Reads the next piece of the body and reports what it completes.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ handle: (Event) throws -> Void) rethrows {
        guard state != .done && state != .broken, !bytes.isEmpty else { return }
        pending.append(contentsOf: bytes)
        var consumed = 0
        defer { pending.removeFirst(consumed) }
        try pending.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            let count = raw.count
            /// The first place at or after `start` where `needle` (starting with CR) begins, or
            /// nil; `partial` is where a match may begin that the bytes so far cannot decide.
            func find(_ needle: [UInt8], from start: Int) -> (found: Int?, partial: Int) {
                var at = start
                while at < count {
                    guard let cr = memchr(base + at, 0x0D, count - at) else { return (nil, count) }
                    let position = base.distance(to: UnsafeRawPointer(cr))
                    if position + needle.count > count {
                        return memcmp(base + position, needle, count - position) == 0
                            ? (nil, position) : find(needle, from: position + 1)
                    }
                    if memcmp(base + position, needle, needle.count) == 0 { return (position, position) }
                    at = position + 1
                }
                return (nil, count)
            }
            while true {
                switch state {
                case .preamble:
                    let (found, partial) = find(delimiter, from: consumed)
                    guard let found else { consumed = partial; return }
                    consumed = found + delimiter.count
                    state = .afterDelimiter
                case .afterDelimiter:
                    guard count - consumed >= 2 else { return }
                    // "--" right after the delimiter closes the body.
                    if raw[consumed] == 0x2D && raw[consumed + 1] == 0x2D {
                        state = .done
                        consumed = count
                        return
                    }
                    state = parts < Self.maximumParts ? .headers : .done
                    headerSearched = 0
                case .headers:
                    // The header block runs from just after the delimiter (its line end included)
                    // to the first empty line.
                    let (found, _) = find(
                        Self.headerEnd, from: consumed + max(0, headerSearched - Self.headerEnd.count))
                    guard let found else {
                        headerSearched = count - consumed
                        if count - consumed > Self.maximumHeaderBytes { state = .broken; consumed = count }
                        return
                    }
                    guard found - consumed <= Self.maximumHeaderBytes else { state = .broken; consumed = count; return }
                    let headers = String(
                        decoding: UnsafeRawBufferPointer(rebasing: raw[consumed..<found]), as: UTF8.self)
                    consumed = found + Self.headerEnd.count
                    parts += 1
                    state = .content
                    try handle(.part(headers: headers))
                case .content:
                    let (found, partial) = find(delimiter, from: consumed)
                    let end = found ?? partial
                    if end > consumed { try handle(.content(UnsafeRawBufferPointer(rebasing: raw[consumed..<end]))) }
                    consumed = end
                    guard let found else { return }
                    try handle(.partEnd)
                    consumed = found + delimiter.count
                    state = .afterDelimiter
                case .done, .broken:
                    consumed = count
                    return
                }
            }
        }
    }

    private static let headerEnd = Array("\r\n\r\n".utf8)
}
