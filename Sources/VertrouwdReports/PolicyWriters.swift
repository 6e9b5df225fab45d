import Foundation
import VertrouwdCore

/// Policy documents, posters and mailings as editable Word documents: real headings and
/// paragraphs, so the organisation applies its house style; the poster carries its QR code as an
/// image.
public enum PolicyWriters {
    /// A policy document (or mailing) as a Word document.
    public static func docx(_ text: PolicyText, title: String, footer: String? = nil) throws -> Data {
        var xml = body(text)
        if let footer { xml += ReportWriters.paragraph(footer, style: "Footnote") }
        return try ReportWriters.package(title: title, documentXML: ReportWriters.wrap(xml), styles: styles)
    }

    /// The poster: its text with the QR code below the title, sized to be scanned from a metre away.
    public static func posterDocx(_ text: PolicyText, title: String, qr: QRCode, caption: String) throws -> Data {
        let png = PNG.qr(qr, scale: 8)
        let centimetres = 6.0
        var xml = ""
        for (i, block) in text.blocks.enumerated() {
            xml += paragraph(block)
            if i == 0 { xml += picture(cm: centimetres) + ReportWriters.paragraph(caption, style: "Caption") }
        }
        return try ReportWriters.package(
            title: title, documentXML: ReportWriters.wrap(xml), styles: styles,
            media: [("word/media/qr.png", png)])
    }

    /// The text as HTML (escaped), for the print page and the preview on the staff page. The
    /// title is an `h1`, or an `h2` with `titleLevel: 2` inside a page that has its own `h1`.
    public static func html(_ text: PolicyText, titleLevel: Int = 1) -> String {
        var out = ""
        var openList: String?
        func close() { if let tag = openList { out += "</\(tag)>\n"; openList = nil } }
        func inline(_ t: String) -> String {
            PolicyText.runs(t).map { $0.bold ? "<strong>\(escape($0.text))</strong>" : escape($0.text) }.joined()
        }
        for block in text.blocks {
            switch block {
            case .bullet(let t):
                if openList != "ul" { close(); out += "<ul>\n"; openList = "ul" }
                out += "<li>\(inline(t))</li>\n"
            case .numbered(let n, let t):
                if openList != "ol" { close(); out += "<ol start=\"\(n)\">\n"; openList = "ol" }
                out += "<li>\(inline(t))</li>\n"
            case .title(let t):
                close(); out += "<h\(titleLevel)>\(inline(t))</h\(titleLevel)>\n"
            case .heading(let t, let level):
                close(); let h = min(6, level + titleLevel - 1); out += "<h\(h)>\(inline(t))</h\(h)>\n"
            case .paragraph(let t):
                close(); out += "<p>\(inline(t))</p>\n"
            }
        }
        close()
        return out
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func body(_ text: PolicyText) -> String {
        text.blocks.map(paragraph).joined()
    }

    static func paragraph(_ block: PolicyText.Block) -> String {
        switch block {
        case .title(let t): return runs(t, style: "Title")
        case .heading(let t, let level): return runs(t, style: level <= 2 ? "Heading1" : "Heading2")
        case .paragraph(let t): return runs(t, style: nil)
        case .bullet(let t): return runs(t, style: "ListParagraph", prefix: "•\t")
        case .numbered(let n, let t): return runs(t, style: "ListParagraph", prefix: "\(n).\t")
        }
    }

    static func runs(_ text: String, style: String?, prefix: String = "") -> String {
        let pPr = style.map { "<w:pPr><w:pStyle w:val=\"\($0)\"/></w:pPr>" } ?? ""
        var xml = prefix.isEmpty ? "" : run(prefix, bold: false)
        for part in PolicyText.runs(text) { xml += run(part.text, bold: part.bold) }
        return "<w:p>\(pPr)\(xml)</w:p>"
    }

    static func run(_ text: String, bold: Bool) -> String {
        let tabbed = Markup.xml(text).replacingOccurrences(of: "\t", with: "</w:t><w:tab/><w:t xml:space=\"preserve\">")
        return "<w:r>\(bold ? "<w:rPr><w:b/></w:rPr>" : "")<w:t xml:space=\"preserve\">\(tabbed)</w:t></w:r>"
    }

    /// An inline picture of `word/media/qr.png` (relationship rId2), square, centred.
    static func picture(cm: Double) -> String {
        let emu = Int(cm * 360_000)
        return """
            <w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" \
            distR="0">\
            <wp:extent cx="\(emu)" cy="\(emu)"/><wp:docPr id="1" name="QR-code" descr="QR-code"/>\
            <a:graphic>\
            <a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">\
            <pic:pic>\
            <pic:nvPicPr><pic:cNvPr id="1" name="qr.png"/><pic:cNvPicPr/></pic:nvPicPr>\
            <pic:blipFill><a:blip r:embed="rId2"/>\
            <a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
            <pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="\(emu)" cy="\(emu)"/></a:xfrm><a:prstGeom \
            prst="rect"><a:avLst/></a:prstGeom></pic:spPr>\
            </pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>
            """
    }

    /// The report styles plus a list paragraph, a caption and a footnote line.
    static let styles = ReportWriters.styles.replacingOccurrences(
        of: "</w:styles>",
        with: """
            <w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn \
            w:val="Normal"/>\
            <w:pPr><w:spacing w:after="60"/><w:ind w:left="567" w:hanging="283"/></w:pPr></w:style>\
            <w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/>\
            <w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="20"/></w:rPr></w:style>\
            <w:style w:type="paragraph" w:styleId="Footnote"><w:name w:val="Footnote"/><w:basedOn w:val="Normal"/>\
            <w:pPr><w:spacing w:before="360"/></w:pPr><w:rPr><w:i/><w:sz w:val="18"/></w:rPr></w:style>\
            </w:styles>
            """)
}

/// A minimal PNG writer for black-and-white images (the QR code in a Word document): 8-bit
/// greyscale, zlib with stored blocks. Small images only; no compression is needed for them.
public enum PNG {
    public static func qr(_ code: QRCode, scale: Int, quietZone: Int = 4) -> Data {
        let side = (code.size + 2 * quietZone) * scale
        var raw = [UInt8]()
        raw.reserveCapacity(side * (side + 1))
        for y in 0..<side {
            raw.append(0)  // filter: none
            let my = y / scale - quietZone
            for x in 0..<side {
                let mx = x / scale - quietZone
                let dark = mx >= 0 && my >= 0 && mx < code.size && my < code.size && code.isDark(x: mx, y: my)
                raw.append(dark ? 0 : 255)
            }
        }
        return image(width: side, height: side, greyscale: raw)
    }

    static func image(width: Int, height: Int, greyscale raw: [UInt8]) -> Data {
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.append(bigEndian: UInt32(width)); header.append(bigEndian: UInt32(height))
        header.append(contentsOf: [8, 0, 0, 0, 0])  // 8 bits, greyscale, deflate, no filter set, no interlace
        png.append(chunk("IHDR", header))
        png.append(chunk("IDAT", zlibStored(raw)))
        png.append(chunk("IEND", Data()))
        return png
    }

    static func chunk(_ type: String, _ data: Data) -> Data {
        var out = Data()
        out.append(bigEndian: UInt32(data.count))
        let typed = Data(type.utf8) + data
        out.append(typed)
        out.append(bigEndian: crc32(typed))
        return out
    }

    /// A zlib stream of stored (uncompressed) deflate blocks of at most 65,535 bytes.
    static func zlibStored(_ bytes: [UInt8]) -> Data {
        var out = Data([0x78, 0x01])
        var offset = 0
        repeat {
            let length = min(65_535, bytes.count - offset)
            let final: UInt8 = offset + length == bytes.count ? 1 : 0
            out.append(final)
            out.append(UInt8(length & 0xFF)); out.append(UInt8(length >> 8))
            out.append(UInt8(~length & 0xFF)); out.append(UInt8((~length >> 8) & 0xFF))
            out.append(contentsOf: bytes[offset..<offset + length])
            offset += length
        } while offset < bytes.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        out.append(bigEndian: (b << 16) | a)
        return out
    }

    static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }
}

extension Data {
    mutating func append(bigEndian value: UInt32) {
        append(contentsOf: [
            UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)
        ])
    }
}
