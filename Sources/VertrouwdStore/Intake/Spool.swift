#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation

/// A file being received, kept out of memory: sealed in pieces of `Spool.pieceBytes` with a key
/// that exists only in this object, into a file in `<data>/spool` that is removed the moment it
/// is opened. Only the open descriptor reaches it; when the request ends (or the process dies) the
/// space is freed, and nothing readable was ever on disk.
package final class Spool: @unchecked Sendable {  // used by one request at a time, in order
    /// A piece of a file: what is sealed at once here, and stored as one row later (`AttachmentChunk`).
    package static let pieceBytes = 256 * 1024

    private var descriptor: Int32
    private let key = SymmetricKey(size: .bits256)
    private var pending: [UInt8] = []
    /// Where each sealed piece is in the file, and how long it is.
    package private(set) var pieces: [(offset: Int, length: Int)] = []
    private var written = 0
    /// The bytes received, in the clear.
    package private(set) var size = 0

    package enum Problem: Error { case cannotWrite(Int32), unreadable }

    package init(folder: String) throws {
        let path = folder + "/" + UUID().uuidString
        var fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 && errno == ENOENT {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        }
        guard fd >= 0 else { throw Problem.cannotWrite(errno) }
        unlink(path)
        descriptor = fd
        pending.reserveCapacity(Self.pieceBytes)
    }

    deinit { close() }

    package func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
        pending = []
    }

    package func append(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            let take = min(Self.pieceBytes - pending.count, rest.count)
            pending.append(contentsOf: rest[0..<take])
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            size += take
            if pending.count == Self.pieceBytes { try seal() }
        }
    }

    /// Seals what is left: call once, after the last `append`.
    package func finish() throws {
        if !pending.isEmpty { try seal() }
    }

    private func seal() throws {
        let box = try AES.GCM.seal(pending, using: key, authenticating: Self.context(pieces.count)).combined!
        try box.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = pwrite(descriptor, raw.baseAddress! + done, raw.count - done, off_t(written + done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw Problem.cannotWrite(errno) }
                done += n
            }
        }
        pieces.append((written, box.count))
        written += box.count
        pending.removeAll(keepingCapacity: true)
    }

    /// The piece at `index`, in the clear.
    package func piece(_ index: Int) throws -> Data {
        let (offset, length) = pieces[index]
        var sealed = Data(count: length)
        let read = sealed.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, length, off_t(offset)) }
        guard read == length else { throw Problem.unreadable }
        return try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key, authenticating: Self.context(index))
    }

    private static func context(_ index: Int) -> Data { Data("vertrouwd/spool/\(index)".utf8) }
}
