#if canImport(Glibc)
import Glibc
#endif
import Foundation
import FluentKit
import VertrouwdCore

/// The practice itself: one row. It holds the proof that the master key in use is the one the
/// data was encrypted with, and the hash of the one-time setup link while no account exists.
package final class Practice: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "practice"

    // managed fields
    @ID(custom: "id", generatedBy: .user) package var id: Int?

    // data fields
    @Field(key: "name") package var name: String
    @Field(key: "key_id") package var keyID: String
    /// A known text sealed with the master key; opening it proves the key is right.
    @Field(key: "key_check") package var keyCheck: String
    @OptionalField(key: "setup_token_hash") package var setupTokenHash: String?
    /// The retention period after closing and the reporter's grace period, in months.
    @Field(key: "retention_months") package var retentionMonths: Int
    @Field(key: "grace_months") package var graceMonths: Int
    /// "Usually within N working days" on the public pages (a conversation request).
    @Field(key: "response_workdays") package var responseWorkdays: Int
    @Field(key: "created_at") package var createdAt: Date

    package init() {}

    package static let singletonID = 1
    package static let keyCheckContext = FieldContext(table: "practice", row: "1", field: "key_check")
    package static let keyCheckText = "vertrouwd master key check"

    package var retention: RetentionPolicy { RetentionPolicy(months: retentionMonths, graceMonths: graceMonths) }

    /// The practice's retention policy as stored now.
    package static func retention(on db: any Database) async throws -> RetentionPolicy {
        try await find(singletonID, on: db)?.retention ?? .standard
    }
}

package struct CreatePractice: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("practice")
            .field("id", .int, .identifier(auto: false))
            .field("name", .string, .required)
            .field("key_id", .string, .required)
            .field("key_check", .string, .required)
            .field("setup_token_hash", .string)
            .field("created_at", .datetime, .required)
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("practice").delete()
    }
}

/// Finds the key file and checks it against the database, or refuses to start.
package enum MasterKeyStore {
    package typealias Refusal = KeyStore.Refusal

    /// Returns the keyring for this database. A new key file is only ever made for a database
    /// that holds no encrypted data yet; a key file from before retention epochs gets its epochs
    /// (written beside it and renamed over it).
    package static func open(_ source: Settings.KeySource, db: any Database, logger: Logger) async throws -> KeyStore {
        let practice = try await Practice.find(Practice.singletonID, on: db)
        let store: KeyStore
        let thisMonth = KeyEpoch(Day(Date()))
        switch source {
        case .inline(let k):
            store = KeyStore(Keyring.generate(master: k, from: thisMonth, ownAuditKey: false), path: nil)
        case .file(let path):
            KeyStore.removeLeftovers(path)
            if try await KeyRotation.recover(path: path, db: db, logger: logger) {
                // A rotation committed but did not finish: the new file is the key (`configure`
                // then finishes it).
                store = KeyStore(try KeyStore.read(KeyRotation.nextPath(path)), path: path)
            } else if FileManager.default.fileExists(atPath: path) {
                var ring = try KeyStore.read(path)
                if ring.isLegacy {
                    ring.addEpochs(from: thisMonth)
                    try KeyStore.write(ring, to: path)
                    logger.notice("Added retention epochs to the key file \(path). Back it up again.")
                }
                store = KeyStore(ring, path: path)
            } else if practice != nil {
                throw Refusal(
                    description:
                        """
                            The database holds encrypted data, but the key file \(path) is missing. Restore it from \
                            your key backup (or set VERTROUWD_MASTER_KEY_FILE). Vertrouwd will not make a new key \
                            over existing data.
                            """
                )
            } else {
                let ring = Keyring.generate(from: thisMonth)
                try write(ring, to: path)
                store = KeyStore(ring, path: path)
                logger.notice(
                    """
                        Created a new key file at \(path). Back it up apart from the database: without it the data \
                        cannot be read.
                        """
                )
            }
        }
        let key = store.master
        if let practice {
            guard practice.keyID == key.id,
                (try? key.open(practice.keyCheck, context: Practice.keyCheckContext)) == Practice.keyCheckText
            else {
                throw Refusal(
                    description:
                        """
                            The master key (\(key.id)) does not match the database (which needs \(practice.keyID)). \
                            Vertrouwd will not start with the wrong key.
                            """
                )
            }
        } else {
            let p = Practice()
            p.id = Practice.singletonID
            p.name = ""
            p.keyID = key.id
            p.keyCheck = try key.seal(Practice.keyCheckText, context: Practice.keyCheckContext)
            p.createdAt = Date()
            p.retentionMonths = RetentionPolicy.standard.months
            p.graceMonths = RetentionPolicy.standard.graceMonths
            p.responseWorkdays = 2
            do {
                try await p.create(on: db)
            } catch {
                // Another instance created it at the same moment: check against theirs.
                return try await open(source, db: db, logger: logger)
            }
        }
        return store
    }

    /// Creates a new key file: mode 0600 from the first byte, never over an existing file.
    package static func write(_ ring: Keyring, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw Refusal(description: "Could not create the key file \(path).") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try handle.write(contentsOf: Data(ring.fileContents.utf8))
        try handle.synchronize()
    }
}
