import Foundation
import Testing
import Vapor
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

/// How a form body is read before any route sees it (`FormFields`): leniently, so no shape of
/// body fails, and a body cut off at its limit keeps the fields that arrived whole.
@Suite("Forms: reading a body as it was sent, and pages a form can point into")
struct FormReadingTests {
    static let boundary = "----vertrouwd-grens"

    static func multipart(_ parts: [(name: String, filename: String?, content: [UInt8])], closed: Bool = true) -> ByteBuffer {
        var body: [UInt8] = []
        for part in parts {
            body += Array("--\(boundary)\r\n".utf8)
            let file = part.filename.map { "; filename=\"\($0)\"" } ?? ""
            body += Array("Content-Disposition: form-data; name=\"\(part.name)\"\(file)\r\n".utf8)
            if part.filename != nil { body += Array("Content-Type: application/pdf\r\n".utf8) }
            body += Array("\r\n".utf8) + part.content + Array("\r\n".utf8)
        }
        if closed { body += Array("--\(boundary)--\r\n".utf8) }
        return ByteBuffer(bytes: body)
    }

    static let multipartType = HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": boundary])

    @Test func aUrlEncodedFormKeepsRepeatedNamesAndDecodesWhatABrowserEncodes() {
        // MUT
        let fields = FormFields.parse(ByteBuffer(string: "_csrf=abc&categories%5B%5D=bullying&categories%5B%5D=fraud&story=Caf%C3%A9+%F0%9F%98%94%0D%0Aregel+2&bad=%E0%A4%A"),
                                      contentType: .urlEncodedForm, truncated: false)

        // validate
        #expect(fields.map(\.name) == ["_csrf", "categories[]", "categories[]", "story"], "a broken escape drops that field only")
        #expect(fields[3].value == "Café 😔\r\nregel 2")
    }

    @Test func aUrlEncodedBodyCutOffAtItsLimitLosesOnlyTheFieldThatWasCut() {
        // setup
        let whole = "_csrf=abc&remark=" + String(repeating: "ok+", count: 10) + "&note=" + String(repeating: "%C3%A9", count: 100)

        // MUT
        let fields = FormFields.parse(ByteBuffer(string: String(whole.prefix(whole.count - 7))), contentType: .urlEncodedForm, truncated: true)

        // validate
        #expect(fields.map(\.name) == ["_csrf", "remark"])
        #expect(fields[1].value == String(repeating: "ok ", count: 10))
    }

    @Test func whatWeEncodeReadsBackTheSame() {
        // setup
        let fields = [FormFields.Field(name: "categories[]", value: "a&b=c+d"), FormFields.Field(name: "story", value: "één 😔\n%20 ‘x’")]

        // MUT
        let read = FormFields.parse(ByteBuffer(string: FormFields.urlEncoded(fields)), contentType: .urlEncodedForm, truncated: false)

        // validate
        #expect(read == fields)
    }

    @Test func aMultipartBodyGivesItsTextFieldsAndItsFilesByteForByte() throws {
        // setup: file bytes that look like line ends and half a boundary
        let pdf = Array("%PDF-1.4\r\n--\(Self.boundary.prefix(8))\r\n\r\n".utf8) + (0..<5_000).map { UInt8($0 % 256) }
        let body = Self.multipart([("_csrf", nil, Array("abc".utf8)), ("story", nil, Array("Regel één\r\nregel twee 🙏🏽".utf8)),
                                   ("files[]", "verslag.pdf", pdf), ("files[]", "", [])])

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let reader = try #require(MultipartReader(boundary: Self.boundary, fieldBytes: 1_000, textBytes: 10_000, spoolFolder: folder))

        // MUT: as it arrives over a socket, in pieces
        var rest = body
        while let piece = rest.readSlice(length: min(777, rest.readableBytes)), piece.readableBytes > 0 { reader.feed(piece) }

        // validate
        #expect(reader.isComplete)
        #expect(reader.fields == [.init(name: "_csrf", value: "abc"), .init(name: "story", value: "Regel één\r\nregel twee 🙏🏽")])
        let files = reader.uploads
        #expect(files.map(\.field) == ["files[]", "files[]"])
        #expect(files[0].filename == "verslag.pdf" && files[0].result == .success(.pdf))
        let spool = try #require(files[0].spool)
        #expect(try spool.pieces.indices.map { try spool.piece($0) }.reduce(Data(), +) == Data(pdf))
        #expect(!files[1].chosen && files[1].spool == nil, "an empty file input is sent as an empty part, and kept nowhere")
        // the spool has no name on disk: nothing of the file can be found there
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func aMultipartBodyCutOffInAFileKeepsTheTextBeforeItAndNoHalfFile() throws {
        // setup
        let whole = Self.multipart([("_csrf", nil, Array("abc".utf8)), ("story", nil, Array("Mijn verhaal".utf8)),
                                    ("files[]", "groot.pdf", [UInt8](repeating: 0x25, count: 50_000))])
        let cut = whole.getSlice(at: 0, length: 20_000)!

        // MUT
        let fields = FormFields.parse(cut, contentType: Self.multipartType, truncated: true)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let reader = try #require(MultipartReader(boundary: Self.boundary, fieldBytes: 1_000, textBytes: 10_000, spoolFolder: folder))
        reader.feed(cut)

        // validate
        #expect(fields.map(\.value) == ["abc", "Mijn verhaal"])
        #expect(reader.fields.map(\.value) == ["abc", "Mijn verhaal"])
        let file = try #require(reader.uploads.first)
        #expect(file.received > 0 && file.result == nil, "a file cut off is never complete, so never an attachment")
    }

    @Test func hostileBodiesGiveNoFieldsRatherThanACrash() {
        let bodies: [ByteBuffer] = [ByteBuffer(), ByteBuffer(string: "--"), ByteBuffer(string: "--\(Self.boundary)"),
                                    ByteBuffer(string: "--\(Self.boundary)\r\nContent-Disposition: form-data\r\n\r\nzonder naam\r\n--\(Self.boundary)--"),
                                    ByteBuffer(bytes: [0xFF, 0xFE, 0x00, 0x0D, 0x0A])]
        for body in bodies {
            #expect(FormFields.parse(body, contentType: Self.multipartType, truncated: false).isEmpty)
            #expect(FormFields.multipart(body, boundary: "").fields.isEmpty)
        }
    }

    @Test func aBoundaryOutsideTheRulesGivesNothingAndAHostileBodyIsReadInOnePass() {
        // setup: the longest valid boundary, and a body of near-delimiters that would make a
        // naive search compare the whole boundary at every line
        let boundary = String(repeating: "-", count: 69) + "x"
        let nearMiss = "\r\n--" + String(repeating: "-", count: 69)
        let body = ByteBuffer(string: String(repeating: nearMiss, count: 20_000))

        // MUT
        let hostile = FormFields.multipart(body, boundary: boundary)
        let tooLong = FormFields.multipart(Self.multipart([("story", nil, Array("tekst".utf8))]), boundary: String(repeating: "a", count: 71))
        let withNewline = FormFields.multipart(body, boundary: "a\r\nb")

        // validate
        #expect(hostile.fields.isEmpty && hostile.files.isEmpty)
        #expect(tooLong.fields.isEmpty, "RFC 2046 allows at most 70 characters")
        #expect(withNewline.fields.isEmpty)
        #expect(MultipartStream.isValidBoundary(Self.boundary))
    }

    @Test func aFormWithThousandsOfFieldsIsReadUpToTheFirstThousand() {
        let body = ByteBuffer(string: String(repeating: "a=abc&", count: 50_000))
        #expect(FormFields.parse(body, contentType: .urlEncodedForm, truncated: false).count == FormFields.maximumFields)
    }

    /// A label, an error summary link or `aria-describedby` points at an id: used twice, it
    /// points at the wrong field. The browser suite checks this on what it visits; this checks
    /// the pages with the most forms, fast.
    @Test func thePagesWithTheMostFormsUseEveryIdOnce() async throws {
        try await withVertrouwd { app in
            // setup
            let (c, browser) = try await app.counsellorWithCase()
            let pages = ["/cases/\(c.id!)", "/organisations/\(c.$organisation.id)", "/", "/account", "/o/het-baken/melden", "/o/het-baken/gesprek"]

            for path in pages {
                // MUT
                let html = try await browser.get(path).body.string

                // validate
                let ids = html.matches(of: /\sid="([^"]+)"/).map { String($0.1) }
                let twice = Set(ids.filter { id in ids.filter { $0 == id }.count > 1 })
                #expect(twice.isEmpty, "\(path) uses an id more than once: \(twice.sorted())")
                #expect(!ids.isEmpty, "\(path) was drawn")
            }
        }
    }
}

@Suite("Long texts fold after their start")
struct FoldTagTests {
    @Test func aLongTextIsCutAtASpaceAndEverythingIsEscaped() throws {
        let short = "Kort <b>verhaal</b>"
        #expect(FoldTag.split(short).rest.isEmpty)
        let long = String(repeating: "woord ", count: 300) + "<script>alert(1)</script>"
        let (head, rest) = FoldTag.split(long)
        #expect(head + rest == long, "nothing lost")
        #expect(head.count <= FoldTag.head && head.hasSuffix(" "), "cut after a space, not inside a word")
        #expect(FoldTag.escape(rest).contains("&lt;script&gt;") && !FoldTag.escape(rest).contains("<script>"))
        #expect(FoldTag.escape("\"'&") == "&quot;&apos;&amp;")
    }
}
