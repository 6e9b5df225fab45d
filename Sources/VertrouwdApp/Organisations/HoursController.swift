import Vapor
import VertrouwdCore
import VertrouwdStore

/// The hours statement (*urenoverzicht*) the practice invoices from: an admin chooses a period
/// and sees, per organisation, contract year and kind of work, the hours, the contract year's rate
/// and the amount; and downloads the same as a CSV that Excel in Dutch opens. A GET form: looking
/// changes nothing. Case work is one line per contract year: no case, no day, no counsellor.
enum HoursController {
    struct Input: Content { var from, to: String? }

    struct HoursPage: Encodable, Sendable {
        struct Line: Encodable, Sendable {
            let organisation: String
            let period: String
            let work: String
            let hours: String
            let rate: String
            let amount: String
        }

        struct Subtotal: Encodable, Sendable {
            let organisation: String
            let hours: String
            let amount: String
        }

        let meta: PageMeta
        let action: String
        let from: String
        let to: String
        let fromError: String?
        let toError: String?
        let lines: [Line]?
        let subtotals: [Subtotal]
        let totalHours: String
        let totalAmount: String
        let csvURL: String?
        let cliCommand: String?
    }

    /// GET /admin/hours?from=…&to=…
    @Sendable static func show(_ req: Request) async throws -> Response {
        let (input, period, errors) = read(req)
        guard let period else { return try await render(req, input: input, statement: nil, errors: errors) }
        let statement = try await HoursStatement.load(from: period.from, to: period.to, on: req.db)
        return try await render(req, input: input, statement: statement, errors: errors)
    }

    /// GET /admin/hours/csv?from=…&to=… — the same statement as a download, recorded in the audit log.
    @Sendable static func csv(_ req: Request) async throws -> Response {
        let (input, period, errors) = read(req)
        guard let period else { return try await render(req, input: input, statement: nil, errors: errors) }
        let statement = try await HoursStatement.load(from: period.from, to: period.to, on: req.db)
        // A HEAD request (a browser or proxy checking the link) carries no file: nothing left.
        if req.method != .HEAD { try await req.audit("hours.export", detail: "\(period.from.iso)..\(period.to.iso)") }
        let response = Response(status: .ok, body: .init(string: statement.csv()))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(
            .attachment, filename: "uren-\(period.from.iso)-\(period.to.iso).csv")
        return response
    }

    /// The period asked for: both days, from before to; the previous calendar month when the form
    /// was not filled in at all.
    static func read(_ req: Request) -> (Input, (from: Day, to: Day)?, FormErrors) {
        var input = (try? req.query.decode(Input.self)) ?? Input()
        var errors = FormErrors()
        if (input.from ?? "").isEmpty && (input.to ?? "").isEmpty {
            let today = Day(Date())
            let thisMonth = Day(year: today.year, month: today.month, day: 1)!
            input = Input(from: thisMonth.adding(months: -1).iso, to: thisMonth.adding(days: -1).iso)
        }
        // A date is short: anything longer is refused before any string work.
        for (field, value) in [("from", input.from), ("to", input.to)] where (value ?? "").count > 30 {
            errors[field] = "Vul een datum in als 31-12-2026."
        }
        if !errors.isEmpty { return (input, nil, errors) }
        let from = errors.day(input.from, "from", label: "de eerste dag")
        let to = errors.day(input.to, "to", label: "de laatste dag")
        if let from, let to {
            if to < from {
                errors["to"] = "De laatste dag ligt vóór de eerste dag."
            } else if to > from.adding(months: 120) {
                errors["to"] = "Kies een periode van hoogstens tien jaar."
            }
        }
        guard errors.isEmpty, let from, let to else { return (input, nil, errors) }
        return (input, (from, to), errors)
    }

    static func render(
        _ req: Request, input: Input, statement: HoursStatement?, errors: FormErrors
    ) async throws -> Response {
        let euro = { (cents: Int?, otherwise: String) in cents.map { "€ " + Money.decimal(cents: $0) } ?? otherwise }
        let query = statement.map { "?from=\($0.from.iso)&to=\($0.to.iso)" }
        let page = HoursPage(
            meta: req.meta("Urenoverzicht", section: "hours"), action: SiteURL.hours.path,
            from: input.from ?? "", to: input.to ?? "", fromError: errors["from"], toError: errors["to"],
            lines: statement?.lines.map {
                .init(
                    organisation: $0.organisation, period: HoursStatement.period($0.contract), work: $0.work.label,
                    hours: Hours.format(minutes: $0.minutes), rate: euro($0.contract?.rateCents, "geen tarief"),
                    amount: euro($0.amountCents, "—"))
            },
            subtotals: (statement?.subtotals ?? []).map {
                .init(
                    organisation: $0.organisation, hours: Hours.format(minutes: $0.minutes),
                    amount: $0.unratedMinutes == $0.minutes
                        ? "geen tarief"
                        : euro($0.amountCents, "")
                            + ($0.unratedMinutes > 0
                                ? " (\(Hours.format(minutes: $0.unratedMinutes)) zonder tarief)" : ""))
            },
            totalHours: Hours.format(minutes: statement?.totalMinutes ?? 0),
            totalAmount: euro(statement?.totalAmountCents, ""),
            csvURL: query.map { SiteURL.hoursCSV.path + $0 },
            cliCommand: statement.map {
                "vertrouwd export hours --from \($0.from.iso) --to \($0.to.iso) --output uren.csv"
            })
        return try await req.page(.hours, page, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }
}

/// `vertrouwd export hours --from YYYY-MM-DD --to YYYY-MM-DD [--output FILE]`: the hours statement
/// as the admin page downloads it (CSV for Excel in Dutch).
struct ExportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "what", help: "What to export: hours.")
        var what: String
        @Option(name: "from", help: "The first day, YYYY-MM-DD.")
        var from: String?
        @Option(name: "to", help: "The last day, YYYY-MM-DD (included).")
        var to: String?
        @Option(name: "output", help: "The file to write; without it, standard output.")
        var output: String?
    }

    var help: String {
        "Writes the hours per organisation, contract year and kind of work, with rate and amount, as CSV for Excel."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.what == "hours" else {
            throw ReportCommand.Failure(description: "Only `export hours` exists.")
        }
        guard let from = signature.from.flatMap(Day.init(iso:)), let to = signature.to.flatMap(Day.init(iso:)),
            from <= to
        else {
            throw ReportCommand.Failure(
                description: "Give --from YYYY-MM-DD and --to YYYY-MM-DD, the first not after the last.")
        }
        let app = context.application
        let statement = try await HoursStatement.load(from: from, to: to, on: app.db)
        try await Audit.record(
            "hours.export", detail: "\(from.iso)..\(to.iso) (command line)", actor: "system", store: app.store,
            db: app.db)
        try ReportCommand.write(
            Data(statement.csv().utf8), to: signature.output, console: context.console,
            saying: "\(statement.lines.count) lines, \(Hours.format(minutes: statement.totalMinutes))")
    }
}
