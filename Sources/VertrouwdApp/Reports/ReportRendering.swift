import Foundation
import Vapor
import VertrouwdCore
import VertrouwdReports
import VertrouwdStore

extension ReportBuilder {
    /// Renders one export format.
    static func render(
        _ doc: AnnualReportDocument, as format: ReportFormat, views: any ViewRenderer
    ) async throws -> Data {
        switch format {
        case .json: return try ReportWriters.json(doc)
        case .csv: return Data(ReportWriters.csv(doc).utf8)
        case .docx: return try ReportWriters.docx(doc)
        case .html:
            let view = try await views.render(.reportDocument, ReportView(doc))
            return Data(buffer: view.data)
        }
    }
}

/// What a report template shows: the document plus its charts.
struct ReportView: Encodable, Sendable {
    struct Cell: Encodable, Sendable {
        let label: String
        /// For "Overige samen": the hidden cells it adds up.
        let includes: String?
        /// The count, or "–" where hidden.
        let count: String
        let hidden: Bool
        let previous: String
    }

    struct Table: Encodable, Sendable {
        let id: String
        let title: String
        let multiValued: Bool
        let cells: [Cell]
        let chart: String
        let hasPrevious: Bool

        /// The shown cells of a published table, with its chart.
        init(_ t: PublishedStatistics.Table) {
            id = t.id
            title = t.title
            multiValued = t.multiValued
            cells = t.shown.map {
                Cell(
                    label: $0.label, includes: $0.includes?.joined(separator: ", "),
                    count: $0.count.map(String.init) ?? "–",
                    hidden: $0.count == nil, previous: $0.previous.map(String.init) ?? "–")
            }
            chart = ReportWriters.svgBars(t)
            hasPrevious = t.shown.contains { $0.previous != nil }
        }
    }

    let doc: AnnualReportDocument
    let tables: [Table]
    let isDraft: Bool
    /// The admin's practice overview: statistics only, no header, work or text sections.
    let isOverview: Bool
    let period: String
    let totalText: String
    let previousTotalText: String?
    let signedOffText: String?

    init(_ doc: AnnualReportDocument, isOverview: Bool = false) {
        self.doc = doc
        self.isOverview = isOverview
        self.isDraft = doc.status != "signed_off"
        self.period = doc.period
        self.totalText = doc.totalText
        self.previousTotalText = doc.previousTotal.map(String.init)
        self.signedOffText = doc.signedOffOn.flatMap(Day.init(iso:))?.dutch
        self.tables = doc.tables.map(Table.init)
    }
}
