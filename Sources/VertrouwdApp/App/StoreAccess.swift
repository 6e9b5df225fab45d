import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// How the web reaches the store (`VertrouwdStore`): one `Store` per application, made by
/// `configure`, and the store's refusals answered as HTTP.
extension Application {
    private struct StoreKey: StorageKey { typealias Value = Store }
    private struct SettingsKey: StorageKey { typealias Value = Settings }

    /// Set once by `configure`.
    var store: Store {
        get { storage[StoreKey.self]! }
        set { storage[StoreKey.self] = newValue }
    }

    var settings: Settings {
        get { storage[SettingsKey.self]! }
        set { storage[SettingsKey.self] = newValue }
    }

    /// The key file, as the store holds it.
    var keys: KeyStore { store.keys }

    /// The master key (TOTP secrets, the key check, the audit anchor's MAC).
    var masterKey: MasterKey { store.masterKey }
}

extension Request {
    var store: Store { application.store }

    /// The case writer acting as the logged-in staff member.
    var cases: CaseWriter {
        get throws { CaseWriter(store: store, staff: try requireStaff().userID) }
    }

    /// Records what the logged-in staff member did (or "system").
    func audit(_ action: String, subject: String = "", detail: String = "") async throws {
        try await Audit.record(
            action, subject: subject, detail: detail,
            actor: staff.map { "user:\($0.userID.uuidString)" } ?? "system",
            store: store, db: db)
    }
}

extension StoreError: AbortError {
    public var status: HTTPResponseStatus {
        switch self {
        case .notFound: .notFound
        case .forbidden: .forbidden
        case .conflict: .conflict
        case .inconsistent: .internalServerError
        }
    }

    public var reason: String {
        switch self {
        case .notFound: "not found"
        case .forbidden: "forbidden"
        case .conflict: "conflict"
        case .inconsistent(let what): what
        }
    }
}

/// A case whose key is gone (destroyed, or a restored backup's case destroyed since) is gone,
/// not a server error: 410 with the error page.
extension Keyring.KeyError: AbortError {
    public var status: HTTPResponseStatus {
        switch self {
        case .destroyed: .gone
        case .unknownKey: .internalServerError
        }
    }
    public var reason: String { "case contents destroyed" }
}

/// A refusal the store explains (a destroyed case, a stopped audit log): its title and reason
/// are shown on the error page as they are.
extension ExplainedRefusal: AbortError {
    public var status: HTTPResponseStatus {
        switch kind {
        case .gone: .gone
        case .unavailable: .serviceUnavailable
        }
    }
}
