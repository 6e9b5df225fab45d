import Fluent
import SQLKit
import Foundation
import Vapor
import VertrouwdCore
import VertrouwdReports
import VertrouwdStore

/// `vertrouwd report --organisation SLUG --year YYYY --format html|docx|csv|json --output FILE`
///
/// The annual report of the contract year that starts in YYYY: the signed-off version when there
/// is one, otherwise the current draft (marked `"status": "draft"`). The same builder and the same
/// disclosure rules as the web page.
struct ReportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "organisation", help: "The organisation's slug (as in /o/SLUG).")
        var organisation: String?
        @Option(name: "year", help: "The calendar year in which the contract year starts.")
        var year: Int?
        @Option(name: "format", help: "html, docx, csv or json (default json).")
        var format: String?
        @Option(name: "output", help: "The file to write; without it, the report goes to standard output.")
        var output: String?
        @Option(name: "version", help: "Which signed-off version: 1 is the first that left (default: the current one).")
        var version: Int?
    }

    var help: String { "Writes an organisation's annual report (anonymised) as html, docx, csv or json." }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Writes a command's output to `output` (readable by its owner only), saying what was
    /// written, or to standard output.
    static func write(_ data: Data, to output: String?, console: any Console, saying summary: String) throws {
        guard let output else { return FileHandle.standardOutput.write(data) }
        guard FileManager.default.createFile(atPath: output, contents: data, attributes: [.posixPermissions: 0o600])
        else {
            throw Failure(description: "Could not write \(output).")
        }
        console.print("Wrote \(output) (\(summary)).")
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let slug = signature.organisation, let calendarYear = signature.year else {
            throw Failure(description: "Give --organisation SLUG and --year YYYY.")
        }
        guard let format = ReportFormat(rawValue: signature.format ?? "json") else {
            throw Failure(description: "Unknown --format '\(signature.format ?? "")': use html, docx, csv or json.")
        }
        guard let org = try await Organisation.query(on: app.db).filter(\.$slug == slug).first() else {
            throw Failure(description: "No organisation with slug '\(slug)'.")
        }
        guard let year = try await ReportBuilder.contractYear(of: org, startingIn: calendarYear, on: app.db) else {
            throw Failure(description: "\(org.name) has no contract year starting in \(calendarYear).")
        }
        let record = try await AnnualReportRecord.query(on: app.db).filter(
            \.$contractYear.$id == (try year.requireID())
        ).first()
        let doc: AnnualReportDocument
        if let version = signature.version {
            let versions = try ReportBuilder.versionsThatLeft(record)
            guard (1...max(1, versions.count)).contains(version), versions.indices.contains(version - 1) else {
                throw Failure(
                    description:
                        """
                        \(org.name) \(calendarYear) has \(versions.count) signed-off version(s); there is no \
                        version \(version).
                        """
                )
            }
            doc = versions[version - 1]
        } else if let signed = ReportBuilder.signedOffDocument(record) {
            doc = signed
        } else {
            doc = try await ReportBuilder.currentDocument(
                org: org, year: year, record: record, store: app.store, on: app.db
            ).document
        }
        let data = try await ReportBuilder.render(doc, as: format, views: app.view)
        try await Audit.record(
            "report.export", subject: "contract_year:\(try year.requireID())",
            detail: "\(format.rawValue) (command line)",
            actor: "system", store: app.store, db: app.db)
        try ReportCommand.write(
            data, to: signature.output, console: context.console,
            saying: "\(data.count) bytes, \(doc.status == "signed_off" ? "signed off" : "draft"), k = \(doc.k)")
    }
}

/// `vertrouwd overview --year YYYY [--output FILE]` — the practice overview as JSON: per
/// organisation what its signed-off report says, and every sum the overview page shows with the
/// organisations it adds up (what scripts/disclosure_audit.py reads beside the reports).
struct OverviewCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "year", help: "The calendar year in which the contract years start.")
        var year: Int?
        @Option(name: "output", help: "The file to write; without it, standard output.")
        var output: String?
    }

    var help: String { "Writes the practice overview (sums of the signed-off annual reports) as JSON." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let year = signature.year else { throw ReportCommand.Failure(description: "Give --year YYYY.") }
        let (overview, _) = try await ReportsController.practiceOverview(
            year: year, k: app.settings.disclosureThreshold, on: app.db)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(overview)
        try ReportCommand.write(
            data, to: signature.output, console: context.console,
            saying: "\(overview.lines.count) organisations, \(overview.sums.count) sums")
    }
}

/// `vertrouwd letters [--output FILE]` — every advice letter sent to an organisation's management,
/// as JSON (organisation, k, subject, body, date): what scripts/disclosure_audit.py reads for
/// small figures in words. Advice texts are the counsellor's letters, not case contents.
struct LettersCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "output", help: "The file to write; without it, standard output.")
        var output: String?
    }

    struct Letter: Encodable {
        let organisation: String
        let date: String
        let subject: String
        let body: String
    }

    struct Letters: Encodable {
        let kind = "letters"
        let k: Int
        let letters: [Letter]
    }

    var help: String { "Writes the advice letters sent to management as JSON, for the disclosure audit." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let names = Dictionary(
            uniqueKeysWithValues: try await Organisation.query(on: app.db).all().map { ((try $0.requireID()), $0.name) }
        )
        let letters = try await AdviceRecord.query(on: app.db).filter(\.$sentOn != nil).sort(\.$givenOn).all().map {
            Letter(
                organisation: names[$0.$organisation.id] ?? "", date: $0.givenOn.iso, subject: $0.subject, body: $0.body
            )
        }
        let data = try JSONEncoder().encode(Letters(k: app.settings.disclosureThreshold, letters: letters))
        try ReportCommand.write(
            data, to: signature.output, console: context.console, saying: "\(letters.count) letters")
    }
}

/// `vertrouwd benchmark-report --cases 10000` — times building an annual report for one large
/// organisation. Refuses a database that holds anything: point VERTROUWD_DATA_DIR at a new folder.
struct ReportBenchmarkCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "cases", help: "How many cases the organisation has (default 10000).")
        var cases: Int?
        @Option(name: "runs", help: "How many times to build the report (default 20).")
        var runs: Int?
    }

    var help: String { "Benchmarks the annual report on an empty database filled with N synthetic cases." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let n = max(1, signature.cases ?? 10_000)
        let runs = max(1, signature.runs ?? 20)
        guard try await Organisation.query(on: app.db).count() == 0, try await User.query(on: app.db).count() == 0
        else {
            throw ReportCommand.Failure(
                description:
                    "The benchmark fills its own database; this one is not empty. Use an empty VERTROUWD_DATA_DIR.")
        }
        let start = Day(year: 2025, month: 1, day: 1)!
        let (org, year) = try await Self.fill(app: app, cases: n, start: start)
        context.console.print("Filled: \(n) cases in one organisation, one contract year.")

        let k = app.settings.disclosureThreshold
        func time(_ label: String, _ body: () async throws -> Void) async throws {
            var samples: [Double] = []
            for _ in 0..<runs {
                let t0 = DispatchTime.now().uptimeNanoseconds
                try await body()
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1_000_000)
            }
            samples.sort()
            let median = samples[samples.count / 2],
                p95 = samples[min(samples.count - 1, Int(Double(samples.count) * 0.95))]
            context.console.print(
                String(
                    format: "%@: min %.1f ms, median %.1f ms, p95 %.1f ms (%d runs)", label, samples[0], median, p95,
                    runs))
        }
        var tally = CaseTally()
        try await time("count the year's cases (SQL: GROUP BY, and subjects and referrals per case)") {
            tally = try await ReportBuilder.tally(
                organisationID: try org.requireID(), from: year.start, to: year.end, on: app.db)
        }
        try await time("protected statistics from the counts (pure)") {
            _ = AnnualStatistics.build(tally: tally, start: year.start, end: year.end, k: k)
        }
        var facts: [CaseFacts] = []
        try await time("for comparison: read every case row (SQL)") {
            facts = try await ReportBuilder.facts(
                organisationID: try org.requireID(), from: year.start, to: year.end, on: app.db)
        }
        try await time("for comparison: statistics from every row (pure)") {
            _ = AnnualStatistics.build(cases: facts, start: year.start, end: year.end, k: k)
        }
        var doc: AnnualReportDocument?
        try await time("whole annual report (database to document)") {
            doc = try await ReportBuilder.currentDocument(
                org: org, year: year, record: nil, store: app.store, on: app.db
            ).document
        }
        for format in ReportFormat.allCases {
            try await time("render \(format.rawValue)") {
                _ = try await ReportBuilder.render(doc!, as: format, views: app.view)
            }
        }
    }

    /// One organisation, a counsellor, a contract year and `cases` cases spread over the year: a
    /// benchmark fixture of rows without contents or key, inserted in bulk — the one place beside
    /// `CaseWriter` that writes cases (a hundred thousand audited units of work would measure the
    /// writer, not the report).
    static func fill(app: Application, cases n: Int, start: Day) async throws -> (Organisation, ContractYear) {
        let user = User(
            email: "benchmark@example.invalid", name: "Benchmark", isAdmin: false, isCounsellor: true, passwordHash: "!"
        )
        let org = Organisation()
        org.name = "Benchmark BV"; org.slug = "benchmark"; org.sector = Sector.allCases[0].rawValue;
        org.employees = 20_000
        org.departments = ""; org.phone = ""; org.whatsapp = ""; org.email = ""; org.availability = ""
        org.whistleblowerChannel = true; org.complaintsCommittee = ""
        let year = ContractYear()
        org.id = UUID()
        year.$organisation.id = try org.requireID()
        year.startsOn = start; year.endsOn = start.adding(months: 12).adding(days: -1)
        year.budgetMinutes = 100_000 * 60; year.focusPoints = ""
        var rng = DemoPractice.Seeded(state: 10_000)
        var models: [Case] = [], categories: [CaseCategoryRecord] = [], referrals: [CaseReferral] = []
        for i in 0..<n {
            let c = Case()
            c.id = UUID()
            c.$organisation.id = try org.requireID(); c.$counsellor.id = try user.requireID()
            c.reference = "B-\(i)"; c.referenceYear = 2025; c.referenceNumber = i + 1
            c.kind = CaseKind.classified.randomElement(using: &rng)!
            c.reporterRole = ReporterRole.allCases.randomElement(using: &rng)!
            c.channel = IntakeChannel.allCases.randomElement(using: &rng)!
            c.department = ""; c.relation = AccusedRelation.allCases.randomElement(using: &rng)!
            let wbk = Int.random(in: 0..<10, using: &rng) == 0
            c.regime = wbk ? .whistleblower : .confidential
            c.openedOn = start.adding(days: Int.random(in: 0..<365, using: &rng))
            if wbk { c.acknowledgedOn = c.openedOn }
            c.ladderLevel = LadderLevel.allCases.randomElement(using: &rng)!
            c.ladderHighest = c.ladderLevel
            c.status = .closed
            c.outcome = Outcome.allCases.randomElement(using: &rng)!
            c.keyID = "benchmark"; c.wrappedKey = nil
            Case.clearSealedText(of: c)
            models.append(c)
            categories.append(
                CaseCategoryRecord(
                    caseID: try c.requireID(), category: CaseCategory.allCases.randomElement(using: &rng)!))
            if Int.random(in: 0..<4, using: &rng) == 0 {
                let r = CaseReferral()
                r.$case.id = try c.requireID(); r.target = ReferralTarget.allCases.randomElement(using: &rng)!
                r.onDay = c.openedOn; r.passesPersonalData = false; r.noteSealed = ""
                referrals.append(r)
            }
        }
        let (allCases, allCategories, allReferrals) = (models, categories, referrals)
        try await app.store.transaction { db in
            try await user.create(on: db)
            try await org.create(on: db)
            try await year.create(on: db)
            func insert<M: Model>(_ models: [M]) async throws {
                for start in stride(from: 0, to: models.count, by: 500) {
                    try await models[start..<min(start + 500, models.count)].create(on: db)
                }
            }
            try await insert(allCases)
            try await insert(allCategories)
            try await insert(allReferrals)
        }
        // A database in steady state has statistics (and, on PostgreSQL, a visibility map for
        // index-only scans): what autovacuum or `PRAGMA optimize` leave after a while.
        let sql = app.db as! any SQLDatabase
        if app.settings.dialect == .postgres {
            for table in ["cases", "case_categories", "case_referrals"] {
                try await sql.raw("VACUUM ANALYZE \(unsafeRaw: table)").run()
            }
        } else {
            try await sql.raw("ANALYZE").run()
        }
        return (org, year)
    }
}
