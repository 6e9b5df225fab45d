#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOConcurrencyHelpers
import Vapor
import VertrouwdCore

/// The key file, loaded: the running app's one holder of the `Keyring`. Every change (carrying a
/// case key, forgetting an epoch) is written to the file first — in full, synced, then renamed
/// over the old one — and only then used, so a kill -9 leaves the old file or the new one.
final class KeyStore: Sendable {
    /// Where the keyring lives; nil when it was given inline (tests), kept in memory only.
    let path: String?
    private let ring: NIOLockedValueBox<Keyring>

    init(_ keyring: Keyring, path: String?) {
        self.path = path
        self.ring = NIOLockedValueBox(keyring)
    }

    var keyring: Keyring { ring.withLockedValue { $0 } }
    var master: MasterKey { keyring.master }

    /// Changes the keyring: the file is replaced before the change is used.
    func update(_ change: (inout Keyring) throws -> Void) throws {
        try ring.withLockedValue { current in
            var next = current
            try change(&next)
            if let path { try Self.write(next, to: path) }
            current = next
        }
    }

    /// Reads the file again (another instance or command changed it).
    func reload() throws {
        guard let path else { return }
        let next = try Self.read(path)
        ring.withLockedValue { $0 = next }
    }

    /// Makes a case key for a new case, wrapped by the epoch its retention can end in first.
    func newCaseKey(for caseID: UUID, epoch: KeyEpoch) throws -> (key: CaseKey, keyID: String, wrapped: Data) {
        let key = CaseKey.generate()
        let (id, wrapped) = try keyring.wrap(key, caseID: caseID.uuidString, epoch: epoch)
        return (key, id, wrapped)
    }

    /// The case key of a stored case; `Keyring.KeyError.destroyed` once it has been destroyed.
    func caseKey(of record: Case) throws -> CaseKey {
        guard let wrapped = record.wrappedKey else { throw Keyring.KeyError.destroyed }
        return try keyring.unwrap(keyID: record.keyID, wrapped: wrapped, caseID: record.id!.uuidString)
    }

    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    static func read(_ path: String) throws -> Keyring {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let ring = Keyring(fileContents: text) else {
            throw Refusal(description: "The key file \(path) is damaged. Restore it from your key backup; Vertrouwd will not start without it.")
        }
        return ring
    }

    /// Writes the whole file beside the old one (mode 0600, synced), renames it over the old one
    /// and syncs the folder: a crash at any moment leaves one complete file.
    static func write(_ ring: Keyring, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let temporary = path + ".new.\(getpid())"
        unlink(temporary)
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw Refusal(description: "Could not write the key file \(temporary).") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try handle.write(contentsOf: Data(ring.fileContents.utf8))
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, path) == 0 else { throw Refusal(description: "Could not replace the key file \(path).") }
        let dir = Glibc.open(folder, O_RDONLY)
        if dir >= 0 { fsync(dir); close(dir) }
    }
}

extension Application {
    private struct KeysKey: StorageKey { typealias Value = KeyStore }

    /// The keyring: set by `configure` once the key file matches the database.
    var keys: KeyStore {
        get { storage[KeysKey.self]! }
        set { storage[KeysKey.self] = newValue }
    }

    /// The master key (TOTP secrets, the key check, the audit anchor's MAC).
    var masterKey: MasterKey { keys.master }
}
