import FoundationEssentials
import FleetJSON

/// A span of time a gate reads telemetry over: points with `from <= ts <= to`.
public struct GateWindow: Sendable, Equatable, JSONDecodable, JSONEncodable {
    public var from: Date
    public var to: Date

    public init(from: Date, to: Date) {
        self.from = from
        self.to = to
    }

    /// The `seconds` that end at `end`.
    public init(seconds: Int, endingAt end: Date) {
        self.init(from: end.addingTimeInterval(-Double(seconds)), to: end)
    }

    public init(json: JSON, path: String) throws {
        var reader = try JSONObjectReader(json, path: path)
        from = try RolloutTime.require("from", in: &reader)
        to = try RolloutTime.require("to", in: &reader)
        try reader.finish()
    }

    public var json: JSON { ["from": RolloutTime.json(from), "to": RolloutTime.json(to)] }
}

/// What the driver must read to evaluate one gate: the metric of the updated devices over `window`, and of
/// the baseline devices over the baseline's window. It then calls `GateEvaluation.evaluate`.
public struct GateQuery: Sendable, Equatable {
    public struct Baseline: Sendable, Equatable {
        /// The baseline actually used. `not_updated` falls back to `before` for a batch that leaves no device
        /// on the old version (the last one), rather than having nothing to compare with.
        public var kind: RolloutGate.Baseline
        public var devices: [DeviceID]
        public var window: GateWindow

        public init(kind: RolloutGate.Baseline, devices: [DeviceID], window: GateWindow) {
            self.kind = kind
            self.devices = devices
            self.window = window
        }
    }

    public var gate: RolloutGate
    /// The batch's devices whose execution succeeded: those that run the new version.
    public var devices: [DeviceID]
    /// The last `window_seconds` before the evaluation.
    public var window: GateWindow
    public var baseline: Baseline

    public init(gate: RolloutGate, devices: [DeviceID], window: GateWindow, baseline: Baseline) {
        self.gate = gate
        self.devices = devices
        self.window = window
        self.baseline = baseline
    }
}

/// The gates of one batch to evaluate, answered with `RolloutMachine.Event.gatesEvaluated(request:_:)`.
public struct GateRequest: Sendable, Equatable {
    /// Numbers the requests of one rollout, so that a late or replayed answer to an earlier request is told apart.
    public var id: Int
    public var batch: Int
    /// One per gate of the strategy, in its order.
    public var queries: [GateQuery]

    public init(id: Int, batch: Int, queries: [GateQuery]) {
        self.id = id
        self.batch = batch
        self.queries = queries
    }
}
