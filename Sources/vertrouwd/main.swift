import Vapor
import VertrouwdApp

/// `vertrouwd serve | user create | demo | audit verify` — see README.md.

// Every file this process creates (database, WAL, key) is readable by its owner only.
umask(0o077)
var env = try Environment.detect()
try LoggingSystem.bootstrap(from: &env)
let app = try await Application.make(env)
do {
    let settings = try Settings.fromEnvironment()
    try await configure(app, settings: settings)
    try await app.execute()
} catch {
    // Our refusals say what is wrong and what to do; print them plainly, without a stack.
    FileHandle.standardError.write(Data("\n\(error)\n".utf8))
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
