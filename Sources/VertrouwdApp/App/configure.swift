import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Leaf
import LeafKit
import SQLKit
import Vapor
import VertrouwdCore
import VertrouwdStore

/// Assembles the application: the one place that wires settings, database, key, templates,
/// middleware, routes and commands. Tests call it exactly as `serve` does.
public func configure(_ app: Application, settings: Settings) async throws {
    app.settings = settings

    switch settings.database {
    case .sqliteFile(let path):
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        app.databases.use(.sqlite(.file(path)), as: .sqlite)
    case .postgres(let url):
        // ~4 connections per event loop suit 2 cores (BUILD-NOTES); migrations need two at once.
        // Audited changes take turns on the audit chain's lock inside their transaction, so a
        // burst (16 reports at once) may wait longer than Fluent's 10 s for a connection: it
        // waits up to 30 s rather than fail.
        app.databases.use(
            try .postgres(
                url: url, maxConnectionsPerEventLoop: settings.databaseConnectionsPerLoop,
                connectionPoolTimeout: .seconds(30), sqlLogLevel: .trace), as: .psql)
    }

    app.store = Store(
        settings: settings, logger: app.logger, database: { [unowned app] in app.db },
        alarm: { [unowned app] finding in
            Notifier.alarmAdmins(app, finding: finding)
        })
    app.startHashing(settings)
    app.floodGuard = FloodGuard(
        perOrganisation: settings.submissionsPerMinute, perSource: settings.submissionsPerSource)
    app.notificationBatch = NotificationBatch()
    app.signalCache = KeptValues(maximumAge: .seconds(90 * 60))
    app.dailyWorkCache = KeptValues()
    app.passwords.use(.bcrypt(cost: settings.passwordCost))
    app.dummyPasswordHash = try Bcrypt.hash(Tokens.random(), cost: settings.passwordCost)

    app.migrations.add(Migrations.all)

    if case .sqliteFile = settings.database {
        // Write-ahead logging: readers never wait for the writer. The mode persists in the file.
        try await (app.db as! any SQLDatabase).raw("PRAGMA journal_mode=WAL").run()
        // Each event loop keeps one connection. The default page cache (2 MB) made a large
        // practice's pages read most of their pages again with a system call each (half the
        // dashboard's time at 100,000 cases); 16 MB each holds the indexes and recent rows.
        for loop in app.eventLoopGroup.makeIterator() {
            try await (app.databases.database(logger: app.logger, on: loop) as! any SQLDatabase).raw(
                "PRAGMA cache_size = -16384"
            ).run()
        }
    }
    try await migrateAndOpenKey(app)
    if let path = settings.auditAnchorPath {
        // On PostgreSQL nothing else makes the data folder: without it no anchor was written.
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        app.store.auditAnchor = AuditAnchorFile(path: path, masterKey: app.masterKey)
    }
    if let keyFile = app.keys.path, FileManager.default.fileExists(atPath: KeyRotation.nextPath(keyFile)) {
        try await KeyRotation.finish(app.store, new: app.keys.keyring, path: keyFile)
    }
    if app.store.auditAnchor != nil {
        try await Audit.startAnchoring(app.store)
    }
    try await CaseKeys.moveLegacyKeys(app.store)

    guard let views = Bundle.module.url(forResource: "Views", withExtension: nil),
        let publicFiles = Bundle.module.url(forResource: "Public", withExtension: nil)
    else {
        throw Settings.Problem(description: "The templates are missing from the build (Views, Public resources).")
    }
    app.views.use(.leaf)
    app.leaf.tags["fold"] = FoldTag()
    app.leaf.configuration = LeafConfiguration(rootDirectory: views.path + "/")
    // The templates are a resource bundle under .build; Leaf's default refuses hidden paths.
    app.leaf.sources = .singleSource(
        NIOLeafFiles(
            fileio: app.fileio, limits: [.toSandbox, .requireExtensions],
            sandboxDirectory: views.path + "/", viewDirectory: views.path + "/"))

    app.http.server.configuration.idleTimeout = .milliseconds(Int64(settings.connectionIdleTimeout * 1000))
    // Every POST route names its own limit (`BodyLimit`); anything else gets the smallest.
    app.routes.defaultMaxBodySize = ByteCount(value: BodyLimit.small.bytes)

    app.middleware = Middlewares()
    // Outermost, so error pages (which may show what a reporter typed) get no-store and the CSP too.
    app.middleware.use(HostCookiesMiddleware())
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(ErrorPageMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: publicFiles.path + "/", defaultFile: nil))
    app.middleware.use(StaffAuthMiddleware())
    // The whole body first (up to the route's limit), so the CSRF check sees a streamed form.
    app.middleware.use(RequestBodyMiddleware())
    app.middleware.use(CSRFMiddleware())

    try routes(app)

    registerCommands(app)

    if app.environment != .testing, serveAddress(app.environment.arguments) != nil {
        // Held while the server runs: `key rotate` refuses to run under it.
        if let keyFile = app.keys.path { _ = KeyStore.holdWhileServing(keyFile) }
        app.startDailyRetention()
        app.startDailyReminders()
        app.startSignalsOfTheDay()
        Audit.verifyInBackground(app.store)
    }
    if app.environment != .testing, let address = serveAddress(app.environment.arguments),
        let token = try await SetupController.prepareLink(app: app)
    {
        // Printed, never logged: whoever can read the console may set up the practice, once.
        print(
            """
            \nNo account exists yet. Set up the practice (this link works once):\n  \
            \(settings.publicURL ?? address)/setup?token=\(token)\n
            """
        )
    }
}

/// The commands beside `serve`. `main` also calls this alone, without `configure`, to print a
/// help text: asking for help opens no database and makes no key file.
public func registerCommands(_ app: Application) {
    app.asyncCommands.use(UserCommand(), as: "user")
    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(AuditCommand(), as: "audit")
    app.asyncCommands.use(ReportCommand(), as: "report")
    app.asyncCommands.use(OverviewCommand(), as: "overview")
    app.asyncCommands.use(ExportCommand(), as: "export")
    app.asyncCommands.use(ImportCommand(), as: "import")
    app.asyncCommands.use(LettersCommand(), as: "letters")
    app.asyncCommands.use(ReportBenchmarkCommand(), as: "benchmark-report")
    app.asyncCommands.use(PagesBenchmarkCommand(), as: "benchmark-pages")
    app.asyncCommands.use(DisclosureUsefulnessCommand(), as: "benchmark-disclosure")
    app.asyncCommands.use(RetentionCommand(), as: "retention")
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")
    app.asyncCommands.use(KeyCommand(), as: "key")
    app.asyncCommands.use(RemindersCommand(), as: "reminders")
}

/// Whether the command line asks for a help text (`--help`, `-h`): then nothing else happens.
public func asksForHelp(_ arguments: [String]) -> Bool {
    arguments.dropFirst().contains { $0 == "--help" || $0 == "-h" }
}

/// The address `serve` will listen on, or nil when another command runs.
private func serveAddress(_ arguments: [String]) -> String? {
    let args = Array(arguments.dropFirst())
    guard args.isEmpty || args.first == "serve" else { return nil }
    func value(_ names: [String]) -> String? {
        guard let i = args.firstIndex(where: names.contains), i + 1 < args.count else { return nil }
        return args[i + 1]
    }
    return "http://\(value(["--hostname", "-H"]) ?? "127.0.0.1"):\(value(["--port", "-p"]) ?? "8080")"
}

/// Runs the migrations and checks the master key. On PostgreSQL an advisory lock makes two
/// instances that start together take turns instead of creating the same tables twice.
private func migrateAndOpenKey(_ app: Application) async throws {
    let work: @Sendable () async throws -> KeyStore = {
        try await app.autoMigrate()
        return try await MasterKeyStore.open(app.settings.key, db: app.db, logger: app.logger)
    }
    app.store.keys = try await AdvisoryLock.migrations.holding(on: app.db, work)
}
