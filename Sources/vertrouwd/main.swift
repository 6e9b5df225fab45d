import Vapor
import VertrouwdApp
import VertrouwdStore

/// `vertrouwd serve | user create | demo | audit verify | retention run | backup | restore | qr` — see README.md.

// Every file this process creates (database, WAL, key) is readable by its owner only.
umask(0o077)
// `qr` draws a QR code and needs neither database nor key: it runs before the application starts.
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "qr" {
    exit(QRTool.run(Array(CommandLine.arguments.dropFirst(2))))
}
// Production unless `--env` says otherwise: in development Leaf re-reads every template on every
// request, which costs more than half the time of a page; our templates ship inside the build.
var arguments = CommandLine.arguments
if !arguments.contains(where: { $0 == "--env" || $0 == "-e" || $0.hasPrefix("--env=") }) {
    arguments += ["--env", "production"]
}
var env = try Environment.detect(arguments: arguments)
try LoggingSystem.bootstrap(from: &env)
let app = try await Application.make(env)
if asksForHelp(arguments) {
    // A help text changes nothing: no data folder, database or key file is made for it.
    registerCommands(app)
    do { try await app.execute() } catch { FileHandle.standardError.write(Data("\n\(error)\n".utf8)) }
    try await app.asyncShutdown()
    exit(0)
}
do {
    let settings = try Settings.fromEnvironment()
    // `restore` puts the backup in place before the app opens the database and checks the key.
    let restore = try RestorePreparation.prepare(arguments: arguments, settings: settings)
    do {
        try await configure(app, settings: settings)
    } catch {
        restore?.abandon()
        throw error
    }
    try await app.execute()
} catch {
    // Our refusals say what is wrong and what to do; print them plainly, without a stack.
    FileHandle.standardError.write(Data("\n\(error)\n".utf8))
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
