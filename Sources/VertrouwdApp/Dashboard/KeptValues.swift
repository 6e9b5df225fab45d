import Foundation
import NIOConcurrencyHelpers
import Vapor
import VertrouwdCore
import VertrouwdStore

/// What the dashboard works out from many rows and that changes only when cases do, kept per
/// id: the signals per organisation (every case of the signal window; one entry serves every
/// counsellor of the organisation), and per staff member their reminders and retention list. An
/// entry holds until the generation it was worked out at moves (for an organisation the version of
/// its cases, kept in the database, so a case written on any instance counts; for a person
/// `Store.generation`, this process's commits of any kind), the day turns, or `maximumAge` passes —
/// which bounds how long a change the generation does not see goes unseen.
final class KeptValues<Value: Sendable>: Sendable {
    private let maximumAge: Duration?

    /// A quarter of an hour unless said: for what only this process's commits tell apart.
    init(maximumAge: Duration? = .seconds(15 * 60)) { self.maximumAge = maximumAge }

    private struct Entry {
        let generation: Int
        let day: Day
        let made: ContinuousClock.Instant
        let value: Value
    }

    private let entries = NIOLockedValueBox<[UUID: Entry]>([:])

    /// The kept value, or `compute`'s, kept. The generation is read before computing: a commit
    /// while it runs leaves an entry that is already out of date.
    func value(
        for id: UUID, generation: Int, today: Day, compute: () async throws -> Value
    ) async throws -> Value {
        let kept = try await values(for: [id], generation: { _ in generation }, today: today) { _ in
            [id: try await compute()]
        }
        return kept[id]!
    }

    /// The kept values of some ids; those missing or out of date — or all of them, to `refresh` —
    /// are worked out together by one call of `compute`, which must answer for every id it is given.
    func values(
        for ids: [UUID], generation: (UUID) -> Int, today: Day, refresh: Bool = false,
        compute: ([UUID]) async throws -> [UUID: Value]
    ) async throws -> [UUID: Value] {
        let now = ContinuousClock.now
        let generations = Dictionary(ids.map { ($0, generation($0)) }, uniquingKeysWith: { a, _ in a })
        var found: [UUID: Value] = [:]
        if !refresh {
            entries.withLockedValue { entries in
                for (id, generation) in generations {
                    if let entry = entries[id], entry.generation == generation, entry.day == today,
                        maximumAge.map({ now - entry.made < $0 }) ?? true
                    {
                        found[id] = entry.value
                    }
                }
            }
        }
        let missing = generations.keys.filter { found[$0] == nil }
        guard !missing.isEmpty else { return found }
        let computed = try await compute(missing)
        entries.withLockedValue { entries in
            for id in missing {
                guard let value = computed[id] else { continue }
                found[id] = value
                entries[id] = Entry(generation: generations[id]!, day: today, made: now, value: value)
            }
        }
        return found
    }

    /// Forgets everything (the benchmark's "nothing kept").
    func clear() { entries.withLockedValue { $0 = [:] } }
}

extension Application {
    private struct SignalCacheKey: StorageKey { typealias Value = KeptValues<[SignalView.Detected]> }
    private struct DailyWorkCacheKey: StorageKey { typealias Value = KeptValues<DashboardController.DailyWork> }

    /// The signals per organisation; set once by `configure`.
    var signalCache: KeptValues<[SignalView.Detected]> {
        get { storage[SignalCacheKey.self]! }
        set { storage[SignalCacheKey.self] = newValue }
    }

    /// The dashboard's reminders and retention list per staff member; set once by `configure`.
    var dailyWorkCache: KeptValues<DashboardController.DailyWork> {
        get { storage[DailyWorkCacheKey.self]! }
        set { storage[DailyWorkCacheKey.self] = newValue }
    }
}
