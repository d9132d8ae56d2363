import FoundationEssentials
import FleetClient
import FleetCore
import FleetJSON
import Synchronization

/// Keeps the device in line with its desired state: loads what is missing, replaces what changed, repairs what
/// drifted, adopts what a direct command loaded with the desired payload, and removes what a policy made and no
/// policy names any more. What direct commands loaded and no policy names is left alone.
///
/// Each pass observes the targets, asks `ReconcilePlan` what to do and does it, one item after the other; a
/// failed item waits for its backoff (`ReconcilePlan.Retry`) and does not hold up the others. Passes run when a
/// new desired state arrives, when a retry is due, and every `driftCheckSeconds`. Nothing happens before the
/// first desired state arrives, so a restarted executor keeps what it runs until the server has spoken.
///
/// Three threads (`Reconciler+Loops`): one long-polls the desired state, one runs passes, one reports the status.
public final class Reconciler: Sendable {
    public struct Configuration: Sendable {
        /// Seconds between passes when nothing else wakes the reconciler: how soon drift is repaired.
        public var driftCheckSeconds: Double = 15
        /// Seconds after which an unchanged status is sent again.
        public var statusRefreshSeconds: Double = 600
        /// The long-poll's wait, in seconds.
        public var pollWaitSeconds = ExecutorConnection.pollWait

        public init() {}
    }

    struct Attempt: Sendable {
        var retry: ReconcilePlan.Retry
        /// The fingerprint that failed; nil for a removal. A new payload is tried at once.
        var fingerprint: String?
    }

    struct State: Sendable {
        var desired: ServedDesiredState?
        /// Counts the desired states received, so that the pass loop sees a new one.
        var generation: UInt64 = 0
        /// A heartbeat answer named another revision: poll again without waiting.
        var hinted = false
        var status = ReconcileStatus()
        /// Counts status changes, so that the report loop sees them.
        var statusGeneration: UInt64 = 0
        var attempts: [ReconcilePlan.Key: Attempt] = [:]
        var schedule: StatusReportSchedule
        var telemetryInterval: Int?
    }

    let configuration: Configuration
    let source: any DesiredStateSource
    let targets: [ReconcilePlan.Kind: any ReconcileTarget]
    let state: Mutex<State>
    /// Monotonic seconds.
    let clock: @Sendable () -> Double
    let wallClock: @Sendable () -> Date
    /// In [0.5, 1], scaling each backoff.
    let jitter: @Sendable () -> Double
    /// Told the telemetry interval a policy sets, or nil when none does.
    let telemetryInterval: @Sendable (Int?) -> Void
    let log: @Sendable (String) -> Void
    private let stopped = Mutex(false)
    /// The executor's signal once the loops run; pulsed (never with `state` held) when the status changes.
    let wake = Mutex<WakeSignal?>(nil)

    /// - Parameters:
    ///   - targets: one per kind; a kind without a target is never touched (its desired items are reported failed).
    ///   - telemetryInterval: called when the desired telemetry interval changes (nil: back to the command line's).
    public init(source: any DesiredStateSource, targets: [any ReconcileTarget], configuration: Configuration = Configuration(),
                clock: @escaping @Sendable () -> Double = { ContinuousClock.now.secondsSinceStart },
                wallClock: @escaping @Sendable () -> Date = { Date() },
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0.5...1) },
                telemetryInterval: @escaping @Sendable (Int?) -> Void = { _ in },
                log: @escaping @Sendable (String) -> Void = { ExecutorLog.write($0) }) {
        self.source = source
        self.targets = Dictionary(targets.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.configuration = configuration
        self.clock = clock
        self.wallClock = wallClock
        self.jitter = jitter
        self.telemetryInterval = telemetryInterval
        self.log = log
        state = Mutex(State(schedule: StatusReportSchedule(refreshSeconds: configuration.statusRefreshSeconds)))
    }

    /// The desired state received last; nil before the first.
    public var desired: ServedDesiredState? { state.withLock { $0.desired } }

    /// The status as it stands.
    public var status: ReconcileStatus { state.withLock { $0.status } }

    /// Takes a desired state in; true when it is new (another revision than the last one received).
    @discardableResult
    public func receive(_ desired: ServedDesiredState) -> Bool {
        let new = state.withLock { state in
            guard state.desired?.revision != desired.revision else { return false }
            state.desired = desired
            state.generation += 1
            return true
        }
        if new, desired.revision != desired.state.revision {
            log("the server names desired state \(desired.state.revision) \(desired.revision); polls and reports use the server's name")
        }
        return new
    }

    // MARK: - Pass

    /// Runs one pass over the desired state received last.
    /// - Returns: when (on `clock`) the next pass is due at the latest: the earliest retry or the next drift check.
    @discardableResult
    public func reconcile() -> Double {
        let nextDriftCheck = clock() + configuration.driftCheckSeconds
        guard let served = state.withLock({ $0.desired }) else { return nextDriftCheck }
        let desired = served.state
        applyTelemetryInterval(desired.telemetryIntervalSeconds)

        var items: [ReconcilePlan.Key: DesiredItem] = [:]
        var unusable: [ReconcilePlan.Key: String] = [:]
        for (kind, payloads) in [(ReconcilePlan.Kind.program, desired.programs), (.model, desired.models)] {
            for (name, payload) in payloads {
                let key = ReconcilePlan.Key(kind, name)
                guard let target = targets[kind] else {
                    unusable[key] = "this executor does not manage \(kind.rawValue)s"
                    continue
                }
                do { items[key] = try target.prepare(name: name, payload: payload) } catch {
                    unusable[key] = "the desired payload cannot be applied: \(error)"
                }
            }
        }
        var observed: [ReconcilePlan.Key: ReconcilePlan.Observed] = [:]
        for (kind, target) in targets {
            for (name, item) in target.observe() { observed[ReconcilePlan.Key(kind, name)] = item }
        }
        // An item whose payload cannot be read is neither added nor removed: what runs under its name stays.
        for key in unusable.keys { observed[key] = nil }

        let now = clock()
        let desiredFingerprints = items.mapValues(\.fingerprint)
        let (plan, retried) = state.withLock { state in
            state.attempts = state.attempts.filter { key, attempt in attempt.fingerprint == desiredFingerprints[key] }
            let plan = ReconcilePlan.plan(desired: desiredFingerprints, observed: observed,
                                          retries: state.attempts.mapValues(\.retry), now: now)
            return (plan, Set(state.attempts.keys))
        }

        let wall = wallClock()
        let acting = Set(plan.actions.map(\.key))
        updateStatus { status in
            status.revision = served.revision
            for (key, reason) in unusable { status.set(key, .failed, version: nil, error: reason, at: wall) }
            for (key, item) in items where !acting.contains(key) && plan.deferred[key] == nil {
                status.set(key, .ready, version: item.version, at: wall)
            }
            for key in plan.deferred.keys where status.items[key] == nil {
                status.set(key, .failed, version: items[key]?.version, error: "waiting to be tried again", at: wall)
            }
            for action in plan.actions {
                if case .adopt = action { continue }
                // A retry of what failed stays failed until it works: a lasting failure reports nothing new.
                if retried.contains(action.key) && status.items[action.key]?.state == .failed { continue }
                status.set(action.key, .pending, version: items[action.key]?.version ?? status.items[action.key]?.version, at: wall)
            }
            status.keep(only: Set(items.keys).union(unusable.keys).union(plan.deferred.keys).union(acting))
        }

        for action in plan.actions where !isStopping {
            perform(action, item: items[action.key], retrying: retried.contains(action.key))
        }
        let retryAt = state.withLock { state in state.attempts.values.map(\.retry.notBefore).min() }
        return min(nextDriftCheck, retryAt ?? .infinity)
    }

    /// Ends the loops; a pass in progress ends after the item it is applying.
    public func stop() { stopped.withLock { $0 = true } }

    public var isStopping: Bool { stopped.withLock { $0 } }

    private func perform(_ action: ReconcilePlan.Action, item: DesiredItem?, retrying: Bool) {
        let key = action.key
        guard let target = targets[key.kind] else { return }
        let version = item?.version ?? status.items[key]?.version
        if case .adopt = action {} else if !(retrying && status.items[key]?.state == .failed) {
            updateStatus { $0.set(key, .applying, version: version, at: wallClock()) }
        }
        do {
            switch action {
            case .add: try target.apply(item!, .add)
            case .replace: try target.apply(item!, .replace)
            case .repair:
                log("repairing \(key): it drifted")
                try target.apply(item!, .repair)
            case .adopt: try target.adopt(item!)
            case .remove: try target.remove(name: key.name)
            }
            state.withLock { $0.attempts[key] = nil }
            if case .remove = action {
                log("removed \(key): no policy names it any more")
                updateStatus { $0.keep(only: Set($0.items.keys).subtracting([key])) }
            } else {
                if case .adopt = action { log("adopted \(key): it already runs as desired") }
                updateStatus { $0.set(key, .ready, version: version, at: wallClock()) }
            }
        } catch {
            let reason = target.describe(error)
            let attempt = state.withLock { state in
                let failures = (state.attempts[key]?.retry.failures ?? 0) + 1
                let attempt = Attempt(retry: .after(failures: failures, now: clock(), jitter: jitter()), fingerprint: item?.fingerprint)
                state.attempts[key] = attempt
                return attempt
            }
            let delay = max(0, attempt.retry.notBefore - clock())
            log("cannot \(Self.verb(action)) \(key) (failure \(attempt.retry.failures), next try in \(delay.formatted(decimals: 0)) s): "
                + (reason.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? reason))
            updateStatus { $0.set(key, .failed, version: version, error: reason, at: wallClock()) }
        }
    }

    private static func verb(_ action: ReconcilePlan.Action) -> String {
        switch action {
        case .add: "apply"
        case .replace: "replace"
        case .repair: "repair"
        case .adopt: "adopt"
        case .remove: "remove"
        }
    }

    private func updateStatus(_ change: (inout ReconcileStatus) -> Void) {
        let changed = state.withLock { state in
            let before = state.status
            change(&state.status)
            if state.status != before { state.statusGeneration += 1 }
            return state.status != before
        }
        // The loops wait on the signal's lock and then take `state`'s: pulse only once `state` is released.
        if changed { wake.withLock { $0 }?.pulse() }
    }

    private func applyTelemetryInterval(_ seconds: Int?) {
        let changed = state.withLock { state in
            defer { state.telemetryInterval = seconds }
            return state.telemetryInterval != seconds
        }
        if changed { telemetryInterval(seconds) }
    }

    // MARK: - Report

    /// Sends the status when it changed since the server last took it, or the refresh is due.
    /// - Returns: true when nothing is left to send; false when sending failed (the caller retries).
    @discardableResult
    public func reportIfDue() -> Bool {
        let now = clock()
        let document = state.withLock { state -> JSON? in
            guard let document = state.status.json, state.schedule.isDue(document, now: now) else { return nil }
            return document
        }
        guard let document else { return true }
        do {
            try source.reportStatus(document)
        } catch let failure as FleetClientError where failure.status.map({ (400..<500).contains($0) && $0 != 401 && $0 != 408 && $0 != 429 }) ?? false {
            // Sending the same document again would be refused again: wait for a change or the refresh.
            log("the server refused the status report: \(failure)")
        } catch {
            log("cannot report the status: \(error)")
            return false
        }
        state.withLock { $0.schedule.sent(document, now: now) }
        return true
    }
}
