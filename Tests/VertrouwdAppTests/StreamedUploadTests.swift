import Fluent
import Foundation
import Testing
import Vapor
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

/// Attachments are received, stored, sent and zipped a piece at a time (`Spool`,
/// `AttachmentChunk`, `ZipStream`): never whole in memory, never in the clear on disk, and a
/// piece moved by someone who can write the database does not pass for the file.
@Suite("Attachments in pieces")
struct StreamedUploadTests {
    /// A PDF of about `bytes` that says `marker` over and over.
    static func pdf(marker: String, bytes: Int) -> Data {
        Data("%PDF-1.4\n".utf8) + Data(String(repeating: marker + "\n", count: bytes / (marker.utf8.count + 1)).utf8)
    }

    /// A report with one attachment, sent over a socket; the case, its attachment and the reporter.
    static func report(_ app: Application, _ file: Data, from source: String = "127.0.0.2") async throws -> (Case, VertrouwdStore.Attachment, Browser) {
        let reporter = Browser(app, over: .from(source))
        let receipt = try await reporter.postMultipart("/o/de-linde/melden", [("story", "Zie de bijlage.")], files: [("files[]", "bewijs.pdf", file)])
        #expect(receipt.status == .ok)
        #expect(try await reporter.post("/postbus", [("code", try receiptCode(in: receipt.body.string))]).status == .seeOther)
        let attachment = try #require(try await VertrouwdStore.Attachment.query(on: app.db).sort(\.$createdAt, .descending).first())
        let record = try #require(try await Case.find(attachment.$case.id, on: app.db))
        return (record, attachment, reporter)
    }

    @Test func fourNineMegabyteUploadsAtOnceAreStoredInPiecesAndComeBackByteForByte() async throws {
        try await withVertrouwd { app in
            // setup
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("de-linde", counsellors: [anna])
            let files = (0..<4).map { Self.pdf(marker: "verslag \($0) van de afdeling", bytes: 9 * 1024 * 1024) }
            _ = try await app.socketPort()  // started once, before four senders race to start it

            // MUT: four reporters at once, each from their own address
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for (i, file) in files.enumerated() {
                    group.addTask {
                        try await Browser(app, over: .from("127.0.0.\(2 + i)"))
                            .postMultipart("/o/de-linde/melden", [("story", "Melding \(i), zie de bijlage.")], files: [("files[]", "verslag.pdf", file)]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            // validate: every file whole, in 256 KB pieces, each sealed on its own
            #expect(statuses == [.ok, .ok, .ok, .ok])
            let pieces = (9 * 1024 * 1024 + Spool.pieceBytes - 1) / Spool.pieceBytes
            let counsellor = Browser(app, over: .from("127.0.0.9"))
            try await counsellor.login(anna)
            for attachment in try await VertrouwdStore.Attachment.query(on: app.db).all() {
                #expect(attachment.chunks == pieces && attachment.dataSealed.isEmpty)
                #expect(try await AttachmentChunk.query(on: app.db).filter(\.$attachment.$id == attachment.id!).count() == pieces)
                let download = try await counsellor.get("/cases/\(attachment.$case.id)/attachments/\(attachment.id!)")
                #expect(download.status == .ok && download.headers.first(name: .contentLength) == String(download.body.readableBytes))
                #expect(files.contains(Data(buffer: download.body)), "the file as sent")
            }
            #expect(try await count(VertrouwdStore.Attachment.self, app) == 4)
        }
    }

    /// Someone who can write the database but holds no key swaps, drops or borrows a piece: the
    /// counsellor does not get a file that passes for the reporter's, the reporter's ZIP is refused.
    @Test func aPieceSwappedDroppedOrBorrowedInTheDatabaseIsNoFile() async throws {
        try await withVertrouwd { app in
            // setup: a report of three pieces, and a message in the same case with a file of its own
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("de-linde", counsellors: [anna])
            let file = Self.pdf(marker: "het verslag van maandag", bytes: 600_000)
            let (record, attachment, reporter) = try await Self.report(app, file)
            let sent = try await reporter.postMultipart("/postbus/messages", [("body", "Nog een verslag.")],
                                                        files: [("files[]", "tweede.pdf", Self.pdf(marker: "een ander verslag", bytes: 600_000))])
            #expect(sent.status == .ok)
            let other = try #require(try await VertrouwdStore.Attachment.query(on: app.db).filter(\.$messageID != nil).first())
            #expect(other.$case.id == record.id!, "the same case, so the same key")
            let counsellor = Browser(app, over: .from("127.0.0.9"))
            try await counsellor.login(anna)
            let path = "/cases/\(record.id!)/attachments/\(attachment.id!)"
            #expect(Data(buffer: try await counsellor.get(path).body) == file)
            func chunk(_ of: VertrouwdStore.Attachment, _ position: Int) async throws -> AttachmentChunk {
                try #require(try await AttachmentChunk.query(on: app.db).filter(\.$attachment.$id == of.id!).filter(\.$position == position).first())
            }
            func refused() async throws {
                // The connection is dropped where the forged piece begins: before the answer's
                // head (no answer at all) or after it (a file that stops short).
                let download = try? await counsellor.get(path)
                #expect(download.map { $0.status != .ok || Data(buffer: $0.body) != file } ?? true, "the download stops short")
                let zip = try await reporter.get("/postbus/file")
                #expect(zip.status == .internalServerError && zip.headers.contentType != .zip, "no ZIP with a forged piece")
            }
            let (first, second) = (try await chunk(attachment, 0), try await chunk(attachment, 1))
            let (firstData, secondData) = (first.dataSealed, second.dataSealed)

            // MUT 1: two pieces swapped
            first.dataSealed = secondData; second.dataSealed = firstData
            try await first.save(on: app.db); try await second.save(on: app.db)
            try await refused()
            first.dataSealed = firstData; second.dataSealed = secondData
            try await first.save(on: app.db); try await second.save(on: app.db)
            #expect(Data(buffer: try await counsellor.get(path).body) == file, "put back, the file reads again")

            // MUT 2: a piece of another file of the same case (same key) put in its place
            second.dataSealed = try await chunk(other, 1).dataSealed
            try await second.save(on: app.db)
            try await refused()
            second.dataSealed = secondData
            try await second.save(on: app.db)

            // MUT 3: the size changed (it is the download's length and the ZIP entry's)
            attachment.size += 1
            try await attachment.save(on: app.db)
            try await refused()
            attachment.size -= 1
            try await attachment.save(on: app.db)
            #expect(Data(buffer: try await counsellor.get(path).body) == file)

            // MUT 4: the last piece dropped and the count lowered to match
            try await chunk(attachment, 2).delete(on: app.db)
            attachment.chunks = 2
            attachment.size = 2 * Spool.pieceBytes
            try await attachment.save(on: app.db)
            try await refused()
        }
    }

    /// What a stolen disk shows of a file being received, and of one received: nothing readable.
    @Test func aFileBeingReceivedHasNoNameOnDiskAndIsSealedWhileItArrives() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-spool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withVertrouwd({ $0.dataDirectory = folder }) { app in
            // setup
            let anna = try await app.makeAccount("anna@praktijk.nl")
            _ = try await app.makeOrganisation("de-linde", counsellors: [anna])
            let marker = "GEHEIM-MERKTEKEN-7731"
            let file = Self.pdf(marker: marker, bytes: 900_000)
            let visitor = Browser(app, over: .from("127.0.0.2"))
            let token = try await visitor.csrfToken()
            let boundary = "----vertrouwd-spool"
            let body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(token)\r\n--\(boundary)\r\n".utf8)
                + Data("Content-Disposition: form-data; name=\"story\"\r\n\r\nZie de bijlage.\r\n--\(boundary)\r\n".utf8)
                + Data("Content-Disposition: form-data; name=\"files[]\"; filename=\"bewijs.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".utf8)
                + file + Data("\r\n--\(boundary)--\r\n".utf8)
            let head = "POST /o/de-linde/melden HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: vt_csrf=\(token)\r\n"
                + "Content-Type: multipart/form-data; boundary=\(boundary)\r\nContent-Length: \(body.count)\r\n\r\n"
            let port = try await app.socketPort()
            let fd = try RawHTTP.connect(port: port, from: "127.0.0.2")
            defer { close(fd) }

            // MUT: two thirds of the file, then a pause
            RawHTTP.write(fd, Data(head.utf8) + body.prefix(600_000))
            // Wait until two pieces are sealed (as the server reads them, in its own time).
            var spools: [String] = []
            for _ in 0..<200 {
                spools = Self.openSpools(in: folder + "/spool")
                let size = spools.first.map { (try? Data(contentsOf: URL(fileURLWithPath: $0)).count) ?? 0 } ?? 0
                if size >= Spool.pieceBytes { break }
                try await Task.sleep(for: .milliseconds(50))
            }

            // validate: the spool has no name in its folder, and its bytes (read through the open
            // descriptor, as root could) hold nothing of the file
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/spool").isEmpty)
            #expect(spools.count == 1)
            let spooled = try Data(contentsOf: URL(fileURLWithPath: try #require(spools.first)))
            #expect(spooled.count >= Spool.pieceBytes, "two pieces are sealed by now")
            #expect(spooled.range(of: Data(marker.utf8)) == nil && spooled.range(of: Data("%PDF".utf8)) == nil)

            // MUT: the rest; validate: stored, the spool gone, the marker nowhere on disk
            RawHTTP.write(fd, body.dropFirst(600_000))
            let answer = try RawHTTP.parse(RawHTTP.readAll(fd))
            #expect(answer.status == .ok)
            #expect(Self.openSpools(in: folder + "/spool").isEmpty, "the spool is closed with the request")
            #expect(try await app.attachmentBytes(try #require(try await VertrouwdStore.Attachment.query(on: app.db).first()),
                                                  of: try #require(try await Case.query(on: app.db).first())) == file)
            if case .sqliteFile(let path) = app.settings.database {
                for suffix in ["", "-wal"] {
                    let stored = (try? Data(contentsOf: URL(fileURLWithPath: path + suffix))) ?? Data()
                    #expect(stored.range(of: Data(marker.utf8)) == nil, "the database holds the file sealed")
                }
            }
        }
    }

    /// This process's open files that were in `folder` and have no name any more.
    static func openSpools(in folder: String) -> [String] {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.compactMap { fd in
            let link = "/proc/self/fd/\(fd)"
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link),
                  target.hasPrefix(folder + "/"), target.hasSuffix(" (deleted)") else { return nil }
            return link
        }
    }
}
