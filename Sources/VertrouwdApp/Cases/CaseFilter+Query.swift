import Vapor
import VertrouwdCore
import VertrouwdStore

extension CaseFilter {
    /// From the list's address; what is not valid is left out rather than refused.
    init(query: URLQueryContainer) {
        self.init()
        reference = String(
            (query[String.self, at: "q"] ?? "").filter { $0.isASCII && ($0.isNumber || $0 == "-") }.prefix(12))
        organisation = query[String.self, at: "organisation"].flatMap(UUID.init(uuidString:))
        kind = query[String.self, at: "kind"].flatMap(CaseKind.init(rawValue:))
        status = query[String.self, at: "status"].flatMap(CaseStatus.init(rawValue:))
        year = query[String.self, at: "year"].flatMap(Int.init).flatMap { (2000...2100).contains($0) ? $0 : nil }
        order = query[String.self, at: "order"].flatMap(Order.init(rawValue:)) ?? .newest
        includeClosed = query[String.self, at: "closed"] == "1"
    }
}
