import FluentKit
import Foundation
import VertrouwdCore

/// `vertrouwd key rotate`: a new master key and new epoch keys wrap every case key, TOTP secret
/// and the key check. Safe to interrupt at any moment:
/// 1. the new key file is written beside the old one (`master.key.next`, synced);
/// 2. one transaction wraps everything again and records `keys.rotate`;
/// 3. the audit anchor is signed again with the new key, and the new file renamed over the old.
/// A kill before 2 commits leaves the old key working (the next start removes `.next`); a kill
/// after leaves the database on the new key, and the next start (`KeyRotation.recover`) finds
/// `.next` matching the database and finishes 3.
package enum KeyRotation {
    package static func nextPath(_ path: String) -> String { path + ".next" }

    package static func rotate(_ store: Store) async throws -> (cases: Int, accounts: Int) {
        guard let path = store.keys.path else {
            throw KeyStore.Refusal(description: "The key was given inline; there is no key file to rotate.")
        }
        guard !KeyStore.isServed(path) else {
            throw KeyStore.Refusal(
                description:
                    """
                        A server is running with this key file. Stop every instance first, rotate, then start them \
                        with the new file.
                        """
            )
        }
        let old = store.keys.keyring
        let new = try old.rotated()
        let next = nextPath(path)
        unlink(next)
        try KeyStore.write(new, to: next)
        let counts = try await store.transaction { db -> (Int, Int) in
            var cases = 0, accounts = 0
            for row in try await Case.query(on: db).filter(\.$wrappedKey != nil).all() {
                let key = try store.keys.caseKey(of: row)
                let epoch =
                    Keyring.epoch(ofKeyID: row.keyID).flatMap { new.epochs[$0] != nil ? $0 : nil }
                    ?? new.available(from: KeyEpoch(Day(Date())).adding(months: 1))!
                (row.keyID, row.wrappedKey) = try new.wrap(key, caseID: try row.requireID().uuidString, epoch: epoch)
                try await row.save(on: db)
                cases += 1
            }
            for user in try await User.query(on: db).all() where !user.totpSecretSealed.isEmpty {
                let context = User.secondFactorContext(userID: try user.requireID())
                user.totpSecretSealed = try new.master.seal(
                    try old.master.open(user.totpSecretSealed, context: context), context: context)
                try await user.save(on: db)
                accounts += 1
            }
            guard let practice = try await Practice.find(Practice.singletonID, on: db) else {
                throw StoreError.inconsistent("the practice row is missing")
            }
            practice.keyID = new.master.id
            practice.keyCheck = try new.master.seal(Practice.keyCheckText, context: Practice.keyCheckContext)
            try await practice.save(on: db)
            try await Audit.record(
                "keys.rotate", detail: "\(cases) case keys, \(accounts) second factors", actor: "cli", store: store,
                db: db)
            return (cases, accounts)
        }
        try await finish(store, new: new, path: path)
        return counts
    }

    /// Step 3: the anchor signed with the new key, then the new key file in place.
    package static func finish(_ store: Store, new: Keyring, path: String) async throws {
        if let anchor = store.auditAnchor,
            let last = try await AuditEvent.query(on: store.db).sort(\.$id, .descending).first()
        {
            let renewed = AuditAnchorFile(path: anchor.path, masterKey: new.master)
            renewed.rewrite(at: last.entry)
            store.auditAnchor = renewed
        }
        guard rename(nextPath(path), path) == 0 else {
            throw KeyStore.Refusal(description: "Could not put the new key file in place at \(path).")
        }
        let folder = (path as NSString).deletingLastPathComponent
        let dir = open(folder, O_RDONLY)
        if dir >= 0 { fsync(dir); close(dir) }
        store.keys = KeyStore(new, path: path)
    }

    /// At start, before the key is checked: a rotation that was interrupted is finished or undone.
    /// Returns the key file to use.
    package static func recover(path: String, db: any Database, logger: Logger) async throws -> Bool {
        let next = nextPath(path)
        guard FileManager.default.fileExists(atPath: next) else { return false }
        let candidate = try KeyStore.read(next)  // a damaged .next is reported, never removed
        guard let practice = try await Practice.find(Practice.singletonID, on: db),
            practice.keyID == candidate.master.id
        else {
            // The rotation never committed: the old key file is the one.
            unlink(next)
            logger.notice("An interrupted key rotation had not committed; the old key file stays in use.")
            return false
        }
        logger.notice("An interrupted key rotation had committed; finishing it with the new key file.")
        return true
    }
}
