import FleetClient
import FleetCore
import FleetJSON

extension Reconciler {
    /// Starts the reconciler's threads: the desired state's long-poll, the passes and the status reports. They
    /// end once `stop()` was called and `wake` signalled (the executor's stop does both).
    /// - Parameters:
    ///   - wake: the executor's signal; the reconciler pulses it when a desired state or a hint arrives.
    ///   - health: the connection's health, for retries that start over when the server comes back.
    /// - Returns: the threads, to join.
    func start(wake: WakeSignal, health: ConnectionHealth) -> [NativeThread] {
        self.wake.withLock { $0 = wake }
        return [
            NativeThread.spawn { [self] in desiredLoop(wake: wake, health: health) },
            NativeThread.spawn { [self] in passLoop(wake: wake) },
            NativeThread.spawn { [self] in reportLoop(wake: wake, health: health) },
        ]
    }

    /// A heartbeat answer named the device's desired revision: when it is not the one received last, the
    /// long-poll missed a change, and the next poll asks without waiting.
    func notice(desiredRevision: String?, wake: WakeSignal) {
        guard let desiredRevision else { return }
        let missed = state.withLock { state in
            guard state.desired?.revision != desiredRevision, !state.hinted else { return false }
            state.hinted = true
            return true
        }
        if missed { wake.pulse() }
    }

    private func desiredLoop(wake: WakeSignal, health: ConnectionHealth) {
        var backoff = ReconnectBackoff(base: 0.5, cap: Executor.reconnectCap)
        var lastRefusal: String?
        while !isStopping {
            let seen = health.reachability.returns
            let (known, hinted) = state.withLock { state in
                defer { state.hinted = false }
                return (state.desired?.revision, state.hinted)
            }
            do {
                if let desired = try source.desired(knownRevision: known, wait: hinted ? 0 : configuration.pollWaitSeconds) {
                    if receive(desired) {
                        log("desired state \(desired.revision): \(desired.state.programs.count) programs, \(desired.state.models.count) models")
                        wake.pulse()
                    } else {
                        // The server answered a known revision at once: it does not wait, so do not ask again at once.
                        wake.wait(seconds: 5) { isStopping }
                    }
                }
                backoff.reset()
                lastRefusal = nil
            } catch {
                let status = (error as? FleetClientError)?.status
                let delay: Double
                if let status, (400..<500).contains(status), status != 429 {
                    // Not approved yet, or a server without policies: ask again now and then.
                    delay = 30
                    if lastRefusal != "\(error)" { log("the server refused the desired state (\(error)); asking again every 30 s") }
                    lastRefusal = "\(error)"
                } else if error is JSONError {
                    // Asking again at once would get the same state: wait for another revision or a while.
                    delay = 30
                    if lastRefusal != "\(error)" { log("the desired state from the server does not parse (\(error)); asking again every 30 s") }
                    lastRefusal = "\(error)"
                } else {
                    delay = backoff.nextDelay(after: health.reachability)
                    log("desired state poll failed (\(error)); retrying in \(delay.formatted(decimals: 1)) s")
                }
                wake.wait(seconds: delay) {
                    isStopping || health.reachability.returns != seen || state.withLock { $0.hinted }
                }
            }
        }
    }

    private func passLoop(wake: WakeSignal) {
        while !isStopping {
            let generation = state.withLock { $0.generation }
            let next = reconcile()
            wake.wait(seconds: max(0.05, next - clock())) {
                isStopping || state.withLock { $0.generation } != generation
            }
        }
    }

    private func reportLoop(wake: WakeSignal, health: ConnectionHealth) {
        var backoff = ReconnectBackoff(base: 0.5, cap: Executor.reconnectCap)
        while !isStopping {
            let seen = health.reachability.returns
            let generation = state.withLock { $0.statusGeneration }
            if reportIfDue() {
                backoff.reset()
                let refreshAt = state.withLock { $0.schedule.refreshAt } ?? .infinity
                wake.wait(seconds: max(0.05, refreshAt - clock())) {
                    isStopping || state.withLock { $0.statusGeneration } != generation
                }
            } else {
                wake.wait(seconds: backoff.nextDelay(after: health.reachability)) {
                    isStopping || health.reachability.returns != seen
                }
            }
        }
    }
}
