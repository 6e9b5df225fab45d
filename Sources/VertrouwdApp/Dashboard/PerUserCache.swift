import Foundation
import NIOConcurrencyHelpers
import Vapor
import VertrouwdCore

/// What the dashboard works out per staff member from many rows and that changes only when cases
/// do: the signals (every case of the signal window in the organisations they serve), the
/// reminders and the retention list. Kept per user until this process commits a change
/// (`Store.generation`: any case, message, request, message marked read), the day turns, or
/// `maximumAge` passes — which bounds how long a change made on another instance goes unseen.
final class PerUserCache<Value: Sendable>: Sendable {
    static var maximumAge: Duration { .seconds(15 * 60) }

    private struct Entry {
        let generation: Int
        let day: Day
        let made: ContinuousClock.Instant
        let value: Value
    }

    private let entries = NIOLockedValueBox<[UUID: Entry]>([:])

    /// The kept value, or `compute`'s, kept. The generation is read by the caller before
    /// computing: a commit while it runs leaves an entry that is already out of date.
    func value(
        for userID: UUID, generation: Int, today: Day, compute: () async throws -> Value
    ) async throws -> Value {
        let now = ContinuousClock.now
        if let entry = entries.withLockedValue({ $0[userID] }), entry.generation == generation, entry.day == today,
            now - entry.made < Self.maximumAge
        {
            return entry.value
        }
        let value = try await compute()
        entries.withLockedValue { $0[userID] = Entry(generation: generation, day: today, made: now, value: value) }
        return value
    }

    /// Forgets everything (the benchmark's cold loads).
    func clear() { entries.withLockedValue { $0 = [:] } }
}

extension Application {
    private struct SignalCacheKey: StorageKey { typealias Value = PerUserCache<[SignalView]> }
    private struct DailyWorkCacheKey: StorageKey { typealias Value = PerUserCache<DashboardController.DailyWork> }

    /// Set once by `configure`.
    var signalCache: PerUserCache<[SignalView]> {
        get { storage[SignalCacheKey.self]! }
        set { storage[SignalCacheKey.self] = newValue }
    }

    /// The dashboard's reminders and retention list; set once by `configure`.
    var dailyWorkCache: PerUserCache<DashboardController.DailyWork> {
        get { storage[DailyWorkCacheKey.self]! }
        set { storage[DailyWorkCacheKey.self] = newValue }
    }
}
