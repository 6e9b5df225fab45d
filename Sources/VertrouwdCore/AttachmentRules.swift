import Foundation

/// What a reporter may upload: a short allow-list, recognised by the file's own first bytes, not
/// by the name or the type the browser claims.
public enum AttachmentKind: String, Sendable, CaseIterable {
    case pdf, png, jpeg, text, docx, odt

    public var mimeType: String {
        switch self {
        case .pdf: "application/pdf"
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .text: "text/plain; charset=utf-8"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .odt: "application/vnd.oasis.opendocument.text"
        }
    }

    public var fileExtension: String {
        switch self {
        case .pdf: "pdf"
        case .png: "png"
        case .jpeg: "jpg"
        case .text: "txt"
        case .docx: "docx"
        case .odt: "odt"
        }
    }
}

public enum AttachmentRules {
    public static let maximumBytes = 10 * 1024 * 1024
    public static let maximumFiles = 3
    public static let accept = ".pdf,.png,.jpg,.jpeg,.txt,.docx,.odt"

    public enum Problem: Error, Equatable, Sendable { case empty, tooLarge, notAllowed }

    /// Recognises an allowed file from its bytes (and, for the ZIP-based office formats, its name).
    public static func kind(of data: Data, filename: String) -> Result<AttachmentKind, Problem> {
        var scan = AttachmentScan(filename: filename, cleaning: false)
        data.withUnsafeBytes { scan.feed($0) { _ in } }
        return scan.finish()
    }

    /// The kind the first (up to 8) bytes say, before the contents are checked: a text file is
    /// one only when all of it is UTF-8 without NUL.
    static func kind(head: [UInt8], extension ext: String) -> AttachmentKind? {
        if head.starts(with: Array("%PDF-".utf8)) { return .pdf }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            if ext == "docx" { return .docx }
            if ext == "odt" { return .odt }
            return nil
        }
        return ext == "txt" ? .text : nil
    }

    /// A display name without paths or control characters, at most 120 characters.
    public static func cleanName(_ filename: String) -> String {
        let last = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        return cleaned.isEmpty ? "bijlage" : String(cleaned.prefix(120))
    }
}

/// One upload checked as it arrives, in pieces of any size: its kind recognised from its first
/// bytes, its size counted, a text file checked to be UTF-8 without NUL, and (with `cleaning`) a
/// photo's metadata removed on the way (`ImageMetadata.Filter`). `feed` passes on the bytes to
/// keep; `finish` says what the file was. Until `finish` succeeds, what was passed on is no
/// attachment yet.
public struct AttachmentScan: Sendable {
    private let ext: String
    private let cleaning: Bool
    private var head: [UInt8] = []
    private var kind: AttachmentKind?
    private var problem: AttachmentRules.Problem?
    private var image: ImageMetadata.Filter?
    private var text: UTF8Check?
    /// Bytes received (before cleaning).
    public private(set) var received = 0

    public init(filename: String, cleaning: Bool = true) {
        ext = (filename as NSString).pathExtension.lowercased()
        self.cleaning = cleaning
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Void) {
        guard problem == nil, !bytes.isEmpty else { return }
        received += bytes.count
        if received > AttachmentRules.maximumBytes { problem = .tooLarge; return }
        var rest = bytes
        if kind == nil {
            let take = min(8 - head.count, rest.count)
            head.append(contentsOf: rest[0..<take])
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            guard head.count == 8 else { return }
            decide(emit)
            guard problem == nil else { return }
        }
        pass(rest, emit)
    }

    /// What the file was. A file shorter than its kind's first bytes (8) is decided only here,
    /// and its bytes are passed on to `emit` now.
    public mutating func finish(
        _ emit: (UnsafeRawBufferPointer) -> Void = { _ in }
    ) -> Result<AttachmentKind, AttachmentRules.Problem> {
        if received == 0 { return .failure(.empty) }
        if let problem { return .failure(problem) }
        if kind == nil { decide(emit) }
        if let problem { return .failure(problem) }
        guard let kind else { return .failure(.notAllowed) }
        if let text, !text.finish() { return .failure(.notAllowed) }
        if let image, !image.finish() { return .failure(.notAllowed) }
        return .success(kind)
    }

    private mutating func decide(_ emit: (UnsafeRawBufferPointer) -> Void) {
        guard let found = AttachmentRules.kind(head: head, extension: ext) else { problem = .notAllowed; return }
        kind = found
        if found == .text { text = UTF8Check() }
        if cleaning { image = ImageMetadata.Filter(found) }
        let first = head
        first.withUnsafeBytes { pass($0, emit) }
    }

    private mutating func pass(_ bytes: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Void) {
        guard !bytes.isEmpty else { return }
        if text != nil, !text!.feed(bytes) { problem = .notAllowed; return }
        if image != nil { image!.feed(bytes, emit) } else { emit(bytes) }
    }
}

/// UTF-8 checked piece by piece: a character split over two pieces is held until it is whole.
struct UTF8Check: Sendable {
    private var carry: [UInt8] = []

    /// False at the first NUL or invalid sequence.
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if memchr(bytes.baseAddress!, 0, bytes.count) != nil { return false }
        var all = carry
        all.append(contentsOf: bytes)
        // Where the last, possibly incomplete, character begins.
        var cut = all.count
        var back = all.count - 1
        while back >= 0 && back >= all.count - 4 {
            let byte = all[back]
            if byte & 0xC0 != 0x80 {
                let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                if back + length > all.count { cut = back }
                break
            }
            back -= 1
        }
        carry = Array(all[cut...])
        return String(validating: all[..<cut], as: UTF8.self) != nil
    }

    func finish() -> Bool { carry.isEmpty }
}
