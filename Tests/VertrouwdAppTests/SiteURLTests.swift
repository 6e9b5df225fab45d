import Fluent
import Foundation
import Testing
import VaporTesting
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

@Suite("Addresses: every route and every link comes from SiteURL, and no link is dead")
struct SiteURLTests {
    @Test func addressesAreMadeFromTheirParts() {
        let id = UUID(uuidString: "7D4C0000-0000-4000-8000-000000000001")!
        #expect(SiteURL.case(.value(id), .reportOnBehalf).path == "/cases/\(id.uuidString)/report-on-behalf")
        #expect(SiteURL.case(.key, .reportOnBehalf).path == "/cases/:caseID/report-on-behalf")
        #expect(SiteURL.annualReport(.value(id), year: .value(id), .export(.value("docx"))).path
            == "/organisations/\(id)/years/\(id)/report/export/docx")
        #expect(SiteURL.dashboard.path == "/")
        #expect(SiteURL.case(.value(id)).path(anchor: "notes") == "/cases/\(id)#notes")
        #expect(PublicLinks(slug: "het-baken").report == "/o/het-baken/melden")
    }

    /// Does a registered route answer this method and path?
    static func routed(_ app: Application, _ method: HTTPMethod, _ path: String) -> Bool {
        let parts = path.split(separator: "/").map(String.init)
        return app.routes.all.contains { route in
            guard route.method == method, route.path.count == parts.count else { return false }
            return zip(route.path, parts).allSatisfy { component, part in
                switch component {
                case .constant(let text): text == part
                case .parameter, .anything: true
                case .catchall: true
                }
            }
        }
    }

    /// Every link and form on the pages an admin and a counsellor can reach from the dashboard
    /// (and the reporter from an organisation's page) leads to a registered route, and every
    /// page linked to opens.
    @Test func noPageLinksToAnAddressThatDoesNotExist() async throws {
        try await withVertrouwd { app in
            let admin = try await app.makeAccount("beheer@praktijk.nl", admin: true, counsellor: false)
            let (c, anna) = try await app.counsellorWithCase(kind: .businessIntegrity, regime: .whistleblower)
            let year = ContractYear()
            year.$organisation.id = c.$organisation.id
            year.startsOn = Day(Date()).adding(days: -10); year.endsOn = Day(Date()).adding(days: 355)
            year.budgetMinutes = 600; year.focusPoints = ""
            try await year.create(on: app.db)
            let adminBrowser = Browser(app)
            try await adminBrowser.login(admin)

            var checked = 0
            for (browser, start) in [(anna, ["/", "/cases/\(c.id!)"]), (adminBrowser, ["/"]), (Browser(app), ["/o/het-baken"])] {
                var queue = start
                var seen = Set(start)
                while let path = queue.first, seen.count < 60 {
                    queue.removeFirst()
                    let page = try await browser.get(path)
                    #expect(page.status == .ok, "\(path) opens")
                    let html = page.body.string
                    for match in html.matches(of: /(href|action)="(\/[^"#?]*)[^"]*"/) {
                        let (kind, target) = (String(match.output.1), String(match.output.2))
                        if target.hasPrefix("/css/") || target.hasPrefix("/js/") { continue }
                        checked += 1
                        // A form that asks (a search, a period) is a GET.
                        let before = html[(html.index(match.range.lowerBound, offsetBy: -40, limitedBy: html.startIndex)
                            ?? html.startIndex)..<match.range.lowerBound]
                        let method: HTTPMethod = kind == "href" || before.contains("method=\"get\"") ? .GET : .POST
                        #expect(Self.routed(app, method, target), "\(path) links to \(kind) \(target)")
                        // Follow the pages (not downloads, not logging out) to find their links too.
                        if kind == "href", !seen.contains(target), !target.contains("/export/"), !target.hasSuffix("/docx"),
                           !target.contains("/calendar/"), !target.contains("/attachments/") {
                            seen.insert(target)
                            queue.append(target)
                        }
                    }
                }
            }
            #expect(checked > 60)
        }
    }
}
