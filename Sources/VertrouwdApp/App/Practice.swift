#if canImport(Glibc)
import Glibc
#endif
import Fluent
import Vapor
import VertrouwdCore

/// The practice itself: one row. It holds the proof that the master key in use is the one the
/// data was encrypted with, and the hash of the one-time setup link while no account exists.
final class Practice: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "practice"

    // managed fields
    @ID(custom: "id", generatedBy: .user) var id: Int?

    // data fields
    @Field(key: "name") var name: String
    @Field(key: "key_id") var keyID: String
    /// A known text sealed with the master key; opening it proves the key is right.
    @Field(key: "key_check") var keyCheck: String
    @OptionalField(key: "setup_token_hash") var setupTokenHash: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    static let singletonID = 1
    static let keyCheckContext = FieldContext(table: "practice", row: "1", field: "key_check")
    static let keyCheckText = "vertrouwd master key check"
}

struct CreatePractice: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("practice")
            .field("id", .int, .identifier(auto: false))
            .field("name", .string, .required)
            .field("key_id", .string, .required)
            .field("key_check", .string, .required)
            .field("setup_token_hash", .string)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("practice").delete()
    }
}

/// Finds the master key and checks it against the database, or refuses to start.
enum MasterKeyStore {
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    /// Returns the master key for this database. A new key is only ever made for a database
    /// that holds no encrypted data yet.
    static func open(_ source: Settings.KeySource, db: any Database, logger: Logger) async throws -> MasterKey {
        let practice = try await Practice.find(Practice.singletonID, on: db)
        let key: MasterKey
        switch source {
        case .inline(let k):
            key = k
        case .file(let path):
            if FileManager.default.fileExists(atPath: path) {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                guard let k = MasterKey(fileContents: text) else {
                    throw Refusal(description: "The master key file \(path) is damaged (expected base64 of 32 bytes). Restore it from your backup; Vertrouwd will not start without it.")
                }
                key = k
            } else if practice != nil {
                throw Refusal(description: "The database holds encrypted data, but the master key file \(path) is missing. Restore it from your backup (or set VERTROUWD_MASTER_KEY_FILE). Vertrouwd will not make a new key over existing data.")
            } else {
                key = MasterKey.generate()
                try write(key, to: path)
                logger.notice("Created a new master key at \(path). Back it up: without it the data cannot be read.")
            }
        }
        if let practice {
            guard practice.keyID == key.id,
                  (try? key.open(practice.keyCheck, context: Practice.keyCheckContext)) == Practice.keyCheckText else {
                throw Refusal(description: "The master key (\(key.id)) does not match the database (which needs \(practice.keyID)). Vertrouwd will not start with the wrong key.")
            }
        } else {
            let p = Practice()
            p.id = Practice.singletonID
            p.name = ""
            p.keyID = key.id
            p.keyCheck = try key.seal(Practice.keyCheckText, context: Practice.keyCheckContext)
            p.createdAt = Date()
            do {
                try await p.create(on: db)
            } catch {
                // Another instance created it at the same moment: check against theirs.
                return try await open(.inline(key), db: db, logger: logger)
            }
        }
        return key
    }

    static func write(_ key: MasterKey, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        // O_EXCL with mode 0600: never readable by others, not even for a moment, and never
        // written over an existing key.
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw Refusal(description: "Could not create the master key file \(path).") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try handle.write(contentsOf: Data(key.fileContents.utf8))
        try handle.synchronize()
    }
}

extension Application {
    private struct SettingsKey: StorageKey { typealias Value = Settings }
    private struct MasterKeyKey: StorageKey { typealias Value = MasterKey }

    var settings: Settings {
        get { storage[SettingsKey.self]! }
        set { storage[SettingsKey.self] = newValue }
    }

    var masterKey: MasterKey {
        get { storage[MasterKeyKey.self]! }
        set { storage[MasterKeyKey.self] = newValue }
    }
}
