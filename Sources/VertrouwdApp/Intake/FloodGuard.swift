import Foundation
import NIOConcurrencyHelpers
import Vapor
import VertrouwdStore

/// Keeps the public channel open when one sender floods it, and tells a counsellor when many do.
///
/// Two limits, per app instance, in memory only (see `Source` for what is kept of a sender):
/// - **per sender** (`perSource` reports and conversation requests per `sourceWindow`, by
///   default 5 per 10 minutes): one address cannot fill the channel, and what it was refused
///   does not count against anyone else;
/// - **per organisation** (`perOrganisation` per minute, by default 60): many senders at once
///   (a distributed flood) are slowed down too, with "try again in N minutes" and the text kept.
/// A refused reporter gets their form back, filled in, and nothing is lost.
final class FloodGuard: Sendable {
    enum Decision: Equatable, Sendable {
        case allowed
        /// This sender sent its share; the next fits in this many minutes.
        case senderFull(minutes: Int)
        /// The organisation's channel is full this minute.
        case organisationFull(minutes: Int)
    }

    let perOrganisation: Int
    let perSource: Int
    let sourceWindow: TimeInterval
    /// At most this many senders are remembered; past it the oldest are forgotten first.
    static let maximumSources = 100_000

    private struct State {
        var organisations: [String: [Date]] = [:]
        var sources: [Source: [Date]] = [:]
        /// When an organisation's channel last turned senders away, for its counsellors.
        var floods: [UUID: Date] = [:]
        var lastSweep = Date.distantPast
    }
    private let state = NIOLockedValueBox(State())

    init(perOrganisation: Int, perSource: Int = 5, sourceWindow: TimeInterval = 600) {
        self.perOrganisation = perOrganisation
        self.perSource = perSource
        self.sourceWindow = sourceWindow
    }

    /// Counts a submission by `source` to `organisation` when both have room.
    func admit(organisation: UUID, source: Source, now: Date = Date()) -> Decision {
        state.withLockedValue { s in
            // What the footer promises: a sender is forgotten ten minutes after its last submission.
            if now.timeIntervalSince(s.lastSweep) > 10 {
                s.sources = s.sources.filter { $0.value.contains { now.timeIntervalSince($0) < sourceWindow } }
                s.organisations = s.organisations.filter { $0.value.contains { now.timeIntervalSince($0) < 60 } }
                s.lastSweep = now
            }
            let mine = (s.sources[source] ?? []).filter { now.timeIntervalSince($0) < sourceWindow }
            if mine.count >= perSource {
                s.sources[source] = mine
                return .senderFull(minutes: Self.minutes(until: mine[0].addingTimeInterval(sourceWindow), from: now))
            }
            let key = organisation.uuidString
            let theirs = (s.organisations[key] ?? []).filter { now.timeIntervalSince($0) < 60 }
            if theirs.count >= perOrganisation {
                s.organisations[key] = theirs
                s.floods[organisation] = now
                return .organisationFull(minutes: 1)
            }
            if s.sources[source] == nil && s.sources.count >= Self.maximumSources {
                Self.forgetOld(&s.sources, now: now, window: sourceWindow)
            }
            s.sources[source] = mine + [now]
            s.organisations[key] = theirs + [now]
            return .allowed
        }
    }

    /// Notes that a sender was turned away at `organisation` (its own share was full): many such
    /// refusals in a short time are a flood its counsellors should know of.
    func noteRefusal(organisation: UUID, now: Date = Date()) {
        state.withLockedValue { $0.floods[organisation] = now }
    }

    /// When the channel of `organisation` last turned a sender away, if within `within` seconds.
    func lastFlood(at organisation: UUID, within: TimeInterval = 7 * 86400, now: Date = Date()) -> Date? {
        state.withLockedValue { s in s.floods[organisation].flatMap { now.timeIntervalSince($0) < within ? $0 : nil } }
    }

    /// Every organisation whose channel turned a sender away within `within` seconds, and when last.
    func recentFloods(within: TimeInterval = 7 * 86400, now: Date = Date()) -> [UUID: Date] {
        state.withLockedValue { s in s.floods.filter { now.timeIntervalSince($0.value) < within } }
    }

    private static func forgetOld(_ sources: inout [Source: [Date]], now: Date, window: TimeInterval) {
        sources = sources.filter { $0.value.contains { now.timeIntervalSince($0) < window } }
        // Still full (a flood from very many addresses): forget the half seen longest ago.
        if sources.count >= maximumSources {
            let keep = sources.sorted { ($0.value.last ?? .distantPast) > ($1.value.last ?? .distantPast) }.prefix(
                maximumSources / 2)
            sources = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }

    /// Whole minutes, rounded up, at least one.
    static func minutes(until: Date, from now: Date) -> Int {
        max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up)))
    }
}

extension Application {
    private struct FloodGuardKey: StorageKey { typealias Value = FloodGuard }

    var floodGuard: FloodGuard {
        get { storage[FloodGuardKey.self]! }
        set { storage[FloodGuardKey.self] = newValue }
    }
}
