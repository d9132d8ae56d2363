import FoundationEssentials

/// The rollout engine's decisions as a value type (DESIGN section 7): the server's driver feeds it events and
/// performs the actions it answers with, then stores it (`json`) so that any replica can take over.
///
/// Every event is idempotent: a repeated device result, tick, gate answer or operator request changes nothing
/// the second time, so a replica that replays events after a takeover neither doubles nor skips anything.
/// Events carry no clock of their own; `now` is the driver's, and only ever compared with deadlines, so a
/// replica whose clock is slightly behind does not undo anything.
///
/// The rules:
/// - A batch passes when, once every device's execution has ended, at least `success_threshold` of its
///   devices succeeded. A device that neither succeeds nor fails within `execution_timeout_seconds` of the
///   batch's start is `timed_out` (a failure) or, when the driver says it is offline, `offline` (counted
///   apart: not a failure, not a success).
/// - `max_failure_ratio` compares failures with executed results over the whole rollout (as AWS IoT Jobs'
///   abort criteria do), and only once `min_executed` results are in; it stops a batch at once.
/// - A batch that passed bakes for `bake_seconds`; its gates are evaluated at the end of the bake over
///   their last `window_seconds`. Any failing gate fails the batch; any inconclusive one pauses the rollout.
/// - A failed batch pauses, aborts or rolls back as `on_failure` says.
public struct RolloutMachine: Sendable, Equatable {
    public enum Event: Sendable, Equatable {
        /// The driver picked the rollout up: the first batch starts.
        case start
        /// What a device reported about its execution (command status, or the revision it converged on).
        case device(DeviceID, DeviceReport)
        /// Time passed; `offline` names the devices the server currently sees as offline, which decides whether
        /// a device that runs out of time is `offline` or `timed_out`.
        case tick(offline: Set<DeviceID> = [])
        /// The driver's answer to `Action.evaluateGates`.
        case gatesEvaluated(request: Int, [GateEvaluation])
        /// `POST /v1/rollouts/{id}/pause`.
        case pause
        /// `POST /v1/rollouts/{id}/resume`: after an operator's pause it goes on where it was; after a failed
        /// batch it goes on with the next batch (the failures so far no longer count towards
        /// `max_failure_ratio`); after an inconclusive gate it evaluates the gates again, over a window that
        /// ends now.
        case resume
        /// `POST /v1/rollouts/{id}/cancel`: stops where it is, undoing nothing.
        case cancel
    }

    public enum DeviceReport: Sendable, Equatable {
        /// The device has the update and works on it (command delivered or running).
        case applying
        case succeeded
        case failed(String)
    }

    public enum Action: Sendable, Equatable {
        /// Send the command to these devices, or for a policy rollout release them from their hold on the
        /// previous revision: one statement and one notification for the batch.
        case startBatch(batch: Int, devices: [DeviceID])
        /// Stop waiting for these devices of the batch (timed out, or their batch or rollout ended): cancel
        /// their commands where these have not finished.
        case abandon(batch: Int, devices: [DeviceID])
        /// Read the telemetry the request names, evaluate each gate with `GateEvaluation.evaluate`, and answer
        /// with `Event.gatesEvaluated`.
        case evaluateGates(GateRequest)
        /// Undo the update on these devices: for a policy rollout put them back on the previous revision, for a
        /// command rollout send them the `rollback_command`.
        case rollBack(devices: [DeviceID])
        /// The rollout now waits for an operator (for the audit log and watchers).
        case paused(RolloutPause)
        /// An operator resumed the rollout.
        case resumed
        /// The rollout ended in this state.
        case finish(RolloutState, reason: String?)
        /// The event does not apply in this state (an HTTP 409); the reason is safe to show.
        case refuse(String)
    }

    public let kind: RolloutKind
    public let strategy: RolloutStrategy
    /// The frozen target set, in the order batches take it.
    public let targets: [DeviceID]
    public internal(set) var state: RolloutState
    /// One per strategy batch.
    public internal(set) var batches: [RolloutBatch]
    /// One per target, in `targets` order.
    public internal(set) var executions: [RolloutDeviceExecution]
    /// Why the rollout ended, or what an operator should know about how it succeeded.
    public internal(set) var reason: String?
    public internal(set) var startedAt: Date?
    public internal(set) var finishedAt: Date?
    /// Results that no longer count towards `max_failure_ratio`, because an operator resumed past them.
    public internal(set) var forgiven: FailureTally
    /// The id the next gate request gets.
    var nextRequest: Int
    /// Derived from `targets`.
    let positions: [DeviceID: Int]
    /// Derived from `executions`.
    var tally: FailureTally

    /// Executed results and failures among them, the terms of `max_failure_ratio`.
    public struct FailureTally: Sendable, Equatable {
        public var executed: Int
        public var failed: Int

        public init(executed: Int = 0, failed: Int = 0) {
            self.executed = executed
            self.failed = failed
        }
    }

    /// A pending rollout over `targets` (duplicates dropped, first place kept), batched by `RolloutBatchPlan`.
    public init(kind: RolloutKind, strategy: RolloutStrategy, targets: [DeviceID]) {
        var seen = Set<DeviceID>()
        let targets = targets.filter { seen.insert($0).inserted }
        let ranges = RolloutBatchPlan.ranges(strategy.batches, targetCount: targets.count)
        self.init(kind: kind, strategy: strategy, targets: targets, state: .pending, batches: ranges.map { RolloutBatch(range: $0) },
                  executions: Array(repeating: RolloutDeviceExecution(), count: targets.count), reason: nil, startedAt: nil,
                  finishedAt: nil, forgiven: FailureTally(), nextRequest: 1)
    }

    init(kind: RolloutKind, strategy: RolloutStrategy, targets: [DeviceID], state: RolloutState, batches: [RolloutBatch],
         executions: [RolloutDeviceExecution], reason: String?, startedAt: Date?, finishedAt: Date?, forgiven: FailureTally,
         nextRequest: Int) {
        self.kind = kind
        self.strategy = strategy
        self.targets = targets
        self.state = state
        self.batches = batches
        self.executions = executions
        self.reason = reason
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.forgiven = forgiven
        self.nextRequest = nextRequest
        positions = Dictionary(uniqueKeysWithValues: targets.enumerated().map { ($1, $0) })
        tally = FailureTally()
        for execution in executions { adjustTally(execution.state, by: 1) }
    }

    /// Applies `event` at the driver's time `now`.
    /// - Returns: what the driver must do, in order; empty when nothing changes.
    public mutating func next(_ event: Event, now: Date) -> [Action] {
        var actions: [Action] = []
        var offline: Set<DeviceID> = []
        switch event {
        case .start:
            actions += start(now)
        case .device(let device, let report):
            record(report, from: device, now: now)
        case .tick(let devices):
            offline = devices
        case .gatesEvaluated(let request, let evaluations):
            record(evaluations, answering: request)
        case .pause:
            actions += pause()
        case .resume:
            actions += resume()
        case .cancel:
            actions += cancel(now)
        }
        actions += expire(now: now, offline: offline)
        actions += advance(now)
        return actions
    }

    // MARK: - Reading

    /// The state of one target's execution; nil for a device that is not a target.
    public func execution(of device: DeviceID) -> RolloutDeviceExecution? {
        positions[device].map { executions[$0] }
    }

    /// The batch (from 0) a target belongs to; nil for a device that is not a target.
    public func batch(of device: DeviceID) -> Int? {
        positions[device].flatMap { position in batches.firstIndex { $0.range.contains(position) } }
    }

    public func devices(inBatch batch: Int) -> [DeviceID] { Array(targets[batches[batch].range]) }

    /// How many targets (of one batch, or all) are in each execution state.
    public func counts(inBatch batch: Int? = nil) -> [RolloutDeviceExecution.State: Int] {
        let range = batch.map { batches[$0].range } ?? targets.indices
        return executions[range].reduce(into: [:]) { $0[$1.state, default: 0] += 1 }
    }

    /// The gate request the driver has yet to answer, so that a replica taking over can evaluate it again.
    public var awaitedGateRequest: GateRequest? {
        guard let index = batches.firstIndex(where: { $0.phase == .evaluating }), let request = batches[index].awaitedRequest,
              let round = batches[index].rounds.last(where: { $0.request == request }) else { return nil }
        return gateRequest(id: request, batch: index, at: round.requestedAt)
    }
}
