import FluentKit
import Foundation
import Logging
import NIOConcurrencyHelpers
import SQLKit
import VertrouwdCore

/// The store's one handle: the database, the key file, the writers' turn on SQLite and the audit
/// log's anchor and alarm. The web makes one in `configure` and reaches the data only through it
/// and the types this target declares `package`; nothing here knows of a request, a route or a
/// template.
package final class Store: Sendable {
    package let settings: Settings
    package let logger: Logger
    private let database: @Sendable () -> any Database
    /// One writer at a time within this process, for SQLite (which has one instance).
    package let writeLock = AsyncMutex()
    private let state: NIOLockedValueBox<(keys: KeyStore?, anchor: AuditAnchorFile?, alarm: AuditAlarm)>
    private let commits = NIOLockedValueBox(0)

    /// - Parameters:
    ///   - database: the database to use now (the web hands Fluent's, on any event loop).
    ///   - alarm: told once when the audit log was found changed (the web mails the admins).
    package init(
        settings: Settings, logger: Logger, database: @escaping @Sendable () -> any Database,
        alarm: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.settings = settings
        self.logger = logger
        self.database = database
        self.state = NIOLockedValueBox((nil, nil, AuditAlarm(logger: logger, notify: alarm)))
    }

    package var db: any Database { database() }

    package var dialect: Dialect { settings.dialect }

    /// The key file: set once the key file matched the database (`MasterKeyStore.open`), and
    /// again after a key rotation.
    package var keys: KeyStore {
        get {
            guard let keys = state.withLockedValue({ $0.keys }) else {
                preconditionFailure("the key file is opened in configure")
            }
            return keys
        }
        set { state.withLockedValue { $0.keys = newValue } }
    }

    /// The master key (TOTP secrets, the key check, the audit anchor's MAC).
    package var masterKey: MasterKey { keys.master }

    /// Raised when the audit log was changed outside Vertrouwd: from then on this process writes
    /// nothing (a new one starts without it, and checks again).
    package var auditAlarm: AuditAlarm {
        get { state.withLockedValue { $0.alarm } }
        set { state.withLockedValue { $0.alarm = newValue } }
    }

    /// How many transactions this process committed (`Store.transaction`): what a cache of
    /// figures read from cases (the dashboard's reminders and retention list) compares to know it may
    /// still be right.
    /// Another instance's changes do not count here; such a cache also ages out.
    package var generation: Int { commits.withLockedValue { $0 } }

    func committed() { commits.withLockedValue { $0 += 1 } }

    /// Where the audit log's newest head is kept outside the database; nil when none is set up.
    package var auditAnchor: AuditAnchorFile? {
        get { state.withLockedValue { $0.anchor } }
        set { state.withLockedValue { $0.anchor = newValue } }
    }
}

/// The two databases Vertrouwd runs on; the one place that tells them apart.
package enum Dialect: Sendable {
    case sqlite, postgres
}

extension Dialect {
    /// For code that holds only a database (a migration, a transaction's connection): read from
    /// its driver. Everything else asks `Store.dialect`; both end here or in `Settings.dialect`.
    package init(_ db: any Database) {
        self = (db as? any SQLDatabase)?.dialect.name == "postgresql" ? .postgres : .sqlite
    }
}

extension Settings {
    package var dialect: Dialect {
        switch database {
        case .sqliteFile: .sqlite
        case .postgres: .postgres
        }
    }
}

/// What the store refuses, for the web to answer with its status: a row that is not there (or
/// not this user's), an action this user may not take, a change that collides with another.
package enum StoreError: Error, Sendable {
    case notFound, forbidden, conflict
    /// A fault of ours, never of the user's input.
    case inconsistent(String)
}

/// A refusal the user is shown with its reason (a destroyed case, a stopped audit log).
package struct ExplainedRefusal: Error, Sendable {
    package enum Kind: Sendable { case gone, unavailable }
    package let kind: Kind
    package let title: String
    package let reason: String

    package init(_ kind: Kind, title: String, reason: String) {
        self.kind = kind
        self.title = title
        self.reason = reason
    }
}
