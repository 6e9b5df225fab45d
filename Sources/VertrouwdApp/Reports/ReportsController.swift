import Fluent
import SQLKit
import Vapor
import VertrouwdCore
import VertrouwdReports
import VertrouwdStore

/// The annual report (*jaarverslag*) of one contract year: preview with what is hidden and why,
/// the counsellor's text, sign-off, and the exports — which serve only the signed-off version.
enum ReportsController {
    struct PreviewCell: Encodable, Sendable {
        let label: String
        let trueCount: Int
        let reason: String
    }

    struct PreviewTable: Encodable, Sendable {
        let title: String
        let cells: [PreviewCell]
    }

    struct Page: Encodable, Sendable {
        let meta: PageMeta
        let orgURL: String
        let orgName: String
        let period: String
        let base: String
        /// Nil for an admin before sign-off: the live draft changes with every new case.
        let report: ReportView?
        let k: Int
        let isCounsellor: Bool
        let preview: [PreviewTable]
        let signedOff: String?
        let changedSinceSignOff: Bool
        let problems: [String]
        let forms: [FormView]
        let formats: [String]
    }

    struct Context {
        let org: Organisation
        let year: ContractYear
        let record: AnnualReportRecord?
        /// Assigned to the organisation (an admin who is not sees only what the organisation sees).
        let isCounsellor: Bool
        func url(_ part: SiteURL.ReportPart? = nil) -> SiteURL {
            .annualReport(.value(org.id!), year: .value(year.id!), part)
        }
    }

    static func context(_ req: Request) async throws -> Context {
        let org = try await Organisation.named(in: req)
        let staff = try req.requireStaff()
        guard let yearID = req.parameters.get("yearID", as: UUID.self),
            let year = try await ContractYear.find(yearID, on: req.db), year.$organisation.id == org.id
        else { throw Abort(.notFound) }
        let record = try await AnnualReportRecord.query(on: req.db).filter(\.$contractYear.$id == yearID).first()
        let serves = try await Organisation.serves(staff.userID, organisation: try org.requireID(), on: req.db)
        return Context(org: org, year: year, record: record, isCounsellor: serves && staff.user.isCounsellor)
    }

    // MARK: the page

    /// GET /organisations/:orgID/years/:yearID/report
    @Sendable static func show(_ req: Request) async throws -> Response {
        try await render(req, try await context(req))
    }

    static func render(
        _ req: Request, _ ctx: Context, sections: SectionsForm? = nil, errors: FormErrors = .init(),
        problems: [String] = [], status: HTTPStatus = .ok
    ) async throws -> Response {
        let k = req.application.settings.disclosureThreshold
        let (current, protected) = try await ReportBuilder.currentDocument(
            org: ctx.org, year: ctx.year, record: ctx.record, store: req.store, on: req.db)
        let signed = ReportBuilder.signedOffDocument(ctx.record)
        var preview: [PreviewTable] = []
        if ctx.isCounsellor {
            // What is hidden or merged and holds people; hidden empty cells need no explaining.
            for table in protected {
                let cells = table.cells.compactMap { cell -> PreviewCell? in
                    guard let reason = cell.status.explanation, cell.trueCount > 0 else { return nil }
                    return PreviewCell(label: cell.label, trueCount: cell.trueCount, reason: reason)
                }
                if !cells.isEmpty { preview.append(PreviewTable(title: table.title, cells: cells)) }
            }
            // True counts are case data in aggregate: their reading is recorded like a case's.
            try await req.audit("report.preview", subject: "contract_year:\(ctx.year.id!)")
        }
        var forms: [FormView] = []
        if ctx.isCounsellor {
            let input =
                sections
                ?? SectionsForm(
                    role: current.sections[0].text, recommendations: current.sections[1].text,
                    focus: current.sections[2].text)
            forms.append(sectionsForm(req, action: ctx.url(.sections).path, input: input, errors: errors))
            var signOff = FormView(
                id: "sign-off", title: signed == nil ? "Vaststellen" : "Opnieuw vaststellen",
                intro:
                    """
                    Na het vaststellen kan het verslag worden gedownload voor de organisatie. De cijfers worden \
                    dan bevroren.
                    """,
                action: ctx.url(.signOff).path, submit: "Jaarverslag vaststellen", csrf: req.csrfToken)
            signOff.checkbox(
                "checked", "Ik heb de tabellen nagekeken, en wat er verborgen of samengevoegd is.", checked: false)
            if Day(Date()) <= ctx.year.endsOn {
                signOff.checkbox(
                    "early", "Ik stel het jaarverslag vast voordat het contractjaar om is",
                    checked: false,
                    hint:
                        """
                        Het contractjaar loopt nog tot en met \(ctx.year.endsOn.dutch). Uren, meldingen en \
                        activiteiten van daarna komen er niet meer in, en wat het verslag telt, is daarna niet \
                        meer te corrigeren.
                        """
                )
            }
            signOff.apply(errors)
            forms.append(signOff)
        }
        // The counsellor sees what a sign-off would freeze now; once signed off and unchanged, that
        // is the signed-off version. Everyone else sees what the organisation gets, and nothing
        // before sign-off: a live draft read day after day would show each new case arrive.
        // Whether it changed since sign-off is the counsellor's to know: to anyone else the badge
        // appearing would say "a late case or a correction".
        let changed = ctx.isCounsellor && (signed.map { !sameContent($0, current) } ?? false)
        let shown = ctx.isCounsellor ? (changed || signed == nil ? current : signed!) : signed
        let page = Page(
            meta: req.meta("Jaarverslag \(ctx.org.name)", section: "organisations"),
            orgURL: SiteURL.organisation(.value(ctx.org.id!)).path, orgName: ctx.org.name,
            period: "\(ctx.year.start.dutch) – \(ctx.year.end.dutch)",
            base: ctx.url().path, report: shown.map { ReportView($0) }, k: k, isCounsellor: ctx.isCounsellor,
            preview: preview,
            signedOff: signed?.signedOffOn.flatMap(Day.init(iso:))?.dutch, changedSinceSignOff: changed,
            problems: problems, forms: forms, formats: signed == nil ? [] : ReportFormat.allCases.map(\.rawValue))
        return try await req.page(.report, page, status: status)
    }

    /// Whether two versions publish the same thing (status and date aside).
    static func sameContent(_ a: AnnualReportDocument, _ b: AnnualReportDocument) -> Bool {
        var a = a, b = b
        a.status = ""; a.signedOffOn = nil; b.status = ""; b.signedOffOn = nil
        return a == b
    }

    // MARK: text sections

    struct SectionsForm: Content { var role, recommendations, focus: String? }

    static func sectionsForm(
        _ req: Request, action: String, input: SectionsForm, errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "sections", title: "Tekst van het verslag",
            intro: "Schrijf niets dat naar een persoon, afdeling of gebeurtenis te herleiden is.",
            action: action, submit: "Tekst opslaan", csrf: req.csrfToken)
        form.add("role", ReportBuilder.sectionTitles.role, type: "textarea", value: input.role, maxlength: 4000)
        form.add(
            "recommendations", ReportBuilder.sectionTitles.recommendations, type: "textarea",
            value: input.recommendations, maxlength: 8000)
        form.add("focus", ReportBuilder.sectionTitles.focus, type: "textarea", value: input.focus, maxlength: 4000)
        form.apply(errors)
        return form
    }

    /// POST …/report/sections
    @Sendable static func saveSections(_ req: Request) async throws -> Response {
        let ctx = try await context(req)
        guard ctx.isCounsellor else { throw Abort(.notFound) }
        let input = req.form(SectionsForm.self) ?? SectionsForm()
        var errors = FormErrors()
        let role = errors.text(input.role, "role", label: "de rol en bereikbaarheid", max: 4000, required: false) ?? ""
        let recommendations =
            errors.text(input.recommendations, "recommendations", label: "de aanbevelingen", max: 8000, required: false)
            ?? ""
        let focus = errors.text(input.focus, "focus", label: "de speerpunten", max: 4000, required: false) ?? ""
        errors.noSmallFigures(
            [("role", role), ("recommendations", recommendations), ("focus", focus)],
            k: req.application.settings.disclosureThreshold)
        guard errors.isEmpty else {
            return try await render(req, ctx, sections: input, errors: errors, status: .unprocessableEntity)
        }
        let record = ctx.record ?? AnnualReportRecord()
        if ctx.record == nil { record.$contractYear.id = ctx.year.id! }
        record.roleText = role; record.recommendations = recommendations; record.focusNext = focus
        try await req.store.transaction { db in
            try await record.save(on: db)
            try await req.audit("report.sections", subject: "contract_year:\(ctx.year.id!)")
        }
        return req.redirect(to: ctx.url(), flash: .saved)
    }

    // MARK: sign-off

    struct SignOffForm: Content { var checked, early: String? }

    /// POST …/report/sign-off — freezes the document that the exports serve.
    @Sendable static func signOff(_ req: Request) async throws -> Response {
        let ctx = try await context(req)
        guard ctx.isCounsellor else { throw Abort(.notFound) }
        var errors = FormErrors()
        let input = req.form(SignOffForm.self)
        if input?.checked != "on" { errors["checked"] = "Vink aan dat je de tabellen hebt nagekeken." }
        if Day(Date()) <= ctx.year.endsOn, input?.early != "on" {
            errors["early"] =
                """
                Het contractjaar is nog niet om. Vink aan dat je het verslag toch nu vaststelt, of wacht tot na \
                \(ctx.year.endsOn.dutch).
                """
        }
        if !errors.isEmpty { return try await render(req, ctx, errors: errors, status: .unprocessableEntity) }
        let k = req.application.settings.disclosureThreshold
        let (doc, _) = try await ReportBuilder.currentDocument(
            org: ctx.org, year: ctx.year, record: ctx.record, store: req.store, on: req.db)
        // What leaves is checked again, the default role text included: text saved before the
        // guard learned a phrasing, or an organisation's availability, is read now.
        var textErrors = FormErrors()
        textErrors.noSmallFigures(
            zip(["role", "recommendations", "focus"], doc.sections.map(\.text)).map { ($0, $1) }, k: k)
        if !textErrors.isEmpty { return try await render(req, ctx, errors: textErrors, status: .unprocessableEntity) }
        let signer = try req.requireStaff().userID
        let yearID = ctx.year.id!
        // A new version must not tell a reader who holds every earlier one about a handful of
        // cases added or corrected since. Checked and saved in one unit, against the versions as
        // they are now: two sign-offs at once cannot both pass against the same history.
        let problems: [String] = try await req.store.transaction { [doc] db in
            if Dialect(db) == .postgres, let sql = db as? any SQLDatabase {
                try await sql.raw("SELECT id FROM contract_years WHERE id = \(bind: yearID) FOR UPDATE").run()
            }
            let record = try await AnnualReportRecord.query(on: db).filter(\.$contractYear.$id == yearID).first()
            let versions = try ReportBuilder.versionsThatLeft(record)
            // A version made under other rules counts differently (rules 1: a case once per
            // subject and target); the two side by side could show what neither shows alone.
            if let older = versions.first(where: { $0.disclosureRules != PublishedStatistics.rules }) {
                return [
                    """
                    Dit jaarverslag is eerder vastgesteld onder oudere regels (versie \(older.disclosureRules)) \
                    die anders tellen; een nieuwe versie ernaast kan kleine aantallen verraden. De vastgestelde \
                    versie blijft geldig.
                    """
                ]
            }
            let problems = AnnualStatistics.revisionProblems(from: versions.map(\.statistics), to: doc.statistics)
            guard problems.isEmpty else { return problems }
            try await ReportBuilder.signOff(doc, record: record, yearID: yearID, by: signer, on: db)
            try await req.audit("report.sign_off", subject: "contract_year:\(yearID)", detail: "k=\(k)")
            return []
        }
        if !problems.isEmpty {
            return try await render(req, ctx, problems: problems, status: .conflict)
        }
        return req.redirect(to: ctx.url(), flash: .signedOff)
    }

    // MARK: exports

    /// GET …/report/export/:format — the signed-off version only.
    @Sendable static func export(_ req: Request) async throws -> Response {
        let ctx = try await context(req)
        guard let format = req.parameters.get("format").flatMap(ReportFormat.init(rawValue:)) else {
            throw Abort(.notFound)
        }
        guard let doc = ReportBuilder.signedOffDocument(ctx.record) else {
            throw ExplainedAbort(
                status: .conflict, title: "Nog niet vastgesteld",
                reason: "Het jaarverslag is nog niet vastgesteld. Stel het eerst vast; daarna kun je het downloaden.")
        }
        let data = try await ReportBuilder.render(doc, as: format, views: req.view)
        try await req.audit("report.export", subject: "contract_year:\(ctx.year.id!)", detail: format.rawValue)
        return Response.document(data, format: format, name: fileName(org: ctx.org, year: ctx.year, format: format))
    }

    static func fileName(org: Organisation, year: ContractYear, format: ReportFormat) -> String {
        "jaarverslag-\(org.slug)-\(year.start.year).\(format.rawValue)"
    }

    // MARK: the practice overview

    struct OverviewPage: Encodable, Sendable {
        struct Line: Encodable, Sendable {
            let organisation: String
            let text: String
            let url: String?
        }

        let meta: PageMeta
        let year: Int
        let years: [Int]
        let report: ReportView?
        let lines: [Line]
        let k: Int
    }

    /// GET /reports?year=YYYY — the practice across organisations: the sums of what their signed-off
    /// reports publish, nothing else (docs/ANONYMITY.md).
    @Sendable static func overview(_ req: Request) async throws -> Response {
        let k = req.application.settings.disclosureThreshold
        let thisYear = Day(Date()).year
        let year =
            (try? req.query.get(Int.self, at: "year")).flatMap { (2000...2100).contains($0) ? $0 : nil } ?? thisYear
        let (overview, years) = try await practiceOverview(year: year, k: k, on: req.db)
        let lines = overview.lines.map { line -> OverviewPage.Line in
            let text =
                switch line.status {
                case "signed_off": line.total.map(String.init) ?? "minder dan \(k)"
                case "draft": "nog niet vastgesteld"
                default: "geen contractjaar dat in \(year) begint"
                }
            return OverviewPage.Line(
                organisation: line.organisation, text: text,
                url: years[line.organisation].map {
                    SiteURL.annualReport(.value($0.org), year: .value($0.year), nil).path
                })
        }
        let anySigned = overview.lines.contains { $0.status == "signed_off" }
        let doc = AnnualReportDocument(
            organisation: "Alle organisaties", periodStart: Day(year: year, month: 1, day: 1)!,
            periodEnd: Day(year: year, month: 12, day: 31)!, status: "signed_off", signedOffOn: nil,
            statistics: overview.statistics, activities: [],
            hours: .init(budget: "", used: "", onActivities: "", percent: 0), advice: [], sections: [])
        let page = OverviewPage(
            meta: req.meta("Praktijkoverzicht \(year)", section: "reports"), year: year,
            years: Array((thisYear - 4...thisYear).reversed()),
            report: anySigned ? ReportView(doc, isOverview: true) : nil, lines: lines, k: k)
        try await req.audit("report.practice_overview", detail: String(year))
        return try await req.page(.practiceOverview, page)
    }

    /// Every organisation's signed-off report of the contract year starting in `year`, added up;
    /// and where each organisation's report of that year lives.
    static func practiceOverview(
        year: Int, k: Int, on db: any Database
    ) async throws
        -> (PracticeOverview, [String: (org: UUID, year: UUID)])
    {
        var reports: [(organisation: String, periodStart: String?, statistics: PublishedStatistics?)] = []
        var where_: [String: (org: UUID, year: UUID)] = [:]
        for org in try await Organisation.query(on: db).sort(\.$name).all() {
            guard let contractYear = try await ReportBuilder.contractYear(of: org, startingIn: year, on: db) else {
                reports.append((org.name, nil, nil))
                continue
            }
            where_[org.name] = ((try org.requireID()), (try contractYear.requireID()))
            let record = try await AnnualReportRecord.query(on: db).filter(
                \.$contractYear.$id == (try contractYear.requireID())
            )
            .first()
            reports.append((org.name, contractYear.start.iso, ReportBuilder.signedOffDocument(record)?.statistics))
        }
        return (PracticeOverview(year: year, k: k, reports: reports), where_)
    }
}
