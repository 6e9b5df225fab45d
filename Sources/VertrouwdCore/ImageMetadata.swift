import Foundation

/// Removes what a photo says about where, when and with what it was made, before the counsellor
/// (or anyone who later reads the case) sees it: a JPEG keeps only its image segments (EXIF with
/// GPS, XMP, IPTC, maker notes, thumbnails, comments and ICC profiles go: every APPn but JFIF's
/// APP0 and Adobe's APP14, which says how to read the colours, and COM, also between the scans of
/// a progressive JPEG), and nothing after its end-of-image marker (a phone's trailer, a motion
/// photo's video); a PNG loses its text, EXIF, time, colour-profile and content-credential chunks. The picture itself
/// is not re-encoded. A photo may then show turned on its side:
/// the orientation was part of EXIF. PDF and Office files are not changed; the form warns about
/// their metadata.
///
/// `Filter` does this as the file arrives, in pieces of any size, so an upload is never held
/// whole; `stripped` is the same for bytes already in memory.
public enum ImageMetadata {
    /// The image without its metadata, or nil when it is not a well-formed file of its kind.
    public static func stripped(_ data: Data, kind: AttachmentKind) -> Data? {
        guard var filter = Filter(kind) else { return data }
        var out = Data()
        data.withUnsafeBytes { filter.feed($0) { out.append(contentsOf: $0) } }
        return filter.finish() ? out : nil
    }

    /// A JPEG or PNG filtered piece by piece: `feed` passes on what is kept, `finish` says
    /// whether the file was well formed (when it was not, what was passed on must be thrown away).
    public struct Filter: Sendable {
        private enum Format: Sendable { case jpeg, png }
        private enum Next: Sendable { case header, scan, done }
        private enum State: Sendable {
            /// Collecting a fixed-size header (signature, marker, chunk header) in `header`.
            case header
            /// Passing on (`keep`) or dropping this many bytes, then `then`.
            case span(Int, keep: Bool, then: Next)
            /// A JPEG's entropy-coded data: passed on up to and including the end-of-image marker.
            case scan
            case done, broken
        }

        private let format: Format
        private var state = State.header
        private var header: [UInt8] = []
        private var started = false
        /// In a JPEG's scan: the previous piece ended in a 0xFF, not passed on yet.
        private var scanEndedInFF = false
        private static let ff: [UInt8] = [0xFF]

        public init?(_ kind: AttachmentKind) {
            switch kind {
            case .jpeg: format = .jpeg
            case .png: format = .png
            default: return nil
            }
        }

        public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Void) {
            var at = 0
            while at < bytes.count {
                switch state {
                case .done, .broken:
                    return
                case .span(let left, let keep, let then):
                    let n = min(left, bytes.count - at)
                    if keep { emit(UnsafeRawBufferPointer(rebasing: bytes[at..<(at + n)])) }
                    at += n
                    span(left - n, keep: keep, then: then)
                case .scan:
                    // Inside the picture 0xFF is followed by 0x00 (a stuffed byte) or a restart
                    // marker. Any other marker ends the scan: the end of the image, or the tables
                    // and header of a progressive JPEG's next scan, read as segments again (so
                    // metadata between scans goes too).
                    if scanEndedInFF {
                        scanEndedInFF = false
                        let next = bytes[at]
                        if next == 0x00 || (0xD0...0xD7).contains(next) {
                            Self.ff.withUnsafeBytes { emit($0) }
                        } else {
                            header = [0xFF]
                            state = .header
                            continue
                        }
                    }
                    let rest = UnsafeRawBufferPointer(rebasing: bytes[at...])
                    var from = 0
                    var marker: Int?
                    while from < rest.count, let ff = memchr(rest.baseAddress! + from, 0xFF, rest.count - from) {
                        let position = rest.baseAddress!.distance(to: UnsafeRawPointer(ff))
                        guard position + 1 < rest.count else { break }
                        let next = rest[position + 1]
                        if next == 0x00 || (0xD0...0xD7).contains(next) { from = position + 2; continue }
                        marker = position
                        break
                    }
                    if let marker {
                        emit(UnsafeRawBufferPointer(rebasing: rest[0..<marker]))
                        at += marker
                        state = .header
                    } else if rest[rest.count - 1] == 0xFF {
                        // A 0xFF at the end: what it is, the next piece says.
                        emit(UnsafeRawBufferPointer(rebasing: rest[0..<(rest.count - 1)]))
                        scanEndedInFF = true
                        at = bytes.count
                    } else {
                        emit(rest)
                        at = bytes.count
                    }
                case .header:
                    header.append(bytes[at])
                    at += 1
                    switch format {
                    case .jpeg: jpegHeader(emit)
                    case .png: pngHeader(emit)
                    }
                }
            }
        }

        /// Whether the file was whole and well formed. A JPEG cut off in its picture data is
        /// still a picture.
        public func finish() -> Bool {
            switch state {
            case .done: true
            case .scan: true
            default: false
            }
        }

        private mutating func span(_ left: Int, keep: Bool, then: Next) {
            guard left == 0 else { state = .span(left, keep: keep, then: then); return }
            switch then {
            case .header: state = .header
            case .scan: state = .scan
            case .done: state = .done
            }
        }

        private mutating func pass(_ emit: (UnsafeRawBufferPointer) -> Void) {
            header.withUnsafeBytes { emit($0) }
            header.removeAll(keepingCapacity: true)
        }

        private mutating func jpegHeader(_ emit: (UnsafeRawBufferPointer) -> Void) {
            if !started {
                guard header.count == 2 else { return }
                guard header == [0xFF, 0xD8] else { state = .broken; return }
                pass(emit)
                started = true
                return
            }
            guard header[0] == 0xFF else { state = .broken; return }
            guard header.count >= 2 else { return }
            let marker = header[1]
            if marker == 0xFF { header = [0xFF]; return }  // a fill byte
            if marker == 0xD9 { pass(emit); state = .done; return }
            if (0xD0...0xD7).contains(marker) || marker == 0x01 { pass(emit); return }
            guard header.count == 4 else { return }
            let length = Int(header[2]) << 8 | Int(header[3])
            guard length >= 2 else { state = .broken; return }
            let metadata = (0xE1...0xED).contains(marker) || marker == 0xEF || marker == 0xFE
            if metadata { header.removeAll(keepingCapacity: true) } else { pass(emit) }
            // Start of scan: its header, then the entropy-coded picture.
            span(length - 2, keep: !metadata, then: marker == 0xDA ? .scan : .header)
        }

        /// Text, EXIF, time, the colour profile (it may name the device, as a JPEG's ICC profile
        /// does, which goes too) and content credentials (C2PA: who made it, with what).
        private static let pngMetadata: Set<String> = ["tEXt", "zTXt", "iTXt", "eXIf", "tIME", "iCCP", "caBX"]

        private mutating func pngHeader(_ emit: (UnsafeRawBufferPointer) -> Void) {
            if !started {
                guard header.count == 8 else { return }
                guard header == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { state = .broken; return }
                pass(emit)
                started = true
                return
            }
            guard header.count == 8 else { return }
            let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
            let type = String(decoding: header[4..<8], as: UTF8.self)
            let keep = !Self.pngMetadata.contains(type)
            if keep { pass(emit) } else { header.removeAll(keepingCapacity: true) }
            // The chunk's data and its CRC; IEND ends the file.
            span(length + 4, keep: keep, then: type == "IEND" ? .done : .header)
        }
    }
}
