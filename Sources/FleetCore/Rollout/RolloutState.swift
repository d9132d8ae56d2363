import FleetJSON

/// Where a rollout is. Only `paused` can go back to `running`; the last four are final.
public enum RolloutState: Sendable, Equatable {
    /// Created; the driver has not started it.
    case pending
    case running
    /// Waiting for an operator; `resume` goes on, `cancel` stops.
    case paused(RolloutPause)
    case succeeded
    /// A batch failed and the strategy said abort (or rollback with nothing to roll back with).
    case failed
    /// A batch failed and the devices it reached were put back.
    case rolledBack
    case canceled

    /// The name the API and the stored state use: `pending`, `running`, `paused`, `succeeded`, `failed`,
    /// `rolled_back`, `canceled`.
    public var name: String {
        switch self {
        case .pending: "pending"
        case .running: "running"
        case .paused: "paused"
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .rolledBack: "rolled_back"
        case .canceled: "canceled"
        }
    }

    public var isFinal: Bool {
        switch self {
        case .pending, .running, .paused: false
        case .succeeded, .failed, .rolledBack, .canceled: true
        }
    }

    /// The state called `name`; a paused one needs its `pause`.
    /// - Throws: `JSONError` at `path` for an unknown name or a pause that does not fit it.
    public init(name: String, pause: RolloutPause?, path: String) throws {
        let states: [RolloutState] = [.pending, .running, .succeeded, .failed, .rolledBack, .canceled]
        if name == "paused" {
            guard let pause else { throw JSONError(path: path, message: "a paused rollout needs its pause") }
            self = .paused(pause)
        } else if let state = states.first(where: { $0.name == name }), pause == nil {
            self = state
        } else {
            throw JSONError(path: path, message: "unknown rollout state '\(name)', or a pause on a state other than paused")
        }
    }

    /// The pause of a paused rollout.
    public var pause: RolloutPause? {
        if case .paused(let pause) = self { return pause }
        return nil
    }
}

/// Why a rollout waits for an operator.
public struct RolloutPause: Sendable, Equatable, JSONDecodable, JSONEncodable {
    public enum Cause: String, JSONKeyword {
        /// `POST /v1/rollouts/{id}/pause`.
        case `operator`
        /// A batch failed and the strategy's `on_failure` is `pause`.
        case batchFailed = "batch_failed"
        /// A gate had too little data to judge.
        case inconclusive
        public static let noun = "pause cause"
    }

    public var cause: Cause
    /// The batch it concerns (from 0), for the causes that have one.
    public var batch: Int?
    public var message: String

    public init(cause: Cause, batch: Int? = nil, message: String) {
        self.cause = cause
        self.batch = batch
        self.message = message
    }

    public init(json: JSON, path: String) throws {
        var reader = try JSONObjectReader(json, path: path)
        cause = try reader.require("cause")
        batch = try reader.optional("batch")
        message = try reader.require("message")
        try reader.finish()
    }

    public var json: JSON { ["cause": cause.json, "batch": batch.json, "message": .string(message)] }
}
