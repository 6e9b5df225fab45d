import Foundation
import VertrouwdCore
import ZIPFoundation

/// The export formats of an annual report.
public enum ReportFormat: String, CaseIterable, Sendable {
    case html, docx, csv, json

    public var contentType: String {
        switch self {
        case .html: "text/html; charset=utf-8"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .csv: "text/csv; charset=utf-8"
        case .json: "application/json"
        }
    }
}

public enum ReportWriters {
    // MARK: JSON

    /// Every published table with its cells, each with `count` (null where hidden), and `k` at
    /// the top level.
    public static func json(_ doc: AnnualReportDocument) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(doc)
    }

    // MARK: CSV

    /// One row per shown cell: table, cell, this year, last year, and how it was protected.
    /// Text a spreadsheet would run as a formula is prefixed with an apostrophe.
    public static func csv(_ doc: AnnualReportDocument) -> String {
        var lines = [["tabel", "cel", "aantal", "vorig_jaar", "status"].map(field).joined(separator: ",")]
        lines.append(
            [
                "totaal", "Aantal contacten", doc.total.map(String.init) ?? "minder dan \(doc.k)",
                doc.previousTotal.map(String.init) ?? "", doc.fewerThanK ? "hidden" : "published"
            ].map(field).joined(separator: ","))
        for table in doc.tables {
            for cell in table.shown + table.hidden {
                lines.append(
                    [
                        table.title, cell.label, cell.count.map(String.init) ?? "",
                        cell.previous.map(String.init) ?? "", cell.status
                    ]
                    .map(field).joined(separator: ","))
            }
        }
        lines.append(["drempel", "k", String(doc.k), "", ""].map(field).joined(separator: ","))
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func field(_ s: String) -> String { SpreadsheetCSV.field(s) }

    // MARK: SVG

    /// A horizontal bar chart of one table's shown cells, made on the server: no JavaScript.
    /// Hidden cells are in the "Overige samen" bar. Each label stands above its bar, so the chart
    /// is narrow enough to stay readable on a phone (360 units wide: at 300 px its text is still
    /// 12 px).
    public static func svgBars(_ table: PublishedStatistics.Table) -> String {
        let cells = table.shown
        let rowHeight = 44, barHeight = 14, barWidth = 300, width = 360
        let height = rowHeight * max(cells.count, 1) + 4
        let maxCount = max(cells.compactMap(\.count).max() ?? 1, 1)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 \(width) \(height)" \
            width="100%" \
            aria-label="\(Markup.xml(table.title))">
            """
        for (i, cell) in cells.enumerated() {
            let y = 2 + i * rowHeight
            svg += "<text x=\"0\" y=\"\(y + 15)\" class=\"chart-label\">\(Markup.xml(short(cell.label)))</text>"
            if let count = cell.count {
                let w = count == 0 ? 0 : max(2, count * barWidth / maxCount)
                svg += "<rect x=\"0\" y=\"\(y + 22)\" width=\"\(w)\" height=\"\(barHeight)\" class=\"chart-bar\"/>"
                svg += "<text x=\"\(w + 6)\" y=\"\(y + 34)\" class=\"chart-value\">\(count)</text>"
            } else {
                svg += "<text x=\"0\" y=\"\(y + 34)\" class=\"chart-hidden\">verborgen</text>"
            }
        }
        return svg + "</svg>"
    }

    static func short(_ label: String) -> String {
        label.count > 44 ? String(label.prefix(42)) + "…" : label
    }

    // MARK: DOCX

    /// An editable Word document (WordprocessingML) with real headings and tables, so the
    /// organisation can apply its house style.
    public static func docx(_ doc: AnnualReportDocument) throws -> Data {
        try package(title: "Jaarverslag vertrouwenspersoon – \(doc.organisation)", documentXML: documentXML(doc))
    }

    /// A letter (an advice to management) as an editable Word document.
    public static func letterDocx(title: String, lines: [String], body: String) throws -> Data {
        var xml = paragraph(title, style: "Title")
        for line in lines { xml += paragraph(line) }
        for part in body.components(separatedBy: "\n\n") { xml += paragraph(part) }
        return try package(title: title, documentXML: wrap(xml))
    }

    static func paragraph(_ text: String, style: String? = nil) -> String {
        let pPr = style.map { "<w:pPr><w:pStyle w:val=\"\($0)\"/></w:pPr>" } ?? ""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let runs = lines.enumerated().map { i, line in
            (i > 0 ? "<w:r><w:br/></w:r>" : "")
                + "<w:r><w:t xml:space=\"preserve\">\(Markup.xml(String(line)))</w:t></w:r>"
        }.joined()
        return "<w:p>\(pPr)\(runs)</w:p>"
    }

    static func wrap(_ body: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" \
        xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" \
        xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" \
        xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" \
        xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>\(body)\
        <w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1304" w:bottom="1440" w:left="1304" \
        w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>
        """
    }

    /// A Word package around a document body. `media` are images under `word/media/`; the first
    /// is relationship `rId2` (PNG only).
    static func package(
        title: String, documentXML: String, styles: String = styles,
        media: [(path: String, data: Data)] = []
    ) throws -> Data {
        var entries: [(path: String, data: Data)] = []
        func add(_ path: String, _ text: String) throws { entries.append((path, Data(text.utf8))) }
        let imageRelationships = media.enumerated().map { i, m in
            """
                <Relationship Id=\"rId\(i + 2)\" \
                Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\"
                """
                + " Target=\"\(m.path.dropFirst("word/".count))\"/>"
        }.joined()
        try add(
            "[Content_Types].xml",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Default Extension="png" ContentType="image/png"/>\
            <Override PartName="/word/document.xml" \
            ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>\
            <Override PartName="/word/styles.xml" \
            ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>\
            <Override PartName="/docProps/core.xml" \
            ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
            </Types>
            """)
        try add(
            "_rels/.rels",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" \
            Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
            Target="word/document.xml"/>\
            <Relationship Id="rId2" \
            Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" \
            Target="docProps/core.xml"/>\
            </Relationships>
            """)
        try add(
            "word/_rels/document.xml.rels",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" \
            Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
            \(imageRelationships)</Relationships>
            """)
        try add(
            "docProps/core.xml",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
            xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>\(Markup.xml(title))</dc:title>\
            <dc:creator>Vertrouwd</dc:creator></cp:coreProperties>
            """)
        try add("word/styles.xml", styles)
        try add("word/document.xml", documentXML)
        entries += media
        return try ZipFile.make(entries)
    }

    static func documentXML(_ doc: AnnualReportDocument) -> String {
        var body = ""
        func p(_ text: String, style: String? = nil) { body += paragraph(text, style: style) }
        func table(_ header: [String], _ rows: [[String]]) {
            func row(_ cells: [String], bold: Bool) -> String {
                "<w:tr>"
                    + cells.map { c in
                        """
                            <w:tc><w:p><w:r>\(bold ? "<w:rPr><w:b/></w:rPr>" : "")<w:t \
                            xml:space=\"preserve\">\(Markup.xml(c))</w:t></w:r></w:p></w:tc>
                            """
                    }.joined() + "</w:tr>"
            }
            body += "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/></w:tblPr>"
            body += row(header, bold: true) + rows.map { row($0, bold: false) }.joined() + "</w:tbl>"
            p("")
        }

        p("Jaarverslag externe vertrouwenspersoon", style: "Title")
        p("\(doc.organisation) · contractjaar \(doc.period)")
        if doc.status != "signed_off" { p("CONCEPT – nog niet vastgesteld door de vertrouwenspersoon") }
        for section in doc.sections.prefix(1) {
            p(section.title, style: "Heading1")
            p(section.text)
        }
        p("Contacten en meldingen", style: "Heading1")
        p("Aantal contacten: \(doc.totalText)" + (doc.previousTotal.map { " (vorig jaar: \($0))" } ?? ""))
        p(
            doc.disclosureRules == 1
                ? """
                    Aantallen kleiner dan \(doc.k) (behalve nul) worden nooit genoemd: zulke cellen zijn \
                    samengevoegd onder 'overig' of verborgen (–), zodat niets naar een persoon te herleiden is.
                    """
                : """
                    Aantallen kleiner dan \(doc.k), nul ook, worden nooit genoemd: een lege cel en een kleine zijn \
                    samengevoegd onder 'overig' of verborgen (–), zodat niet te zien is of iets zeldzaams gebeurde \
                    en niets naar een persoon te herleiden is.
                    """
        )
        for t in doc.tables {
            p(t.title, style: "Heading2")
            if t.shown.isEmpty {
                p("Te kleine aantallen om te tonen.")
                continue
            }
            table(
                ["", "Aantal", "Vorig jaar"],
                t.shown.map { cell in
                    [
                        cell.includes.map { "\(cell.label) (\($0.joined(separator: ", ")))" } ?? cell.label,
                        Markup.count(cell.count), cell.previous.map(String.init) ?? ""
                    ]
                })
        }
        for note in doc.notes { p(note) }
        p("Activiteiten", style: "Heading1")
        if doc.activities.isEmpty {
            p("Geen activiteiten geregistreerd.")
        } else {
            table(
                ["Datum", "Soort", "Onderwerp", "Uren", "Deelnemers"],
                doc.activities.map { [$0.date, $0.kind, $0.topic, $0.hours, $0.participants.map(String.init) ?? ""] })
        }
        p("Uren", style: "Heading1")
        p(
            """
                Gebruikt: \(doc.hours.used) van \(doc.hours.budget) (\(doc.hours.percent)%), waarvan \
                \(doc.hours.onActivities) aan activiteiten.
                """
        )
        p("Signalen en adviezen", style: "Heading1")
        if doc.advice.isEmpty {
            p("Dit jaar is geen advies aan de directie gegeven.")
        } else {
            table(
                ["Datum", "Onderwerp", "Soort"],
                doc.advice.map { [$0.date, $0.subject, $0.solicited ? "gevraagd" : "ongevraagd"] })
        }
        for section in doc.sections.dropFirst() {
            p(section.title, style: "Heading1")
            p(section.text)
        }
        return wrap(body)
    }

    static let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">\
        <w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:cs="Calibri"/><w:sz \
        w:val="22"/>\
        <w:lang w:val="nl-NL"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing \
        w:after="120"/></w:pPr></w:pPrDefault></w:docDefaults>\
        <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>\
        <w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next \
        w:val="Normal"/>\
        <w:rPr><w:b/><w:sz w:val="40"/></w:rPr></w:style>\
        <w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn \
        w:val="Normal"/><w:next w:val="Normal"/>\
        <w:pPr><w:keepNext/><w:spacing w:before="360"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz \
        w:val="30"/></w:rPr></w:style>\
        <w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn \
        w:val="Normal"/><w:next w:val="Normal"/>\
        <w:pPr><w:keepNext/><w:spacing w:before="240"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz \
        w:val="24"/></w:rPr></w:style>\
        <w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders>\
        <w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:left w:val="single" w:sz="4" w:space="0" \
        w:color="auto"/>\
        <w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:right w:val="single" w:sz="4" w:space="0" \
        w:color="auto"/>\
        <w:insideH w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:insideV w:val="single" w:sz="4" \
        w:space="0" w:color="auto"/>\
        </w:tblBorders></w:tblPr></w:style>\
        </w:styles>
        """
}

/// A ZIP file made in memory (the Word package; a reporter's own file is streamed, `ZipStream`).
public enum ZipFile {
    public static func make(
        _ entries: [(path: String, data: Data)], modified: Date = Date(timeIntervalSince1970: 1_577_836_800)
    ) throws -> Data {
        let archive = try Archive(accessMode: .create)
        for (path, data) in entries {
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count),
                modificationDate: modified, compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let data = archive.data else { throw CocoaError(.fileWriteUnknown) }
        return data
    }
}
