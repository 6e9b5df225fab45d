import Fluent
import SQLKit
import Vapor
import VertrouwdCore
import VertrouwdStore

/// `vertrouwd retention run [--dry-run] [--today YYYY-MM-DD]`: lists every closed case with what
/// retention decides and why, and (without `--dry-run`) destroys those that are due.
struct RetentionCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["run": RetentionRunCommand()]
    var help: String { "Destroy the contents of cases whose retention period has ended." }
}

struct RetentionRunCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "dry-run", help: "Only list what is due and why; change nothing.")
        var dryRun: Bool
        @Option(name: "today", help: "Decide as on this day (YYYY-MM-DD); for checks and tests.")
        var today: String?
    }

    var help: String { "Lists what retention decides for every closed case, and destroys what is due." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let today = try Day.option(signature.today)
        let started = Date()
        let day = today, dryRun = signature.dryRun
        let outcome = try await app.store.withRetentionLock {
            try await RetentionRun(store: app.store, actor: "cli").run(today: day, dryRun: dryRun)
        }
        let seconds = Date().timeIntervalSince(started)
        let policy = try await Practice.retention(on: app.db)
        context.console.print(
            """
                Retention on \(today.iso): \(policy.months) months after closing, \(policy.graceMonths) months' \
                grace after the reporter's last message.
                """
        )
        for c in outcome.destroyed {
            context.console.print("\(signature.dryRun ? "due      " : "destroyed") \(c.reference)  \(c.organisation)")
        }
        for c in outcome.kept {
            if case .keep(let reason) = c.decision {
                context.console.print("kept      \(c.reference)  \(c.organisation): \(reason.dutch)")
            }
        }
        let verb = signature.dryRun ? "due" : "destroyed"
        context.console.print(
            "\(outcome.destroyed.count) \(verb), \(outcome.kept.count) kept"
                + (signature.dryRun
                    ? ""
                    : """
                        ; \(outcome.moved) case keys moved to a later epoch, \(outcome.forgotten.count) epoch keys \
                        deleted
                        """)
                + String(format: " (%.2f s).", seconds))
        if !signature.dryRun && !outcome.destroyed.isEmpty {
            context.console.print(
                """
                    The key file changed: replace your key backup with it now. An older copy of the key file still \
                    opens what was destroyed.
                    """
            )
        }
    }
}

/// `vertrouwd backup --output FILE`: a consistent copy of the database while `serve` runs,
/// without the key: SQLite's `VACUUM INTO`, or PostgreSQL's `pg_dump --format=custom` (which
/// `restore` reads with `pg_restore`: a dump holds no commands for a shell). Prints the audit head.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "output", short: "o", help: "The file to write (must not exist).")
        var output: String?
    }

    var help: String { "Writes a consistent copy of the database (never the key file)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let started = Date()
        guard let output = signature.output, !output.isEmpty else {
            throw UserCreateCommand.Failure(description: "Name the backup file: vertrouwd backup --output FILE")
        }
        guard !FileManager.default.fileExists(atPath: output) else {
            throw UserCreateCommand.Failure(description: "\(output) exists already; a backup never writes over a file.")
        }
        switch app.settings.database {
        case .postgres(let url):
            // One snapshot (pg_dump reads in one transaction) while the server goes on writing.
            _ = try PostgresTools.run(
                "pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file=\(output)"], url: url)
        case .sqliteFile:
            // One read transaction: a copy of one moment, while the server goes on writing.
            try await (app.db as! any SQLDatabase).raw("VACUUM INTO \(bind: output)").run()
        }
        chmod(output, 0o600)
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        let head = try await Audit.record(
            "backup.create", detail: URL(fileURLWithPath: output).lastPathComponent, actor: "cli", store: app.store,
            db: app.db)
        context.console.print(
            String(
                format: "Backup written to %@ (%d bytes, %.2f s). It holds no key: keep the key file apart from it.",
                output, size, Date().timeIntervalSince(started)))
        // Kept off the server (with the backup's record, in a mail), it lets `audit verify
        // --head` prove later that the log was not cut or rewritten since.
        context.console.print("Audit head: \(AuditCommand.headLine(head))")
    }
}

extension Day {
    /// A command's `--today YYYY-MM-DD` (retention, reminders), or today.
    static func option(_ text: String?) throws -> Day {
        guard let text else { return Day(Date()) }
        guard let day = Day(iso: text) else {
            throw UserCreateCommand.Failure(description: "--today must be YYYY-MM-DD, not '\(text)'")
        }
        return day
    }
}
