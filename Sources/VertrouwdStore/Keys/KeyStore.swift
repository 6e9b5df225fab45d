#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
import NIOConcurrencyHelpers
import VertrouwdCore

/// The key file, loaded: the running app's one holder of the `Keyring`. Every change (carrying a
/// case key, forgetting an epoch) is made under an exclusive lock on `<key file>.lock`, to the
/// file as it is on disk then (another process — the CLI, another instance on a shared volume —
/// may have changed it), written in full, synced and renamed over the old one, and only then
/// used: a kill -9 leaves the old file or the new one, and no process writes back a stale copy.
/// A file changed by another process is read again before the next use.
package final class KeyStore: Sendable {
    /// Where the keyring lives; nil when it was given inline (tests), kept in memory only.
    package let path: String?
    private let ring: NIOLockedValueBox<(keyring: Keyring, stamp: FileStamp?)>

    /// What tells a changed file: its modification time and inode (a rename gives a new inode).
    package struct FileStamp: Equatable, Sendable {
        package let modified: Int
        package let inode: UInt64

        package init?(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            modified = info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec
            inode = UInt64(info.st_ino)
        }
    }

    package init(_ keyring: Keyring, path: String?) {
        self.path = path
        self.ring = NIOLockedValueBox((keyring, path.flatMap(FileStamp.init)))
    }

    /// The keyring as the file holds it now.
    package var keyring: Keyring {
        guard let path else { return ring.withLockedValue { $0.keyring } }
        let stamp = FileStamp(path)
        return ring.withLockedValue { current in
            if stamp != current.stamp, let stamp, let fresh = try? Self.read(path) { current = (fresh, stamp) }
            return current.keyring
        }
    }

    package var master: MasterKey { keyring.master }
    /// The audit chain's key (`Keyring.auditChainKey`).
    package var auditChainKey: SymmetricKey { keyring.auditChainKey }

    /// Changes the keyring: under the file lock, to the file as it is now; the file is replaced
    /// before the change is used.
    package func update(_ change: (inout Keyring) throws -> Void) throws {
        guard let path else {
            try ring.withLockedValue { current in try change(&current.keyring) }
            return
        }
        try Self.withFileLock(path) {
            var next = try Self.read(path)
            try change(&next)
            try Self.write(next, to: path)
            ring.withLockedValue { $0 = (next, FileStamp(path)) }
        }
    }

    /// Reads the file again (another instance or command changed it).
    package func reload() throws {
        guard let path else { return }
        let next = try Self.read(path)
        ring.withLockedValue { $0 = (next, FileStamp(path)) }
    }

    /// Runs `body` holding an exclusive lock on `<path>.lock` (other processes wait for it).
    package static func withFileLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let fd = Glibc.open(path + ".lock", O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw Refusal(description: "Could not open the key file's lock \(path).lock.") }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw Refusal(description: "Could not lock the key file \(path).") }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// Held (shared) by `serve` while it runs; `key rotate` needs it alone (`serving`).
    package static func holdWhileServing(_ path: String) -> Int32? {
        let fd = Glibc.open(path + ".serving", O_RDWR | O_CREAT, 0o600)
        guard fd >= 0, flock(fd, LOCK_SH | LOCK_NB) == 0 else { return nil }
        return fd
    }

    /// Whether a server on this machine holds the key file (`holdWhileServing`).
    package static func isServed(_ path: String) -> Bool {
        let fd = Glibc.open(path + ".serving", O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { flock(fd, LOCK_UN); return false }
        return true
    }

    /// Removes what a killed writer left beside the key file (`master.key.new.<pid>`): a full
    /// copy of a keyring must not outlive its use.
    package static func removeLeftovers(_ path: String) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let base = url.lastPathComponent
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where name.hasPrefix(base + ".") && name.contains(".new.") {
            unlink(folder + "/" + name)
        }
    }

    /// Makes a case key for a new case, wrapped by the epoch its retention can end in first.
    package func newCaseKey(for caseID: UUID, epoch: KeyEpoch) throws -> (key: CaseKey, keyID: String, wrapped: Data) {
        let key = CaseKey.generate()
        let (id, wrapped) = try keyring.wrap(key, caseID: caseID.uuidString, epoch: epoch)
        return (key, id, wrapped)
    }

    /// The case key of a stored case; `Keyring.KeyError.destroyed` once it has been destroyed.
    package func caseKey(of record: Case) throws -> CaseKey {
        guard let wrapped = record.wrappedKey else { throw Keyring.KeyError.destroyed }
        return try keyring.unwrap(keyID: record.keyID, wrapped: wrapped, caseID: try record.requireID().uuidString)
    }

    package struct Refusal: Error, CustomStringConvertible {
        package let description: String
    }

    package static func read(_ path: String) throws -> Keyring {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let ring = Keyring(fileContents: text) else {
            throw Refusal(
                description:
                    """
                        The key file \(path) is damaged. Restore it from your key backup; Vertrouwd will not start \
                        without it.
                        """
            )
        }
        return ring
    }

    /// Writes the whole file beside the old one (mode 0600, synced), renames it over the old one
    /// and syncs the folder: a crash at any moment leaves one complete file.
    package static func write(_ ring: Keyring, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let temporary = path + ".new.\(getpid())"
        unlink(temporary)
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw Refusal(description: "Could not write the key file \(temporary).") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try handle.write(contentsOf: Data(ring.fileContents.utf8))
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, path) == 0 else {
            throw Refusal(description: "Could not replace the key file \(path).")
        }
        let dir = Glibc.open(folder, O_RDONLY)
        if dir >= 0 { fsync(dir); close(dir) }
    }
}
