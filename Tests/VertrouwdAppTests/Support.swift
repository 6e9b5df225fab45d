import Fluent
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

/// Builds the app exactly as `serve` does, on a private database — a temporary SQLite file, or a fresh
/// PostgreSQL database when `DATABASE_URL` is set — runs the test, and tears everything down.
/// Every test has its own database, so suites run in parallel on both.
func withVertrouwd(_ adjust: (inout Settings) -> Void = { _ in }, _ test: (Application) async throws -> Void) async throws {
    var settings = Settings.testing()
    adjust(&settings)
    var cleanup: (@Sendable () async throws -> Void)?
    switch settings.database {
    case .postgres(let url):
        // Every test runs at once: without a bound, their connection pools together pass the
        // server's max_connections and tests fail with "too many clients".
        await PostgresTestDatabase.slots.enter()
        let release = { @Sendable in PostgresTestDatabase.slots.leave() }
        let (privateURL, drop): (String, @Sendable () async throws -> Void)
        do {
            (privateURL, drop) = try await PostgresTestDatabase.create(from: url)
        } catch {
            release()
            throw error
        }
        settings.database = .postgres(privateURL)
        cleanup = { defer { release() }; try await drop() }
    case .sqliteFile(let path) where path.contains("vertrouwd-test-"):
        cleanup = { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    case .sqliteFile:
        break
    }
    let app: Application
    do {
        app = try await Application.make(.testing)
    } catch {
        try? await cleanup?()
        throw error
    }
    do {
        try await configure(app, settings: settings)
        try await test(app)
    } catch {
        // A failed test may leave requests in flight (a stalled client's error page): let them
        // finish before the app is taken down under them, or the crash hides the failure.
        try? await Task.sleep(for: .seconds(2))
        await app.stopSocketServer()
        try? await app.asyncShutdown()
        try? await cleanup?()
        throw error
    }
    await app.stopSocketServer()
    do {
        try await app.asyncShutdown()
    } catch {
        try? await cleanup?()
        throw error
    }
    try await cleanup?()
}

extension Settings {
    /// Settings for a test: a temporary SQLite file (or `DATABASE_URL` when a PostgreSQL pass
    /// runs), a fresh master key, and cheap password and receipt-code hashing.
    static func testing(environment: [String: String] = ProcessInfo.processInfo.environment) -> Settings {
        // A file, not memory: SQLite's shared in-memory cache locks whole tables between
        // connections, which a file in WAL mode (as in production) does not.
        let database: Database = environment["DATABASE_URL"].map { .postgres($0) }
            ?? .sqliteFile(NSTemporaryDirectory() + "vertrouwd-test-\(UUID().uuidString).sqlite")
        var settings = Settings(dataDirectory: NSTemporaryDirectory(), database: database,
                                key: .inline(.generate()), secureCookies: false, publicURL: nil)
        settings.passwordCost = 4
        // Many apps run at once against one PostgreSQL server: two connections per loop each
        // keep the suite under its 400 connections.
        settings.databaseConnectionsPerLoop = 2
        // Every in-process request comes from the same (unknown) sender: suites that send many
        // reports are not floods. The flood tests set their own share.
        settings.submissionsPerSource = 10_000
        settings.receiptKDF = ReceiptHash.Parameters(rounds: 1 << 10, blockSize: 8, parallelism: 1)
        return settings
    }
}

private struct SocketPortKey: StorageKey { typealias Value = Int }

extension Application {
    /// An attachment's bytes in the clear, read as the counsellor's download reads them.
    func attachmentBytes(_ attachment: VertrouwdStore.Attachment, of record: Case) async throws -> Data {
        var data = Data()
        try await Attachments.pieces(of: attachment, key: try keys.caseKey(of: record), on: db) { data += $0 }
        return data
    }
}

extension Application {
    /// Starts the app's real HTTP server on a free loopback port (once per app) and returns the
    /// port. Requests sent there arrive as a browser's do: streamed, in several reads.
    func socketPort() async throws -> Int {
        if let port = storage[SocketPortKey.self] { return port }
        // The test client must show redirects and cookies as they are, not follow them.
        http.client.configuration.redirectConfiguration = .disallow
        // Waiting for a free connection counts as connecting: concurrency tests queue many.
        http.client.configuration.timeout = .init(connect: .seconds(60), read: .seconds(120))
        http.client.configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        try await server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(http.server.shared.localAddress?.port)
        storage[SocketPortKey.self] = port
        return port
    }

    func stopSocketServer() async {
        guard storage[SocketPortKey.self] != nil else { return }
        await server.shutdown()
        storage[SocketPortKey.self] = nil
    }
}

/// What a test browser got back, over either transport.
struct HTTPAnswer: Sendable {
    var status: HTTPStatus
    var headers: HTTPHeaders
    var body: ByteBuffer
}

enum PostgresTestDatabase {
    /// At most this many test apps hold PostgreSQL connections at once (each up to 4, and one to
    /// make its database): 24 × 5 stays well under the 400 the CI server allows, and the tests
    /// that time a queue are not starved of the two cores.
    static let slots = TestSlots(24)

    static func create(from url: String) async throws -> (String, @Sendable () async throws -> Void) {
        let name = "vt_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await admin(url, "CREATE DATABASE \(name)")
        var components = URLComponents(string: url)!
        components.path = "/\(name)"
        return (components.string!, { try await admin(url, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") })
    }

    static func admin(_ url: String, _ statement: String) async throws {
        let app = try await Application.make(.testing)
        do {
            app.databases.use(try .postgres(url: url), as: .psql)
            try await (app.db as! any SQLDatabase).raw(SQLQueryString(stringLiteral: statement)).run()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

/// A browser for tests: keeps cookies, sends forms with the page's CSRF token. In process by
/// default (fast); `.socket` sends every request over a real TCP connection to the running
/// server, as a browser does, so streamed bodies meet the middleware as they do in production.
final class Browser: @unchecked Sendable { // used by one test task at a time
    /// `from`: a socket bound to this loopback address (127.0.0.2, 127.0.0.3 …), so the server
    /// sees distinct senders, as it would distinct people.
    enum Transport { case inProcess, socket, from(String) }

    let app: Application
    let transport: Transport
    var cookies: [String: String] = [:]

    init(_ app: Application, over transport: Transport = .inProcess) {
        self.app = app
        self.transport = transport
    }

    @discardableResult
    func get(_ path: String) async throws -> HTTPAnswer {
        try await send(.GET, path, body: nil)
    }

    /// Posts a form; `_csrf` is added from the cookie jar unless `csrf` is false. It goes first,
    /// as the forms draw it.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf: Bool = true, headers: HTTPHeaders = [:]) async throws -> HTTPAnswer {
        let all = (csrf ? [("_csrf", try await csrfToken())] : []) + fields
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.POST, path, body: ByteBuffer(string: body), headers: headers)
    }

    /// Posts a multipart form with files, as a browser does for a form with a file input.
    @discardableResult
    func postMultipart(_ path: String, _ fields: [(String, String)], files: [(field: String, filename: String, data: Data)],
                       csrf: String? = nil) async throws -> HTTPAnswer {
        let boundary = "----vertrouwd\(UUID().uuidString)"
        var body = Data()
        func line(_ s: String) { body.append(Data((s + "\r\n").utf8)) }
        let token: String
        if let csrf { token = csrf } else { token = try await csrfToken() }
        for (name, value) in [("_csrf", token)] + fields {
            line("--\(boundary)"); line("Content-Disposition: form-data; name=\"\(name)\""); line(""); line(value)
        }
        for file in files {
            line("--\(boundary)")
            line("Content-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.filename)\"")
            line("Content-Type: application/octet-stream"); line("")
            body.append(file.data); line("")
        }
        line("--\(boundary)--")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await send(.POST, path, body: ByteBuffer(data: body), headers: headers)
    }

    @discardableResult
    func postRaw(_ path: String, body: ByteBuffer) async throws -> HTTPAnswer {
        try await send(.POST, path, body: body)
    }

    /// The token the next form would carry: the session's, read from a page, or the visitor cookie.
    func csrfToken() async throws -> String {
        if cookies["vt_session"] != nil {
            let page = try await get("/").body.string
            return try #require(Self.hiddenCSRF(in: page))
        }
        if cookies["vt_csrf"] == nil { try await get("/login") }
        return cookies["vt_csrf"] ?? ""
    }

    static func hiddenCSRF(in html: String) -> String? {
        guard let range = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Percent-encodes as a browser does: everything but ASCII letters, digits and `-._~`.
    static func encode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? s
    }

    func send(_ method: HTTPMethod, _ path: String, body: ByteBuffer?, headers extra: HTTPHeaders = [:]) async throws -> HTTPAnswer {
        var headers = extra
        if !cookies.isEmpty { headers.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        if body != nil && headers.contentType == nil { headers.contentType = .urlEncodedForm }
        let response: HTTPAnswer
        switch transport {
        case .inProcess:
            let request = TestingHTTPRequest(method: method, url: URI(string: path), headers: headers,
                                             body: body ?? ByteBufferAllocator().buffer(capacity: 0))
            let answer = try await app.testing().performTest(request: request)
            response = HTTPAnswer(status: answer.status, headers: answer.headers, body: answer.body)
        case .from(let source):
            let port = try await app.socketPort()
            var head = "\(method.rawValue) \(path) HTTP/1.1\r\n" + (headers[.host].isEmpty ? "Host: 127.0.0.1:\(port)\r\n" : "") + "Connection: close\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "Content-Length: \(body?.readableBytes ?? 0)\r\n\r\n"
            var bytes = Data(head.utf8)
            if let body { bytes.append(contentsOf: body.readableBytesView) }
            response = try await RawHTTP.exchange(port: port, from: source, sending: bytes)
        case .socket:
            let port = try await app.socketPort()
            let answer = try await app.client.send(method, headers: headers, to: URI(string: "http://127.0.0.1:\(port)\(path)")) {
                if let body { $0.body = body }
            }
            response = HTTPAnswer(status: answer.status, headers: answer.headers, body: answer.body ?? ByteBuffer())
        }
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";").first.map(String.init) ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if header.lowercased().contains("expires=thu, 01 jan 1970") || header.contains("Max-Age=0") || parts[1].isEmpty {
                cookies[parts[0]] = nil
            } else {
                cookies[parts[0]] = parts[1]
            }
        }
        return response
    }
}

/// A staff account made for a test, with what is needed to log in.
struct TestAccount {
    let user: User
    let password: String
    let secret: Data

    var id: UUID { user.id! }

    /// A valid TOTP code for a time step after any used so far.
    func code(at date: Date = Date()) -> String { SecondFactor.code(secret: secret, at: date) }
}

extension Application {
    func makeAccount(_ email: String, name: String = "Test Persoon", admin: Bool = false, counsellor: Bool = true) async throws -> TestAccount {
        let password = "lange zin als wachtwoord"
        let user = User(email: email, name: name, isAdmin: admin, isCounsellor: counsellor,
                        passwordHash: try await self.password.async.hash(password))
        let secret = try SecondFactor.enrol(user, masterKey: masterKey)
        try await user.create(on: db)
        return TestAccount(user: user, password: password, secret: secret)
    }

    func makeOrganisation(_ slug: String, employees: Int = 120, departments: [String] = ["Zorg", "Staf"],
                          counsellors: [TestAccount] = [], whistleblowerChannel: Bool = true) async throws -> Organisation {
        let org = Organisation()
        org.name = "Organisatie \(slug)"; org.slug = slug; org.sector = Sector.care.rawValue; org.employees = employees
        org.departments = departments.joined(separator: "\n"); org.phone = ""; org.whatsapp = ""; org.email = ""; org.availability = ""
        org.whistleblowerChannel = whistleblowerChannel; org.complaintsCommittee = ""
        try await org.create(on: db)
        for c in counsellors { try await org.$counsellors.attach(c.user, on: db) }
        return org
    }

    /// Opens a case directly (as intake would) for a counsellor.
    func makeCase(for counsellor: TestAccount, at org: Organisation, kind: CaseKind = .personalIntegrity,
                  regime: Regime = .confidential, summary: String = "Verhaal", openedOn: Day = Day(Date()),
                  categories: [CaseCategory] = [.bullying]) async throws -> Case {
        let intake = CaseIntake(organisationID: org.id!, counsellorID: counsellor.id, kind: kind, categories: categories,
                                reporterRole: .affectedEmployee, channel: .phone, openedOn: openedOn, department: "",
                                relation: .colleague, regime: regime, summary: summary, reporterName: "Jan Melder",
                                reporterContact: "06-11111111", accused: "Piet")
        return try await CaseWriter(store: self.store, actor: "cli", userID: counsellor.id).create(intake).record
    }
}

extension Application {
    /// The most common start of a case test: counsellor Anna serves one organisation, has one
    /// case there, and is logged in.
    func counsellorWithCase(kind: CaseKind = .personalIntegrity, regime: Regime = .confidential,
                            summary: String = "Verhaal", openedOn: Day = Day(Date()),
                            over transport: Browser.Transport = .inProcess) async throws -> (Case, Browser) {
        let anna = try await makeAccount("anna@praktijk.nl")
        let org = try await makeOrganisation("het-baken", counsellors: [anna])
        let c = try await makeCase(for: anna, at: org, kind: kind, regime: regime, summary: summary, openedOn: openedOn)
        let browser = Browser(self, over: transport)
        try await browser.login(anna)
        return (c, browser)
    }
}

extension Browser {
    /// Logs in with password and a fresh TOTP code; returns the response of the login POST.
    @discardableResult
    func login(_ account: TestAccount, password: String? = nil, code: String? = nil) async throws -> HTTPAnswer {
        try await post("/login", [("email", account.user.email), ("password", password ?? account.password), ("code", code ?? account.code())])
    }
}

/// A page with its long texts unfolded (`#fold` shows a start and the rest behind a button), to
/// find a whole text in it.
func unfolded(_ html: String) -> String {
    html.replacingOccurrences(of: #"<details class="more"><summary>[^<]*</summary>"#, with: "", options: .regularExpression)
        .replacingOccurrences(of: "</details>", with: "")
}

/// Counts rows of a model, to prove a refused form changed nothing.
func count<M: Model>(_ type: M.Type, _ app: Application) async throws -> Int {
    try await M.query(on: app.db).count()
}

/// The receipt code a receipt page shows, grouped in fours.
func receiptCode(in html: String) throws -> String {
    String(try #require(html.firstMatch(of: /class="code" translate="no">([0-9 ]+)</)).1)
}

/// HTTP/1.1 over a plain socket bound to a chosen loopback address: what AsyncHTTPClient cannot
/// do. Blocking calls, on a thread of their own; one request per connection.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// A connected socket from `source` to the server's port.
    static func connect(port: Int, from source: String) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket") }
        func address(_ host: String, _ port: Int) -> sockaddr_in {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &a.sin_addr)
            return a
        }
        var local = address(source, 0), remote = address("127.0.0.1", port)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, connected == 0 else { close(fd); throw Failure(description: "cannot connect from \(source)") }
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Writes all of `data`; false when the server closed the connection.
    @discardableResult
    static func write(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                sent += n
            }
            return true
        }
    }

    /// Everything the server sends until it closes the connection (or the read times out).
    static func readAll(_ fd: Int32) -> Data {
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            answer.append(contentsOf: buffer[0..<n])
        }
        return answer
    }

    static func exchange(port: Int, from source: String, sending bytes: Data) async throws -> HTTPAnswer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let fd = try connect(port: port, from: source)
                    defer { close(fd) }
                    write(fd, bytes)
                    continuation.resume(returning: try parse(readAll(fd)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    static func parse(_ data: Data) throws -> HTTPAnswer {
        guard let split = data.range(of: Data("\r\n\r\n".utf8)) else { throw Failure(description: "no answer") }
        let lines = String(decoding: data[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, let code = UInt(parts[1]) else { throw Failure(description: "no status line") }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Data(data[split.upperBound...])
        if headers.first(name: .transferEncoding)?.lowercased() == "chunked" {
            var decoded = Data(), rest = body[...]
            while let end = rest.range(of: Data("\r\n".utf8)),
                  let size = Int(String(decoding: rest[..<end.lowerBound], as: UTF8.self), radix: 16), size > 0 {
                let start = end.upperBound
                decoded.append(rest[start..<min(rest.endIndex, start + size)])
                rest = rest[min(rest.endIndex, start + size + 2)...]
            }
            body = decoded
        }
        return HTTPAnswer(status: HTTPResponseStatus(statusCode: Int(code)), headers: headers, body: ByteBuffer(data: body))
    }
}

/// A counting semaphore for tests: `enter` waits for a free slot, `leave` gives one back.
final class TestSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { free = count }

    func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if free > 0 {
                free -= 1
                lock.unlock()
                continuation.resume()
            } else {
                waiting.append(continuation)
                lock.unlock()
            }
        }
    }

    func leave() {
        lock.lock()
        if waiting.isEmpty {
            free += 1
            lock.unlock()
        } else {
            let next = waiting.removeFirst()
            lock.unlock()
            next.resume()
        }
    }
}
