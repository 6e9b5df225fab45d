#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOPosix
import Vapor
import VertrouwdStore

/// Password (bcrypt) and receipt-code (scrypt) hashing: deliberately slow work, on threads of its
/// own, taken in turn.
///
/// On Vapor's shared pool a burst of logins for made-up addresses queued every SQLite query
/// behind 430 ms hashes (40 of them: `/healthz` took 15 s, requests failed). Here the hashing
/// threads are fewer than the cores, so the event loops and the database always have a core.
///
/// In front of the threads stands a short, fair queue per budget (`HashGate`): a hash that
/// finds the threads busy waits its turn (at most `maximumWait`) instead of being answered
/// "busy" at once, which six parallel bogus logins turned into a lock-out of every real one.
/// Waiting senders (`Source`) take turns and each holds at most `perSource` places, so a flood
/// from one address waits behind itself; "busy" is the answer only when the queue is full, the
/// sender's share is, or the wait is too long.
/// Passwords and receipt codes have a queue each; a report being filed is never refused.
final class Hashing: Sendable {
    struct Busy: Error {}

    /// Places in each queue (running and waiting).
    let limit: Int
    private let pool: NIOThreadPool
    private let gates: [HashGate]
    private let done = NIOLockedValueBox(0)
    /// Hashes running or waiting now.
    var admitted: Int { gates.reduce(0) { $0 + $1.admitted } }
    /// Hashes worked out so far: lets a test see that a refusal spent the same work as any other.
    var completed: Int { done.withLockedValue { $0 } }
    private let passwordCost: Int

    init(threads: Int, limit: Int, passwordCost: Int, perSource: Int = 4, maximumWait: TimeInterval = 10) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        self.limit = limit
        self.passwordCost = passwordCost
        gates = (0..<2).map { _ in
            HashGate(running: threads, places: limit, perSource: perSource, maximumWait: maximumWait)
        }
    }

    /// The default for this machine: one core fewer than it has (at least one) hashes, and room
    /// for 64 in each queue (64 scrypt checks of ~60 ms wait under 4 s for one thread).
    convenience init(passwordCost: Int, limit: Int? = nil) {
        let threads = max(1, System.coreCount - 1)
        self.init(threads: threads, limit: limit ?? 64, passwordCost: passwordCost)
    }

    /// Whose budget a hash counts against: a flood of staff logins must not shut reporters out
    /// of their mailbox, nor the other way round.
    enum Budget { case passwords, receiptCodes }

    /// Runs `work` on the hashing threads when it is its turn, or throws `Busy` when the queue is
    /// full, `source` holds its share of it already, or the wait is too long. `bounded: false` is
    /// for work that must not be refused (a report being filed makes its receipt code), which
    /// callers limit in their own way.
    func run<T: Sendable>(
        bounded: Bool = true, budget: Budget = .receiptCodes, source: Source? = nil,
        _ work: @escaping @Sendable () throws -> T
    ) async throws -> T {
        let gate = gates[budget == .passwords ? 0 : 1]
        let sender = source ?? Source.unknown
        if bounded { try await gate.enter(sender) }
        defer { if bounded { gate.leave(sender) } }
        let result = try await pool.runIfActive {
            Self.yieldToRequests()
            return try work()
        }
        done.withLockedValue { $0 += 1 }
        return result
    }

    /// Hashing threads run at a lower priority (nice 10) than the event loops and the database
    /// threads: under a flood of logins the CPU goes to the other requests first, and the hashes
    /// take what is left. (A thread's nice value is its own on Linux; the call is a few
    /// microseconds next to a 430 ms hash.)
    private static func yieldToRequests() {
        #if os(Linux)
        // `who` 0 is the calling task: on Linux that is this thread, not the process.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }

    func verifyPassword(_ password: String, hash: String, source: Source? = nil) async throws -> Bool {
        try await run(budget: .passwords, source: source) { (try? Bcrypt.verify(password, created: hash)) ?? false }
    }

    func hashPassword(_ password: String) async throws -> String {
        let cost = passwordCost
        return try await run(bounded: false) { try Bcrypt.hash(password, cost: cost) }
    }

    func shutdown() async { try? await pool.shutdownGracefully() }
}

extension Application {
    private struct HashingKey: StorageKey { typealias Value = Hashing }

    var hashing: Hashing {
        get { storage[HashingKey.self]! }
        set { storage[HashingKey.self] = newValue }
    }

    private struct UploadsKey: StorageKey { typealias Value = HashGate }

    /// Forms with files (a report, a mailbox message) are read into spools on disk (`Spool`), a
    /// piece at a time: sixteen at a time (at most 32 MB of disk each), four per sender running or
    /// waiting at most, so a slow phone's upload holds up nobody and one sender cannot fill the
    /// disk. A wait is shorter than the idle timeout (a body not being read is idle), after which
    /// the text comes back without the files (`FormRefusal.busy`).
    var uploads: HashGate {
        get { storage[UploadsKey.self]! }
        set { storage[UploadsKey.self] = newValue }
    }

    func startHashing(_ settings: Settings) {
        uploads = HashGate(
            running: 16, places: 64, perSource: 4, maximumWait: min(20, settings.connectionIdleTimeout * 2 / 3))
        hashing = Hashing(passwordCost: settings.passwordCost, limit: settings.concurrentHashes)
        lifecycle.use(HashingShutdown())
    }

    private struct HashingShutdown: LifecycleHandler {
        func shutdownAsync(_ app: Application) async { await app.hashing.shutdown() }
    }
}

/// A fair queue in front of slow work (hashing, uploads): `running` at a time, `places` running
/// or waiting in all, at most `perSource` of them one sender's, and no wait longer than
/// `maximumWait`. Waiting senders take turns (round robin): a sender with many requests waiting
/// is served no more often than one with a single request, so a flood from one address delays
/// someone else by at most a turn.
final class HashGate: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var running = 0
        var waiting = 0
        /// Each sender's waiters, first come first served.
        var queues: [Source: [Waiter]] = [:]
        /// Senders with someone waiting, in the order of their next turn.
        var turns: [Source] = []
        var held: [Source: Int] = [:]
        var nextID: UInt64 = 0

        mutating func release(_ source: Source) {
            held[source, default: 1] -= 1
            if held[source] == 0 { held[source] = nil }
        }
    }
    private let state = NIOLockedValueBox(State())
    let runningLimit: Int
    let places: Int
    let perSource: Int
    let maximumWait: TimeInterval

    init(running: Int, places: Int, perSource: Int, maximumWait: TimeInterval) {
        self.runningLimit = running; self.places = places; self.perSource = perSource; self.maximumWait = maximumWait
    }

    var admitted: Int { state.withLockedValue { $0.running + $0.waiting } }

    func enter(_ source: Source) async throws {
        let id: UInt64 = state.withLockedValue { s in
            s.nextID += 1; return s.nextID
        }
        // A request that goes away while waiting (its client closed the connection) leaves the
        // queue at once instead of holding its place until the wait runs out.
        try await withTaskCancellationHandler {
            try await wait(id, source)
        } onCancel: {
            giveUp(id, source: source)
        }
    }

    private func wait(_ id: UInt64, _ source: Source) async throws {
        enum Entry { case run, wait, refuse }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let entry: Entry = state.withLockedValue { s in
                guard s.running + s.waiting < places, s.held[source, default: 0] < perSource else { return .refuse }
                s.held[source, default: 0] += 1
                if s.running < runningLimit {
                    s.running += 1
                    return .run
                }
                if s.queues[source, default: []].isEmpty { s.turns.append(source) }
                s.queues[source, default: []].append(Waiter(id: id, continuation: continuation))
                s.waiting += 1
                return .wait
            }
            switch entry {
            case .run: continuation.resume()
            case .refuse: continuation.resume(throwing: Hashing.Busy())
            case .wait:
                // Too long a wait: out of the queue, "busy" (unless its turn came meanwhile).
                let wait = maximumWait
                Task.detached { [weak self] in
                    try? await Task.sleep(for: .seconds(wait))
                    self?.giveUp(id, source: source)
                }
            }
        }
    }

    private func giveUp(_ id: UInt64, source: Source) {
        let waiter: Waiter? = state.withLockedValue { s in
            guard let index = s.queues[source]?.firstIndex(where: { $0.id == id }) else { return nil }
            let waiter = s.queues[source]!.remove(at: index)
            if s.queues[source]!.isEmpty {
                s.queues[source] = nil
                s.turns.removeAll { $0 == source }
            }
            s.waiting -= 1
            s.release(source)
            return waiter
        }
        waiter?.continuation.resume(throwing: Hashing.Busy())
    }

    func leave(_ source: Source) {
        let next: Waiter? = state.withLockedValue { s in
            s.release(source)
            guard !s.turns.isEmpty else {
                s.running -= 1
                return nil
            }
            // The next sender's turn; it goes to the back of the line if more of it wait.
            let turn = s.turns.removeFirst()
            let waiter = s.queues[turn]!.removeFirst()
            if s.queues[turn]!.isEmpty { s.queues[turn] = nil } else { s.turns.append(turn) }
            s.waiting -= 1
            return waiter  // its place among the running is the one just left
        }
        next?.continuation.resume()
    }
}

/// Every failed login and every wrong receipt code is answered the same time after its hash,
/// whether the account or locator exists or not. A known one costs a failure count and an audit
/// entry after the hash (a write), an unknown one nothing: 300 against 285 ms, 15.0 against
/// 11.3 ms, told accounts and locators apart. The answer waits until `padding` after the hash,
/// which covers that write on a machine that is not overloaded. `scripts/bench-timing.py`
/// measures what is left.
enum EvenTiming {
    static let padding: Duration = .milliseconds(40)

    /// Waits until `padding` has passed since `hashed`.
    static func settle(since hashed: ContinuousClock.Instant) async {
        try? await Task.sleep(until: hashed + padding, clock: .continuous)
    }
}
