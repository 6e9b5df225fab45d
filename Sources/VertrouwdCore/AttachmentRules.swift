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
        if data.isEmpty { return .failure(.empty) }
        if data.count > maximumBytes { return .failure(.tooLarge) }
        let head = [UInt8](data.prefix(8))
        let ext = (filename as NSString).pathExtension.lowercased()
        if head.starts(with: Array("%PDF-".utf8)) { return .success(.pdf) }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .success(.png) }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .success(.jpeg) }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            if ext == "docx" { return .success(.docx) }
            if ext == "odt" { return .success(.odt) }
            return .failure(.notAllowed)
        }
        if ext == "txt", !data.contains(0), String(data: data, encoding: .utf8) != nil { return .success(.text) }
        return .failure(.notAllowed)
    }

    /// A display name without paths or control characters, at most 120 characters.
    public static func cleanName(_ filename: String) -> String {
        let last = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        return cleaned.isEmpty ? "bijlage" : String(cleaned.prefix(120))
    }
}
