import Foundation
import Testing
@testable import VertrouwdCore

@Suite("Photos lose their metadata")
struct ImageMetadataTests {
    static func segment(_ marker: UInt8, _ body: Data) -> Data {
        Data([0xFF, marker, UInt8((body.count + 2) >> 8), UInt8((body.count + 2) & 0xFF)]) + body
    }

    @Test func aJPEGKeepsItsPictureAndLosesEXIFXMPAndComments() throws {
        let jfif = Self.segment(0xE0, Data("JFIF\0".utf8) + Data([1, 1, 0, 0, 1, 0, 1, 0, 0]))
        let exif = Self.segment(0xE1, Data("Exif\0\0GPSLatitude 52.09 N".utf8))
        let xmp = Self.segment(0xE1, Data("http://ns.adobe.com/xap/1.0/ <x:xmpmeta>Anna</x:xmpmeta>".utf8))
        let comment = Self.segment(0xFE, Data("Gemaakt op kantoor".utf8))
        let adobe = Self.segment(0xEE, Data("Adobe".utf8) + Data([0, 100, 0, 0, 0, 0, 1]))
        let table = Self.segment(0xDB, Data(repeating: 7, count: 65))
        let scan = Self.segment(0xDA, Data([1, 1, 0, 0, 0x3F, 0])) + Data([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56])
        let photo = Data([0xFF, 0xD8]) + jfif + exif + xmp + comment + adobe + table + scan + Data([0xFF, 0xD9])
        let clean = try #require(ImageMetadata.stripped(photo, kind: .jpeg))
        #expect(clean == Data([0xFF, 0xD8]) + jfif + adobe + table + scan + Data([0xFF, 0xD9]))
        #expect(clean.range(of: Data("GPS".utf8)) == nil && clean.range(of: Data("Anna".utf8)) == nil)
        #expect(ImageMetadata.stripped(clean, kind: .jpeg) == clean, "nothing left to strip")
    }

    @Test func aPNGLosesItsTextExifAndTimeChunks() throws {
        func chunk(_ type: String, _ body: Data) -> Data {
            let n = body.count
            return Data([UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)]) + Data(type.utf8) + body + Data([1, 2, 3, 4])
        }
        let signature = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let header = chunk("IHDR", Data(repeating: 1, count: 13)), pixels = chunk("IDAT", Data(repeating: 9, count: 40)), end = chunk("IEND", Data())
        let image = signature + header + chunk("tEXt", Data("Author\0Anna".utf8)) + chunk("eXIf", Data("GPS".utf8))
            + chunk("tIME", Data(repeating: 0, count: 7)) + pixels + chunk("iTXt", Data("XML:com.adobe.xmp\0".utf8)) + end
        #expect(ImageMetadata.stripped(image, kind: .png) == signature + header + pixels + end)
    }

    @Test func brokenImagesAreRefusedAndDocumentsPassUnchanged() {
        #expect(ImageMetadata.stripped(Data([0xFF, 0xD8, 0xFF, 0xE0]), kind: .jpeg) == nil)
        #expect(ImageMetadata.stripped(Data([0xFF, 0xD8, 0xFF, 0xE1, 0x40, 0x00, 1, 2]), kind: .jpeg) == nil, "a length past the end")
        #expect(ImageMetadata.stripped(Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 9]), kind: .png) == nil)
        let pdf = Data("%PDF-1.4 /Author (Anna)".utf8)
        #expect(ImageMetadata.stripped(pdf, kind: .pdf) == pdf)
    }
}
