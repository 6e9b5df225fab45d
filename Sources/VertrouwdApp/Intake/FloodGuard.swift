import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Holds back a flood of submissions to one organisation without knowing anyone's address: at
/// most `limit` reports and requests per organisation per minute, per app instance. A reporter
/// who meets it gets their form back, filled in, with a request to wait a moment.
final class FloodGuard: Sendable {
    let limit: Int
    private let recent = NIOLockedValueBox<[String: [Date]]>([:])

    init(limit: Int) { self.limit = limit }

    /// Counts a submission for `key`; false when the last minute already holds `limit`.
    func allow(_ key: String, now: Date = Date()) -> Bool {
        recent.withLockedValue { all in
            let window = (all[key] ?? []).filter { now.timeIntervalSince($0) < 60 }
            guard window.count < limit else { all[key] = window; return false }
            all[key] = window + [now]
            return true
        }
    }
}

extension Application {
    private struct FloodGuardKey: StorageKey { typealias Value = FloodGuard }

    var floodGuard: FloodGuard {
        get { storage[FloodGuardKey.self]! }
        set { storage[FloodGuardKey.self] = newValue }
    }
}
