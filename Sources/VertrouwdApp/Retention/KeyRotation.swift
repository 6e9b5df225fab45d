import Fluent
import Foundation
import Vapor
import VertrouwdCore

/// `vertrouwd key rotate`: a new master key and new epoch keys wrap every case key, TOTP secret
/// and the key check. Safe to interrupt at any moment:
/// 1. the new key file is written beside the old one (`master.key.next`, synced);
/// 2. one transaction wraps everything again and records `keys.rotate`;
/// 3. the audit anchor is signed again with the new key, and the new file renamed over the old.
/// A kill before 2 commits leaves the old key working (the next start removes `.next`); a kill
/// after leaves the database on the new key, and the next start (`KeyRotation.recover`) finds
/// `.next` matching the database and finishes 3.
enum KeyRotation {
    static func nextPath(_ path: String) -> String { path + ".next" }

    static func rotate(_ app: Application) async throws -> (cases: Int, accounts: Int) {
        guard let path = app.keys.path else { throw KeyStore.Refusal(description: "The key was given inline; there is no key file to rotate.") }
        guard !KeyStore.isServed(path) else {
            throw KeyStore.Refusal(description: "A server is running with this key file. Stop every instance first, rotate, then start them with the new file.")
        }
        let old = app.keys.keyring
        let new = try old.rotated()
        let next = nextPath(path)
        unlink(next)
        try KeyStore.write(new, to: next)
        let counts = try await app.transaction(on: app.db) { db -> (Int, Int) in
            var cases = 0, accounts = 0
            for row in try await Case.query(on: db).filter(\.$wrappedKey != nil).all() {
                let key = try app.keys.caseKey(of: row)
                let epoch = Keyring.epoch(ofKeyID: row.keyID).flatMap { new.epochs[$0] != nil ? $0 : nil }
                    ?? new.available(from: KeyEpoch(Day(Date())).adding(months: 1))!
                (row.keyID, row.wrappedKey) = try new.wrap(key, caseID: row.id!.uuidString, epoch: epoch)
                try await row.save(on: db)
                cases += 1
            }
            for user in try await User.query(on: db).all() where !user.totpSecretSealed.isEmpty {
                let context = SecondFactor.context(userID: user.id!)
                user.totpSecretSealed = try new.master.seal(try old.master.open(user.totpSecretSealed, context: context), context: context)
                try await user.save(on: db)
                accounts += 1
            }
            guard let practice = try await Practice.find(Practice.singletonID, on: db) else { throw Abort(.internalServerError) }
            practice.keyID = new.master.id
            practice.keyCheck = try new.master.seal(Practice.keyCheckText, context: Practice.keyCheckContext)
            try await practice.save(on: db)
            try await Audit.record("keys.rotate", detail: "\(cases) case keys, \(accounts) second factors", actor: "cli", app: app, db: db)
            return (cases, accounts)
        }
        try await finish(app, new: new, path: path)
        return counts
    }

    /// Step 3: the anchor signed with the new key, then the new key file in place.
    static func finish(_ app: Application, new: Keyring, path: String) async throws {
        if let anchor = app.auditAnchor, let last = try await AuditEvent.query(on: app.db).sort(\.$id, .descending).first() {
            let renewed = AuditAnchorFile(path: anchor.path, masterKey: new.master)
            renewed.rewrite(at: last.entry)
            app.auditAnchor = renewed
        }
        guard rename(nextPath(path), path) == 0 else { throw KeyStore.Refusal(description: "Could not put the new key file in place at \(path).") }
        let folder = (path as NSString).deletingLastPathComponent
        let dir = open(folder, O_RDONLY)
        if dir >= 0 { fsync(dir); close(dir) }
        app.keys = KeyStore(new, path: path)
    }

    /// At start, before the key is checked: a rotation that was interrupted is finished or undone.
    /// Returns the key file to use.
    static func recover(path: String, db: any Database, logger: Logger) async throws -> Bool {
        let next = nextPath(path)
        guard FileManager.default.fileExists(atPath: next) else { return false }
        let candidate = try KeyStore.read(next)  // a damaged .next is reported, never removed
        guard let practice = try await Practice.find(Practice.singletonID, on: db), practice.keyID == candidate.master.id else {
            // The rotation never committed: the old key file is the one.
            unlink(next)
            logger.notice("An interrupted key rotation had not committed; the old key file stays in use.")
            return false
        }
        logger.notice("An interrupted key rotation had committed; finishing it with the new key file.")
        return true
    }
}

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
        let (cases, accounts) = try await KeyRotation.rotate(context.application)
        context.console.print(String(format: "Key rotated: %d case keys and %d second factors wrapped again (%.2f s). "
                                     + "Back up the new key file now; backups made before cannot be opened with it.",
                                     cases, accounts, Date().timeIntervalSince(started)))
    }
}

struct KeyCheckCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Opens every case key and second factor with the key file; fails if one does not open." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        var opened = 0, failed = 0
        for row in try await Case.query(on: app.db).filter(\.$wrappedKey != nil).filter(\.$destroyedOn == nil).all() {
            if (try? app.keys.caseKey(of: row).open(row, \.$summarySealed)) != nil { opened += 1 } else { failed += 1 }
        }
        var factors = 0
        for user in try await User.query(on: app.db).all() where !user.totpSecretSealed.isEmpty {
            if (try? SecondFactor.secret(of: user, masterKey: app.masterKey)) != nil { factors += 1 } else { failed += 1 }
        }
        context.console.print("Key check: \(opened) cases and \(factors) second factors open; \(failed) do not.")
        if failed > 0 { throw UserCreateCommand.Failure(description: "\(failed) keys do not open") }
    }
}
