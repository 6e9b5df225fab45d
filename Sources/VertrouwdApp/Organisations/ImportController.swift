import Vapor
import VertrouwdCore
import VertrouwdStore

/// The admin's import of organisations (`OrganisationImport`): upload a spreadsheet, see per row
/// what it would do or why it cannot, then confirm. The confirmation carries the file itself
/// (base64, in the form) and checks it again against the database as it is then: two admins, or
/// one in two tabs, cannot import a plan that no longer holds.
enum ImportController {
    struct ImportPage: Encodable, Sendable {
        let meta: PageMeta
        let uploadAction: String
        let confirmAction: String
        let csrf: String
        let example: String
        let columns: [String]
        let error: String?
        let reading: String?
        let lines: [OrganisationImport.Line]?
        let valid: Bool
        let created: Int
        let updated: Int
        let unchanged: Int
        let content: String?
    }

    struct Upload: Content {
        var file: File?
    }

    struct Confirm: Content {
        var content: String?
    }

    /// GET /organisations/import
    @Sendable static func show(_ req: Request) async throws -> Response {
        try await render(req, error: nil, plan: nil, content: nil)
    }

    /// POST /organisations/import — the file, checked: the preview. Nothing is written.
    @Sendable static func preview(_ req: Request) async throws -> Response {
        guard let file = (try? req.content.decode(Upload.self))?.file, file.data.readableBytes > 0 else {
            return try await render(
                req, error: "Kies een CSV-bestand met de organisaties.", plan: nil, content: nil,
                status: .unprocessableEntity)
        }
        let data = Data(buffer: file.data)
        do {
            let plan = try await OrganisationImport.plan(OrganisationImport.read(data), on: req.db)
            return try await render(
                req, error: nil, plan: plan, content: plan.isValid ? data.base64EncodedString() : nil,
                status: plan.isValid ? .ok : .unprocessableEntity)
        } catch let refusal as OrganisationImport.Refusal {
            return try await render(req, error: refusal.message, plan: nil, content: nil, status: .unprocessableEntity)
        }
    }

    /// POST /organisations/import/confirm — the same file, checked again and written in one go.
    @Sendable static func confirm(_ req: Request) async throws -> Response {
        guard let text = req.form(Confirm.self)?.content, let data = Data(base64Encoded: text) else {
            return try await render(
                req, error: "Het bestand kwam niet mee. Laad het opnieuw.", plan: nil, content: nil,
                status: .unprocessableEntity)
        }
        do {
            let staff = try req.requireStaff()
            let plan = try await OrganisationImport.run(
                OrganisationImport.read(data), store: req.store, actor: "user:\(staff.userID.uuidString)")
            guard plan.isValid else {
                return try await render(req, error: nil, plan: plan, content: nil, status: .unprocessableEntity)
            }
            return req.redirect(to: .organisations, flash: .imported)
        } catch let refusal as OrganisationImport.Refusal {
            return try await render(req, error: refusal.message, plan: nil, content: nil, status: .unprocessableEntity)
        }
    }

    /// An expired form (an old tab, a lost cookie) or a file past the body limit: the page again,
    /// saying why, with nothing written.
    @Sendable static func refused(_ req: Request, _ refusal: FormRefusal) async throws -> Response {
        let message =
            switch refusal {
            case .tooLarge: "Het bestand is te groot: hoogstens \(OrganisationImport.maxBytes / 1024) KB."
            case .expired, .busy: "Het formulier was verlopen. Kies het bestand opnieuw; er is niets opgeslagen."
            }
        return try await render(req, error: message, plan: nil, content: nil, status: .unprocessableEntity)
    }

    static func render(
        _ req: Request, error: String?, plan: OrganisationImport.Plan?, content: String?, status: HTTPStatus = .ok
    ) async throws -> Response {
        let page = ImportPage(
            meta: req.meta("Organisaties importeren", section: "organisations"),
            uploadAction: SiteURL.importOrganisations.path, confirmAction: SiteURL.importOrganisationsConfirm.path,
            csrf: req.csrfToken, example: OrganisationImport.exampleHeading,
            columns: OrganisationImport.Column.allCases.map(\.rawValue), error: error, reading: plan?.reading,
            lines: plan?.lines, valid: plan?.isValid ?? false, created: plan?.created ?? 0,
            updated: plan?.updated ?? 0, unchanged: plan?.unchanged ?? 0, content: content)
        return try await req.page(.importOrganisations, page, status: status)
    }
}

/// `vertrouwd import organisations FILE [--dry-run]`: the same import on the console.
struct ImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "what", help: "What to import: organisations.")
        var what: String
        @Argument(name: "file", help: "The CSV file (semicolons or commas, UTF-8).")
        var file: String
        @Flag(name: "dry-run", help: "Check every row and say what would change, without writing.")
        var dryRun: Bool
    }

    var help: String {
        "Imports organisations with counsellors, a contact and the contract year from a CSV (see docs/examples)."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.what == "organisations" else {
            throw ReportCommand.Failure(description: "Only `import organisations FILE` exists.")
        }
        guard let data = FileManager.default.contents(atPath: signature.file) else {
            throw ReportCommand.Failure(description: "Cannot read \(signature.file).")
        }
        let app = context.application
        let plan: OrganisationImport.Plan
        do {
            let table = try OrganisationImport.read(data)
            plan =
                signature.dryRun
                ? try await OrganisationImport.plan(table, on: app.db)
                : try await OrganisationImport.run(table, store: app.store, actor: "system")
        } catch let refusal as OrganisationImport.Refusal {
            throw ReportCommand.Failure(description: refusal.message)
        }
        for line in plan.lines {
            let what =
                line.problems.isEmpty ? line.changes.joined(separator: "; ") : line.problems.joined(separator: " ")
            context.console.print(
                "regel \(line.line): \(line.slug) — \(line.problems.isEmpty ? line.action : "FOUT")"
                    + (what.isEmpty ? "" : ": \(what)"))
        }
        guard plan.isValid else {
            throw ReportCommand.Failure(
                description: "Niets geïmporteerd: verbeter de regels met FOUT en probeer het opnieuw.")
        }
        if signature.dryRun {
            let counts = "\(plan.created) nieuw, \(plan.updated) bijgewerkt, \(plan.unchanged) ongewijzigd"
            context.console.print("Proef: \(counts); niets geschreven.")
            return
        }
        context.console.print(
            "Geïmporteerd: \(plan.created) nieuw, \(plan.updated) bijgewerkt, \(plan.unchanged) ongewijzigd.")
    }
}
