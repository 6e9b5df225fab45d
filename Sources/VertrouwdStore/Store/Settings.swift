#if canImport(Glibc)
import Glibc
#endif
import Foundation
import VertrouwdCore

/// Every setting of the application, read once from the environment by `Settings.fromEnvironment`.
/// Nothing else in the app reads environment variables.
public struct Settings: Sendable {
    public enum Database: Sendable {
        /// The embedded default: a file in the data folder (zero set-up).
        case sqliteFile(String)
        /// `DATABASE_URL=postgres://…`: shared by several app instances.
        case postgres(String)
    }

    public enum KeySource: Sendable {
        /// The key file in the data folder; created on first start of an empty database.
        case file(String)
        /// Given directly (tests).
        case inline(MasterKey)
    }

    public var dataDirectory: String
    /// Where files being received are kept, sealed, while their form is read (`Spool`).
    package var spoolFolder: String { dataDirectory + "/spool" }
    public var database: Database
    public var key: KeySource
    /// Mark cookies `Secure` (`VERTROUWD_SECURE_COOKIES`). Defaults to on when the public URL is
    /// https, off otherwise: a browser drops Secure cookies on plain-HTTP loopback.
    public var secureCookies: Bool
    /// The address printed in setup links and the calendar feed (`VERTROUWD_PUBLIC_URL`).
    public var publicURL: String?
    /// A sendmail-compatible command for notifications without content (`VERTROUWD_SENDMAIL`).
    public var sendmailCommand: String?
    /// Where the audit log's anchor is kept, outside the database (`VERTROUWD_AUDIT_ANCHOR`,
    /// default `audit-anchor` in the data folder; nil: none, as in tests).
    public var auditAnchorPath: String?
    /// At most one notification mail per counsellor per this many seconds; the rest are batched.
    public var notificationWindow: TimeInterval = 15 * 60
    /// Reports and conversation requests accepted per organisation per minute (per instance).
    public var submissionsPerMinute = 60
    /// Reports and conversation requests accepted from one sender per 10 minutes (per instance,
    /// `VERTROUWD_SUBMISSIONS_PER_SOURCE`); see `FloodGuard` and `Source`.
    public var submissionsPerSource = 5
    /// PostgreSQL connections per event loop (4 suit 2 cores). The test suite runs many apps at
    /// once against one server and uses 2, so it stays under the server's `max_connections`.
    public var databaseConnectionsPerLoop = 4
    /// Proxies whose `X-Forwarded-For` names the sender (`VERTROUWD_TRUSTED_PROXIES`, addresses
    /// separated by commas). Without one the socket's peer is the sender.
    public var trustedProxies: Set<String> = []
    /// The disclosure threshold k (`VERTROUWD_K`, default 5, never below 3): no published count
    /// lies between 1 and k−1. See docs/ANONYMITY.md.
    public var disclosureThreshold = Disclosure.defaultThreshold
    /// When several cases on one theme make a signal (`VERTROUWD_SIGNAL_CASES`, `VERTROUWD_SIGNAL_MONTHS`).
    public var signalRule = SignalRule()
    /// The cost of hashing receipt codes. Tests lower it; see docs/RECEIPT-CODES.md.
    public var receiptKDF = ReceiptHash.Parameters.standard
    /// bcrypt work factor: 12 in production; tests lower it so a suite of logins stays fast.
    public var passwordCost = 12
    /// Places in each hashing queue (bcrypt for logins, scrypt for receipt codes), running and
    /// waiting, before a login or a receipt code is answered "busy"; nil: 64 (`Hashing`).
    public var concurrentHashes: Int?
    /// A connection that sends and receives nothing for this long is closed: a half-sent request
    /// head or a body that stops half way holds no memory or socket for ever.
    public var connectionIdleTimeout: TimeInterval = 30
    /// A request body may take this long, plus the time a slow phone needs for the route's limit
    /// (`BodyLimit.deadline`).
    public var bodyGrace: TimeInterval = 60
    public var sessionIdleTimeout: TimeInterval = 30 * 60
    public var sessionAbsoluteTimeout: TimeInterval = 12 * 3600

    public init(dataDirectory: String, database: Database, key: KeySource, secureCookies: Bool, publicURL: String?) {
        self.dataDirectory = dataDirectory
        self.database = database
        self.key = key
        self.secureCookies = secureCookies
        self.publicURL = publicURL
    }

    public struct Problem: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    /// Reads the environment. Every wrong value is named at once, so an operator fixes them in one go.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings
    {
        var problems: [String] = []
        let dataDirectory = env["VERTROUWD_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "./data"
        var database = Database.sqliteFile(dataDirectory + "/vertrouwd.sqlite")
        if let url = env["DATABASE_URL"], !url.isEmpty {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                database = .postgres(url)
            } else {
                problems.append(
                    "DATABASE_URL must start with postgres:// (leave it unset for the embedded SQLite database)")
            }
        }
        let keyFile =
            env["VERTROUWD_MASTER_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? dataDirectory + "/master.key"
        var secure = true
        if let value = env["VERTROUWD_SECURE_COOKIES"] {
            switch value.lowercased() {
            case "1", "true", "yes": secure = true
            case "0", "false", "no": secure = false
            default: problems.append("VERTROUWD_SECURE_COOKIES must be 1 or 0, not '\(value)'")
            }
        } else {
            secure = env["VERTROUWD_PUBLIC_URL"]?.hasPrefix("https://") ?? false
        }
        let publicURL = env["VERTROUWD_PUBLIC_URL"].flatMap { $0.isEmpty ? nil : $0 }
        var submissionsPerMinute = 60
        if let value = env["VERTROUWD_SUBMISSIONS_PER_MINUTE"], !value.isEmpty {
            if let n = Int(value), n > 0 {
                submissionsPerMinute = n
            } else {
                problems.append("VERTROUWD_SUBMISSIONS_PER_MINUTE must be a whole number above 0, not '\(value)'")
            }
        }
        func number(_ name: String, default value: Int, range: ClosedRange<Int>) -> Int {
            guard let text = env[name], !text.isEmpty else { return value }
            guard let n = Int(text), range.contains(n) else {
                problems.append(
                    "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
                return value
            }
            return n
        }
        let perSource = number("VERTROUWD_SUBMISSIONS_PER_SOURCE", default: 5, range: 1...1_000_000)
        var proxies: Set<String> = []
        for item in (env["VERTROUWD_TRUSTED_PROXIES"] ?? "").split(separator: ",") {
            let address = item.trimmingCharacters(in: .whitespaces)
            var v4 = in_addr(), v6 = in6_addr()
            if inet_pton(AF_INET, address, &v4) == 1 || inet_pton(AF_INET6, address, &v6) == 1 {
                proxies.insert(address)
            } else {
                problems.append(
                    "VERTROUWD_TRUSTED_PROXIES must list IP addresses separated by commas, not '\(address)'")
            }
        }
        let k = number("VERTROUWD_K", default: Disclosure.defaultThreshold, range: Disclosure.minimumThreshold...100)
        let signalRule = SignalRule(
            minimumCases: number("VERTROUWD_SIGNAL_CASES", default: 3, range: 2...100),
            windowMonths: number("VERTROUWD_SIGNAL_MONTHS", default: 6, range: 1...36))
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            problems.append("VERTROUWD_PUBLIC_URL must start with http:// or https://")
        }
        guard problems.isEmpty else {
            throw Problem(
                description: "Vertrouwd cannot start:\n" + problems.map { "  - \($0)" }.joined(separator: "\n"))
        }
        var settings = Settings(
            dataDirectory: dataDirectory, database: database, key: .file(keyFile),
            secureCookies: secure, publicURL: publicURL)
        settings.sendmailCommand = env["VERTROUWD_SENDMAIL"].flatMap { $0.isEmpty ? nil : $0 }
        settings.auditAnchorPath =
            env["VERTROUWD_AUDIT_ANCHOR"].flatMap { $0.isEmpty ? nil : $0 } ?? dataDirectory + "/audit-anchor"
        settings.submissionsPerMinute = submissionsPerMinute
        settings.submissionsPerSource = perSource
        settings.trustedProxies = proxies
        settings.disclosureThreshold = k
        settings.signalRule = signalRule
        return settings
    }
}
