import Vapor
import VertrouwdCore
import VertrouwdStore

extension Application {
    /// Runs retention once a day while `serve` runs: a minute after start, then every 24 hours.
    /// With several instances on PostgreSQL a session lock lets one run at a time; the run is
    /// idempotent, so a second instance finds nothing left to do.
    func startDailyRetention() {
        let store = self.store
        let task = Task.detached {
            try? await Task.sleep(for: .seconds(60))
            while !Task.isCancelled {
                do {
                    try await store.withRetentionLock {
                        let outcome = try await RetentionRun(store: store, actor: "system").run(
                            today: Day(Date()), dryRun: false)
                        if !outcome.destroyed.isEmpty {
                            store.logger.notice(
                                """
                                    Retention: destroyed the contents of \(outcome.destroyed.count) case(s). Back \
                                    up the key file again.
                                    """
                            )
                        }
                    }
                } catch {
                    store.logger.error("Retention run failed: \(String(reflecting: type(of: error)))")
                }
                try? await Task.sleep(for: .seconds(24 * 3600))
            }
        }
        lifecycle.use(CancelOnShutdown(task: task))
    }
}

struct CancelOnShutdown: LifecycleHandler {
    let task: Task<Void, Never>
    func shutdown(_ application: Application) { task.cancel() }
}
