import Foundation
import Testing
import ZIPFoundation
@testable import VertrouwdCore
@testable import VertrouwdReports

/// An upload is read, checked, cleaned and zipped in pieces of whatever size the network gives:
/// the result must not depend on where the pieces break.
@Suite("Uploads in pieces")
struct StreamingUploadTests {
    static let boundary = "----vertrouwd1234"

    static func body(_ parts: [(name: String, filename: String?, content: [UInt8])], close: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            let disposition = part.filename.map { "form-data; name=\"\(part.name)\"; filename=\"\($0)\"" } ?? "form-data; name=\"\(part.name)\""
            out += Array("--\(boundary)\r\nContent-Disposition: \(disposition)\r\n\r\n".utf8) + part.content + Array("\r\n".utf8)
        }
        if close { out += Array("--\(boundary)--\r\n".utf8) }
        return out
    }

    /// What a stream reports, with the content of each part joined.
    struct Read: Equatable {
        var parts: [(headers: String, content: [UInt8], ended: Bool)] = []
        var complete = false
        static func == (a: Read, b: Read) -> Bool {
            a.complete == b.complete && a.parts.count == b.parts.count
                && zip(a.parts, b.parts).allSatisfy { $0.headers == $1.headers && $0.content == $1.content && $0.ended == $1.ended }
        }
    }

    static func read(_ body: [UInt8], boundary: String = boundary, pieces sizes: [Int]) -> Read? {
        guard var stream = MultipartStream(boundary: boundary) else { return nil }
        var read = Read()
        var at = 0, turn = 0
        while at < body.count {
            let n = min(max(1, sizes[turn % sizes.count]), body.count - at)
            body[at..<(at + n)].withUnsafeBytes { bytes in
                stream.feed(bytes) { event in
                    switch event {
                    case .part(let headers): read.parts.append((headers, [], false))
                    case .content(let piece): read.parts[read.parts.count - 1].content += piece
                    case .partEnd: read.parts[read.parts.count - 1].ended = true
                    }
                }
            }
            at += n
            turn += 1
        }
        read.complete = stream.isComplete
        return read
    }

    /// Piece sizes: every size from 1 to 80 and a few seeded random sequences.
    static var splits: [[Int]] {
        var generator = SeededRandom(state: 42)  // a failing split can be replayed
        return (1...80).map { [$0] } + (0..<40).map { _ in (0..<50).map { _ in Int.random(in: 1...300, using: &generator) } }
    }

    @Test func aMultipartBodyReadsTheSameHoweverItIsCut() throws {
        // setup: file bytes that look like line ends and half a delimiter
        let pdf = Array("%PDF-1.4\r\n--\(Self.boundary.prefix(8))\r\n\r\n\r\n--".utf8) + (0..<3_000).map { UInt8($0 % 256) }
        let body = Self.body([("_csrf", nil, Array("abc".utf8)), ("story", nil, Array("Regel één\r\nregel twee 🙏🏽".utf8)),
                              ("files[]", "verslag.pdf", pdf), ("files[]", "", [])])
        let whole = try #require(Self.read(body, pieces: [body.count]))

        // validate: the whole body gives every part byte for byte
        #expect(whole.complete)
        #expect(whole.parts.map(\.content) == [Array("abc".utf8), Array("Regel één\r\nregel twee 🙏🏽".utf8), pdf, []])
        #expect(whole.parts.allSatisfy { $0.ended })
        #expect(whole.parts[2].headers.contains("filename=\"verslag.pdf\""))
        for sizes in Self.splits {
            // MUT
            let read = try #require(Self.read(body, pieces: sizes))
            // validate
            #expect(read == whole, "cut in pieces of \(sizes.prefix(5))…")
        }
    }

    @Test func aBodyCutOffEndsNoPartItCutAndIsNotComplete() throws {
        let body = Self.body([("story", nil, Array("Mijn verhaal".utf8)), ("files[]", "groot.pdf", [UInt8](repeating: 0x25, count: 5_000))])
        // The story ends where the file's delimiter has been seen whole.
        let delimiter = Array("\r\n--\(Self.boundary)".utf8)
        let storyEnds = (0..<body.count).first { body[$0...].starts(with: delimiter) }! + delimiter.count
        // The file ends where the closing delimiter has been seen whole (before its "--\r\n").
        for cut in [body.count - 5, body.count - 30, 4_000, storyEnds, storyEnds - 1, 20] {
            let read = try #require(Self.read(Array(body[..<cut]), pieces: [97]))
            #expect(!read.complete)
            #expect(read.parts.filter(\.ended).map(\.content.count) == (cut >= storyEnds ? ["Mijn verhaal".utf8.count] : []), "cut at \(cut)")
            #expect(read.parts.dropFirst().allSatisfy { !$0.ended }, "the file being read when the body stopped never ends")
        }
    }

    @Test func aHeaderBlockPastItsLimitStopsTheStreamEvenWhenItEndsLater() throws {
        // a header block of 40 KB sent a kilobyte at a time, that does end, with a part after it
        let endless = Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"a\"".utf8) + [UInt8](repeating: 0x0D, count: 40_000)
            + Array("\r\n\r\nx\r\n--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\ny\r\n--\(Self.boundary)--\r\n".utf8)
        let read = try #require(Self.read(endless, pieces: [1_000]))
        #expect(read.parts.isEmpty && !read.complete, "broken at 16 KB: nothing after it is read")
        // the same block within the limit is read
        let fine = Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: ".utf8) + [UInt8](repeating: 0x61, count: 10_000)
            + Array("\r\n\r\nx\r\n--\(Self.boundary)--\r\n".utf8)
        let ok = try #require(Self.read(fine, pieces: [1]))
        #expect(ok.complete && ok.parts.map(\.content) == [Array("x".utf8)])
    }

    static func segment(_ marker: UInt8, _ body: [UInt8]) -> [UInt8] {
        [0xFF, marker, UInt8((body.count + 2) >> 8), UInt8((body.count + 2) & 0xFF)] + body
    }

    static var photo: (raw: [UInt8], clean: [UInt8]) {
        let jfif = segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0])
        let exif = segment(0xE1, Array("Exif\0\0GPSLatitude 52.09 N".utf8) + [UInt8](repeating: 0xFF, count: 300))
        let table = segment(0xDB, [UInt8](repeating: 7, count: 65))
        let scan = segment(0xDA, [1, 1, 0, 0, 0x3F, 0]) + [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56] + [UInt8](repeating: 0x33, count: 500)
        let start: [UInt8] = [0xFF, 0xD8], end: [UInt8] = [0xFF, 0xD9]
        // A phone's trailer after the end of the picture (a motion photo's video, its own EXIF).
        let trailer = Array("ftypmp4 GPS 52.09 N".utf8)
        return (start + jfif + exif + table + scan + end + trailer, start + jfif + table + scan + end)
    }

    static func filtered(_ bytes: [UInt8], kind: AttachmentKind, pieces size: Int) -> [UInt8]? {
        var filter = ImageMetadata.Filter(kind)!
        var out: [UInt8] = []
        var at = 0
        while at < bytes.count {
            let n = min(size, bytes.count - at)
            bytes[at..<(at + n)].withUnsafeBytes { filter.feed($0) { out += $0 } }
            at += n
        }
        return filter.finish() ? out : nil
    }

    @Test func aPhotoLosesItsMetadataAndItsTrailerHoweverItArrives() throws {
        let (raw, clean) = Self.photo
        #expect(ImageMetadata.stripped(Data(raw), kind: .jpeg) == Data(clean))
        for size in 1...120 {
            #expect(Self.filtered(raw, kind: .jpeg, pieces: size) == clean, "pieces of \(size)")
        }
        // cut inside a metadata segment, or before the picture's header is whole: no picture
        #expect(Self.filtered(Array(raw[..<40]), kind: .jpeg, pieces: 7) == nil)
        let scanStart = clean.count - 500 - 2 - 7 - 10
        #expect(Self.filtered(Array(clean[..<(scanStart + 5)]), kind: .jpeg, pieces: 3) == nil)
    }

    @Test func aPNGAndAProgressiveJPEGLoseTheirMetadataHoweverTheyArrive() throws {
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let n = body.count
            return [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)] + Array(type.utf8) + body + [1, 2, 3, 4]
        }
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let header = chunk("IHDR", [UInt8](repeating: 1, count: 13)), pixels = chunk("IDAT", [UInt8](repeating: 9, count: 300))
        let png = signature + header + chunk("iCCP", Array("Canon EOS profiel".utf8)) + chunk("tEXt", Array("Author\0Anna".utf8))
            + pixels + chunk("caBX", Array("c2pa: gemaakt door Anna".utf8)) + chunk("IEND", [])
        let cleanPNG = signature + header + pixels + chunk("IEND", [])
        // Progressive: scans with tables and a comment between them, 0xFF 0x00 and a restart in the data.
        let scan1 = Self.segment(0xDA, [1, 1, 0, 0, 0x3F, 0]) + [0x11, 0xFF, 0x00, 0x22, 0xFF, 0xD3, 0x33]
        let table = Self.segment(0xC4, [UInt8](repeating: 5, count: 20))
        let comment = Self.segment(0xFE, Array("Tussen de scans: GPS 52.09 N".utf8))
        let scan2 = Self.segment(0xDA, [1, 1, 0, 0, 0x3F, 0]) + [0x44, 0xFF, 0x00, 0x55]
        let progressive: [UInt8] = [0xFF, 0xD8] + scan1 + table + comment + [0xFF, 0xFF] + scan2 + [0xFF, 0xD9] + Array("trailer".utf8)
        let cleanJPEG: [UInt8] = [0xFF, 0xD8] + scan1 + table + scan2 + [0xFF, 0xD9]  // the fill byte goes too
        for size in 1...60 {
            #expect(Self.filtered(png, kind: .png, pieces: size) == cleanPNG, "PNG in pieces of \(size)")
            #expect(Self.filtered(progressive, kind: .jpeg, pieces: size) == cleanJPEG, "JPEG in pieces of \(size)")
        }
    }

    @Test func aFileIsRecognisedAndCheckedInPieces() {
        func scan(_ bytes: [UInt8], _ name: String, pieces size: Int) -> (Result<AttachmentKind, AttachmentRules.Problem>, [UInt8]) {
            var scan = AttachmentScan(filename: name)
            var out: [UInt8] = []
            var at = 0
            while at < bytes.count {
                let n = min(size, bytes.count - at)
                bytes[at..<(at + n)].withUnsafeBytes { scan.feed($0) { out += $0 } }
                at += n
            }
            return (scan.finish { out += $0 }, out)
        }
        // A file shorter than the 8 bytes that decide its kind keeps its bytes.
        #expect(scan(Array("Zie".utf8), "kort.txt", pieces: 1) == (.success(.text), Array("Zie".utf8)))
        #expect(scan([0xFF, 0xD8, 0xFF, 0xD9], "klein.jpg", pieces: 3) == (.success(.jpeg), [0xFF, 0xD8, 0xFF, 0xD9]))
        // A character of four bytes split over two pieces is still UTF-8.
        let text = Array("Notitie: 😔 één\n".utf8)
        for size in 1...text.count {
            #expect(scan(text, "notitie.txt", pieces: size) == (.success(.text), text))
        }
        #expect(scan(Array("abc".utf8) + [0xF0, 0x9F], "kapot.txt", pieces: 2).0 == .failure(.notAllowed), "cut in a character")
        #expect(scan(Array("a\0b".utf8), "binair.txt", pieces: 1).0 == .failure(.notAllowed))
        #expect(scan(Array("%PDF".utf8), "kort.pdf", pieces: 1).0 == .failure(.notAllowed), "too short to be a PDF")
        #expect(scan(Array("%PDF-".utf8), "kort.pdf", pieces: 1).0 == .success(.pdf))
        #expect(scan([], "leeg.pdf", pieces: 1).0 == .failure(.empty))
        let (raw, clean) = Self.photo
        #expect(scan(raw, "foto.jpg", pieces: 13) == (.success(.jpeg), clean))
        let big = Array("%PDF-".utf8) + [UInt8](repeating: 0x20, count: AttachmentRules.maximumBytes)
        #expect(scan(big, "groot.pdf", pieces: 65_536).0 == .failure(.tooLarge))
    }

    @Test func aStreamedZipOpensInAnyUnzipWithEveryEntryByteForByte() throws {
        // setup: a text, a binary file and a name with accents
        let files: [(String, Data)] = [("dossier-M-2026-001.txt", Data("Mijn melding\nregel twee".utf8)),
                                       ("bijlagen/foto één.jpg", Data((0..<70_000).map { UInt8($0 % 251) })),
                                       ("bijlagen/leeg.txt", Data())]
        var zip = ZipStream(modified: Date(timeIntervalSince1970: 1_790_000_000))
        var out = Data()

        // MUT: each entry's bytes in two pieces, as they would be sent
        for (path, data) in files {
            let crc = ZipStream.crc(data.dropFirst(1_000), continuing: ZipStream.crc(data.prefix(1_000)))
            out += try zip.header(path: path, size: data.count, crc: crc)
            out += data.prefix(1_000)
            out += data.dropFirst(1_000)
        }
        out += zip.end()

        // validate: ZIPFoundation checks each entry's CRC as it extracts
        let archive = try Archive(data: out, accessMode: .read)
        #expect(archive.map(\.path) == files.map(\.0))
        for (path, data) in files {
            var read = Data()
            _ = try archive.extract(try #require(archive[path]), skipCRC32: false) { read += $0 }
            #expect(read == data, "\(path)")
        }
    }
}
