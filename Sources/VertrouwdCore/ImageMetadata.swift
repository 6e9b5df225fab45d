import Foundation

/// Removes what a photo says about where, when and with what it was made, before the counsellor
/// (or anyone who later reads the case) sees it: a JPEG keeps only its image segments (EXIF with
/// GPS, XMP, IPTC, maker notes, thumbnails, comments and ICC profiles go: every APPn but JFIF's
/// APP0 and Adobe's APP14, which says how to read the colours, and COM), a PNG loses its text,
/// EXIF and time chunks. The picture itself is not re-encoded. A photo may then show turned on
/// its side: the orientation was part of EXIF. PDF and Office files are not changed; the form
/// warns about their metadata.
public enum ImageMetadata {
    /// The image without its metadata, or nil when it is not a well-formed file of its kind.
    public static func stripped(_ data: Data, kind: AttachmentKind) -> Data? {
        switch kind {
        case .jpeg: jpeg(Array(data))
        case .png: png(Array(data))
        default: data
        }
    }

    static func jpeg(_ bytes: [UInt8]) -> Data? {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var out: [UInt8] = [0xFF, 0xD8]
        out.reserveCapacity(bytes.count)
        var i = 2
        while i + 1 < bytes.count {
            guard bytes[i] == 0xFF else { return nil }
            let marker = bytes[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill byte
            if marker == 0xD9 { out += [0xFF, 0xD9]; return Data(out) }
            if (0xD0...0xD7).contains(marker) || marker == 0x01 { out += [0xFF, marker]; i += 2; continue }
            guard i + 3 < bytes.count else { return nil }
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length >= 2, i + 2 + length <= bytes.count else { return nil }
            if marker == 0xDA {
                // Start of scan: the entropy-coded image follows to the end, copied as it is.
                out += bytes[i...]
                return Data(out)
            }
            let metadata = (0xE1...0xED).contains(marker) || marker == 0xEF || marker == 0xFE
            if !metadata { out += bytes[i..<(i + 2 + length)] }
            i += 2 + length
        }
        return nil
    }

    static func png(_ bytes: [UInt8]) -> Data? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { return nil }
        var out = signature
        out.reserveCapacity(bytes.count)
        var i = 8
        while i + 12 <= bytes.count {
            let length = Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length >= 0, i + 12 + length <= bytes.count else { return nil }
            let type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
            if !["tEXt", "zTXt", "iTXt", "eXIf", "tIME"].contains(type) { out += bytes[i..<(i + 12 + length)] }
            i += 12 + length
            if type == "IEND" { return Data(out) }
        }
        return nil
    }
}
