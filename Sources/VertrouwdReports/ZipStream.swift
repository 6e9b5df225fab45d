import Foundation
import ZIPFoundation

/// A ZIP written front to back while it is sent, so a reporter's file with three 10 MB
/// attachments is never held whole: each entry is a local header followed by its bytes as they
/// are, stored without compression (the photos, PDFs and Office files it holds are compressed
/// already), and the directory comes last. The size and CRC of each entry are known before its
/// bytes are sent (the caller reads them once to count), so the headers need no trailing data
/// descriptor and every unzip tool reads the file.
public struct ZipStream: Sendable {
    private struct Entry: Sendable {
        let name: Data
        let size: UInt32
        let crc: UInt32
        let offset: UInt32
    }

    private var entries: [Entry] = []
    private var offset = 0
    private let time: UInt16
    private let date: UInt16

    /// At most what a ZIP without its 64-bit extension holds.
    public static let maximumBytes = Int(UInt32.max) - 1

    public enum Problem: Error { case tooLarge }

    public init(modified: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Amsterdam") ?? .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: modified)
        time = UInt16((c.hour ?? 0) << 11 | (c.minute ?? 0) << 5 | (c.second ?? 0) / 2)
        date = UInt16(max(0, (c.year ?? 1980) - 1980) << 9 | (c.month ?? 1) << 5 | (c.day ?? 1))
    }

    /// The CRC-32 of some bytes, continued from `crc` (0 to start).
    public static func crc(_ data: Data, continuing crc: UInt32 = 0) -> UInt32 {
        data.crc32(checksum: crc)
    }

    /// The local header of the next entry; its `size` bytes follow it.
    public mutating func header(path: String, size: Int, crc: UInt32) throws -> Data {
        let name = Data(path.utf8)
        guard offset + 30 + name.count + size < Self.maximumBytes, entries.count < 65_000 else {
            throw Problem.tooLarge
        }
        let entry = Entry(name: name, size: UInt32(size), crc: crc, offset: UInt32(offset))
        entries.append(entry)
        var out = Data()
        out.le32(0x0403_4B50)
        out.le16(10)  // version needed: stored
        out.le16(0x0800)  // names in UTF-8
        out.le16(0)  // stored
        out.le16(time); out.le16(date)
        out.le32(crc); out.le32(entry.size); out.le32(entry.size)
        out.le16(UInt16(name.count)); out.le16(0)
        out.append(name)
        offset += out.count + size
        return out
    }

    /// The central directory and its end record: the last bytes of the file.
    public func end() -> Data {
        var directory = Data()
        for entry in entries {
            directory.le32(0x0201_4B50)
            directory.le16(20); directory.le16(10)  // made by, needed
            directory.le16(0x0800); directory.le16(0)
            directory.le16(time); directory.le16(date)
            directory.le32(entry.crc); directory.le32(entry.size); directory.le32(entry.size)
            directory.le16(UInt16(entry.name.count)); directory.le16(0); directory.le16(0)  // name, extra, comment
            directory.le16(0); directory.le16(0); directory.le32(0)  // disk, internal and external attributes
            directory.le32(entry.offset)
            directory.append(entry.name)
        }
        var out = directory
        out.le32(0x0605_4B50)
        out.le16(0); out.le16(0)
        out.le16(UInt16(entries.count)); out.le16(UInt16(entries.count))
        out.le32(UInt32(directory.count)); out.le32(UInt32(offset))
        out.le16(0)
        return out
    }
}

private extension Data {
    mutating func le16(_ value: UInt16) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
    mutating func le32(_ value: UInt32) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
}
