import Foundation
import Vapor
import VertrouwdReports

/// Documents sent as they are (an annual report, a policy document, an advice letter, a page to
/// print): every feature that hands one out answers with these, so each gets the same strict
/// headers.
extension Response {
    /// A finished document: a download, or for HTML a static page with its own styles.
    static func document(_ data: Data, format: ReportFormat, name: String) -> Response {
        var headers = HTTPHeaders()
        headers.add(name: .contentType, value: format.contentType)
        if format != .html { headers.add(name: .contentDisposition, value: "attachment; filename=\"\(name)\"") }
        // A static document: its own styles, nothing else may load or run.
        headers.add(
            name: "Content-Security-Policy",
            value: "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}

extension Request {
    /// A page to print (a policy document, the poster, a case file): a static document with its
    /// own styles and inline SVG; only our own script may run, for its print button.
    func printPage(_ template: Template, _ context: some Encodable & Sendable) async throws -> Response {
        let view = try await self.view.render(template, context)
        let response = Response.document(Data(view.data.readableBytesView), format: .html, name: "")
        response.headers.replaceOrAdd(
            name: "Content-Security-Policy",
            value:
                """
                default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'self'; base-uri \
                'none'; form-action 'none'; frame-ancestors 'none'
                """
        )
        return response
    }
}
