import Fluent
import Foundation
import Vapor
import VertrouwdCore
import VertrouwdStore

/// `vertrouwd restore FILE`: puts a backup in place before the app starts on it, then (as the
/// `restore` command, once `configure` has checked the key file against it) verifies the audit
/// log and records the restore, which anchors the log at its restored end.
public struct RestorePreparation: Sendable {
    let undo: @Sendable () -> Void

    /// Called by `main` before `configure` when the command is `restore`; nil otherwise.
    /// SQLite: copies FILE to the database's place in a data folder that holds no database yet.
    /// PostgreSQL: loads a plain `pg_dump` file with `psql` into a database without tables.
    public static func prepare(arguments: [String], settings: Settings) throws -> RestorePreparation? {
        let args = Array(arguments.dropFirst())
        guard args.first == "restore" else { return nil }
        guard let file = args.dropFirst().first(where: { !$0.hasPrefix("-") }), !file.isEmpty else {
            throw Settings.Problem(description: "Name the backup: vertrouwd restore FILE")
        }
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw Settings.Problem(description: "Cannot read the backup \(file).")
        }
        switch settings.database {
        case .sqliteFile(let path):
            let fm = FileManager.default
            let folder = (path as NSString).deletingLastPathComponent
            for existing in [path, path + "-wal", settings.auditAnchorPath ?? ""]
            where !existing.isEmpty && fm.fileExists(atPath: existing) {
                throw Settings.Problem(
                    description:
                        """
                        The data folder \(folder) is not empty (\(existing) exists). Restore into an empty data \
                        folder (VERTROUWD_DATA_DIR) that holds only the key file.
                        """
                )
            }
            let header = try FileHandle(forReadingFrom: URL(fileURLWithPath: file)).read(upToCount: 16) ?? Data()
            guard header == Data("SQLite format 3\0".utf8) else {
                throw Settings.Problem(description: "\(file) is not an SQLite backup made by `vertrouwd backup`.")
            }
            try fm.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try fm.copyItem(atPath: file, toPath: path)
            chmod(path, 0o600)
            return RestorePreparation {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        case .postgres(let url):
            // Only what `backup` made: a pg_dump archive ("PGDMP"), read by pg_restore. A plain SQL
            // file would go through psql, where a line such as `\! command` runs a shell command.
            let header = try FileHandle(forReadingFrom: URL(fileURLWithPath: file)).read(upToCount: 5) ?? Data()
            guard header == Data("PGDMP".utf8) else {
                throw Settings.Problem(
                    description:
                        """
                        \(file) is not a PostgreSQL backup made by `vertrouwd backup` (pg_dump \
                        --format=custom). Plain SQL files are not restored: they can hold commands for the shell.
                        """
                )
            }
            let tables = try PostgresTools.run(
                "psql", ["-tA", "-c", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"], url: url)
            guard tables.trimmingCharacters(in: .whitespacesAndNewlines) == "0" else {
                throw Settings.Problem(
                    description: "The database in DATABASE_URL is not empty. Restore into a new, empty database.")
            }
            let database = URLComponents(string: url).map { String($0.path.dropFirst()) } ?? ""
            _ = try PostgresTools.run(
                "pg_restore",
                [
                    "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
                    "--dbname=\(database)", file
                ], url: url)
            return RestorePreparation {}
        }
    }

    /// Removes a restored SQLite database again when the key file does not match it.
    public func abandon() { undo() }
}

/// PostgreSQL's own tools (`psql`, `pg_dump`, `pg_restore`), run with the connection in their
/// environment (`PGHOST`…, `PGPASSWORD`), never on their command line, where other users of the
/// machine could read the password.
enum PostgresTools {
    static func run(_ tool: String, _ arguments: [String], url: String) throws -> String {
        guard let parts = URLComponents(string: url), let host = parts.host else {
            throw Settings.Problem(description: "DATABASE_URL is not a URL \(tool) understands.")
        }
        var env = ProcessInfo.processInfo.environment
        env["PGHOST"] = host
        env["PGPORT"] = parts.port.map(String.init) ?? "5432"
        env["PGUSER"] = parts.user?.removingPercentEncoding
        env["PGPASSWORD"] = parts.password?.removingPercentEncoding
        env["PGDATABASE"] = String(parts.path.dropFirst())
        if let mode = parts.queryItems?.first(where: { $0.name == "sslmode" })?.value { env["PGSSLMODE"] = mode }
        let process = Process()
        process.environment = env
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Settings.Problem(
                description: "\(tool) failed (exit \(process.terminationStatus)); nothing was started.")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// The second half of `vertrouwd restore FILE`: the key file already matched (`configure`), now
/// the audit log is verified and the restore recorded.
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "The backup to restore.")
        var file: String
    }

    var help: String { "Restores a backup into an empty data folder (or empty PostgreSQL database) and checks it." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let (count, broken) = try await Audit.verify(db: app.db, key: app.keys.auditChainKey)
        if let broken {
            context.console.error(
                "Restored, but the audit log is BROKEN after \(count) good entries: \(broken.description).")
            throw AuditCommand.Failure(description: "audit log broken")
        }
        // The restored log becomes the practice's log: the anchor moves to its end (an anchor
        // from the database that was replaced is kept beside it).
        if let anchor = app.store.auditAnchor, let newest = try await Audit.newest(db: app.db) {
            anchor.reset(to: newest, keepingOldAs: "before-restore")
        }
        let cases = try await Case.query(on: app.db).count()
        let destroyed = try await Case.query(on: app.db).filter(\.$destroyedOn != nil).count()
        try await Audit.record("backup.restore", detail: "\(cases) cases", actor: "cli", store: app.store, db: app.db)
        // A run interrupted before it deleted its epochs is finished first (the key file notes them).
        try await RetentionRun(store: app.store, actor: "cli").finishForgetting()
        // Cases destroyed after this backup was made: their epoch key is gone from the key file.
        // Their rows are shredded again, so the restored practice shows them as destroyed.
        var unreadable = 0, readable = 0
        let writer = CaseWriter(store: app.store, actor: "cli", userID: nil)
        for row in try await Case.query(on: app.db).filter(\.$destroyedOn == nil).filter(\.$wrappedKey != nil).all() {
            do {
                _ = try app.keys.caseKey(of: row).open(row, \.$summarySealed)
                readable += 1
            } catch Keyring.KeyError.destroyed {
                try await writer.destroy(id: try row.requireID(), cause: .keyGone, today: Day(Date()))
                unreadable += 1
            }
        }
        context.console.print(
            "Restored \(URL(fileURLWithPath: signature.file).lastPathComponent): the key file matches, "
                + "the audit log is intact (\(count) entries), \(cases) cases (\(destroyed) destroyed earlier), "
                + "\(readable) open with this key file.")
        if unreadable > 0 {
            context.console.print(
                """
                \(unreadable) case(s) in this backup were destroyed after it was made: the key file no longer \
                opens them, as intended.
                """
            )
        }
    }
}
