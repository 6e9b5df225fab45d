import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// `vertrouwd key rotate | check`.
struct KeyCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["rotate": KeyRotateCommand(), "check": KeyCheckCommand()]
    var help: String { "Rotate the master key, or check that every key opens." }
}

struct KeyRotateCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Makes a new master key and epoch keys and wraps every case key and second factor with them." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let started = Date()
        let (cases, accounts) = try await KeyRotation.rotate(context.application.store)
        context.console.print(
            String(
                format: "Key rotated: %d case keys and %d second factors wrapped again (%.2f s). "
                    + "Back up the new key file now; backups made before cannot be opened with it.",
                cases, accounts, Date().timeIntervalSince(started)))
    }
}

struct KeyCheckCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Opens every case key and second factor with the key file; fails if one does not open." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let store = context.application.store
        var opened = 0, failed = 0
        for row in try await Case.query(on: store.db).filter(\.$wrappedKey != nil).filter(\.$destroyedOn == nil).all() {
            if (try? store.keys.caseKey(of: row).open(row, \.$summarySealed)) != nil {
                opened += 1
            } else {
                failed += 1
            }
        }
        var factors = 0
        for user in try await User.query(on: store.db).all() where !user.totpSecretSealed.isEmpty {
            if (try? SecondFactor.secret(of: user, masterKey: store.masterKey)) != nil {
                factors += 1
            } else {
                failed += 1
            }
        }
        context.console.print("Key check: \(opened) cases and \(factors) second factors open; \(failed) do not.")
        if failed > 0 { throw UserCreateCommand.Failure(description: "\(failed) keys do not open") }
    }
}
