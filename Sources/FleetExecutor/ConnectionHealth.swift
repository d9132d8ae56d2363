import FleetCore
import Synchronization

/// What the executor's loops know together about reaching the server.
///
/// `ExecutorConnection` records the outcome of every call here. The first answer after an outage is logged once
/// ("reconnected to the server after 12.3 s offline") and wakes every loop waiting to retry, so that no loop
/// sits out a long backoff while another already talks to the server.
final class ConnectionHealth: Sendable {
    private let state = Mutex(ServerReachability())
    private let wake: WakeSignal
    private let log: @Sendable (String) -> Void

    /// - Parameters:
    ///   - wake: the signal the loops sleep on; `signal()` on it (stopping) still ends every wait.
    ///   - log: where the reconnection line goes.
    init(wake: WakeSignal, log: @escaping @Sendable (String) -> Void = { ExecutorLog.write($0) }) {
        self.wake = wake
        self.log = log
    }

    var reachability: ServerReachability { state.withLock { $0 } }

    /// Runs one call to the server and records whether the server answered; returns or rethrows the call's outcome.
    func observe<T>(_ call: () throws -> T) throws -> T {
        do {
            let value = try call()
            answered()
            return value
        } catch {
            if ServerReachability.meansUnreachable(error) { unanswered() } else { answered() }
            throw error
        }
    }

    func answered(at now: ContinuousClock.Instant = .now) {
        guard let offline = state.withLock({ $0.recordAnswer(at: now) }) else { return }
        log("reconnected to the server after \((offline.milliseconds / 1000).formatted(decimals: 1)) s offline")
        wake.pulse()
    }

    func unanswered(at now: ContinuousClock.Instant = .now) {
        state.withLock { $0.recordNoAnswer(at: now) }
    }

    /// Sleeps up to `seconds` before a retry. Returns early when the executor stops, or once the server has come
    /// back after `returnsSeen` (read from `reachability` before the failed call).
    func waitBeforeRetry(_ seconds: Double, returnsSeen: UInt64) {
        wake.wait(seconds: seconds) { state.withLock { $0.returns } != returnsSeen }
    }
}
