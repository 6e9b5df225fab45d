#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOPosix
import Vapor

/// Password (bcrypt) and receipt-code (scrypt) hashing: deliberately slow work, on threads of its
/// own and at most `limit` at a time.
///
/// On Vapor's shared pool a burst of logins for made-up addresses queued every SQLite query
/// behind 430 ms hashes (40 of them: `/healthz` took 15 s, requests failed). Here the hashing
/// threads are fewer than the cores, so the event loops and the database always have a core;
/// past the limit a login or a receipt code is answered "busy" at once instead of queueing.
/// Passwords and receipt codes have a limit each; a report being filed is never refused.
final class Hashing: Sendable {
    struct Busy: Error {}

    let limit: Int
    private let pool: NIOThreadPool
    /// Hashes running or waiting: [passwords, receipt codes].
    private let inFlight = NIOLockedValueBox([0, 0])
    private let done = NIOLockedValueBox(0)
    /// Hashes running or waiting now.
    var admitted: Int { inFlight.withLockedValue { $0.reduce(0, +) } }
    /// Hashes worked out so far: lets a test see that a refusal spent the same work as any other.
    var completed: Int { done.withLockedValue { $0 } }
    private let passwordCost: Int

    init(threads: Int, limit: Int, passwordCost: Int) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        self.limit = limit
        self.passwordCost = passwordCost
    }

    /// The default for this machine: one core fewer than it has (at least one) hashes.
    convenience init(passwordCost: Int, limit: Int? = nil) {
        let threads = max(1, System.coreCount - 1)
        self.init(threads: threads, limit: limit ?? 2 * threads, passwordCost: passwordCost)
    }

    /// Runs `work` on the hashing threads, or throws `Busy` when `limit` hashes are already
    /// running or waiting. `bounded: false` is for work that must not be refused (a report
    /// being filed makes its receipt code), which callers limit in their own way.
    /// Whose budget a hash counts against: a flood of staff logins must not shut reporters out
    /// of their mailbox, nor the other way round.
    enum Budget { case passwords, receiptCodes }

    func run<T: Sendable>(bounded: Bool = true, budget: Budget = .receiptCodes,
                          _ work: @escaping @Sendable () throws -> T) async throws -> T {
        let slot = budget == .passwords ? 0 : 1
        if bounded {
            let admitted = inFlight.withLockedValue { n -> Bool in
                guard n[slot] < limit else { return false }
                n[slot] += 1
                return true
            }
            guard admitted else { throw Busy() }
        }
        defer { if bounded { inFlight.withLockedValue { $0[slot] -= 1 } } }
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

    func verifyPassword(_ password: String, hash: String) async throws -> Bool {
        try await run(budget: .passwords) { (try? Bcrypt.verify(password, created: hash)) ?? false }
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

    func startHashing(_ settings: Settings) {
        hashing = Hashing(passwordCost: settings.passwordCost, limit: settings.concurrentHashes)
        lifecycle.use(HashingShutdown())
    }

    private struct HashingShutdown: LifecycleHandler {
        func shutdownAsync(_ app: Application) async { await app.hashing.shutdown() }
    }
}
