import FoundationEssentials
import FleetJSON

/// One batch of a rollout: which targets it holds and how far it got.
public struct RolloutBatch: Sendable, Equatable, JSONDecodable, JSONEncodable {
    public enum Phase: String, JSONKeyword {
        case pending
        /// Its devices were sent the update; waiting for their results.
        case executing
        /// Enough devices succeeded; waiting out `bake_seconds`.
        case baking
        /// The bake is over; waiting for the gates' evaluation.
        case evaluating
        case succeeded
        case failed
        /// The rollout was canceled while the batch was under way.
        case canceled
        /// Never started: it had no devices, or the rollout ended first.
        case skipped
        public static let noun = "batch phase"

        public var isFinal: Bool { [.succeeded, .failed, .canceled, .skipped].contains(self) }
        /// The update went out to the batch's devices.
        public var wasStarted: Bool { self != .pending && self != .skipped }
    }

    /// One request for the gates' evaluation and, once the driver answered, its records.
    public struct GateRound: Sendable, Equatable, JSONDecodable, JSONEncodable {
        public var request: Int
        public var requestedAt: Date
        /// Nil while the answer is awaited.
        public var evaluations: [GateEvaluation]?

        public init(request: Int, requestedAt: Date, evaluations: [GateEvaluation]? = nil) {
            self.request = request
            self.requestedAt = requestedAt
            self.evaluations = evaluations
        }

        public init(json: JSON, path: String) throws {
            var reader = try JSONObjectReader(json, path: path)
            request = try reader.require("request")
            requestedAt = try RolloutTime.require("requested_at", in: &reader)
            evaluations = try reader.optional("evaluations")
            try reader.finish()
        }

        public var json: JSON {
            ["request": request.json, "requested_at": RolloutTime.json(requestedAt), "evaluations": evaluations.map(\.json) ?? .null]
        }
    }

    /// Positions in the rollout's target list.
    public var range: Range<Int>
    public var phase: Phase
    public var startedAt: Date?
    /// When every execution had ended and enough had succeeded: the bake starts here.
    public var executedAt: Date?
    public var finishedAt: Date?
    /// Why it failed.
    public var failure: String?
    /// Every evaluation of its gates, oldest first (an inconclusive one is evaluated again on resume).
    public var rounds: [GateRound]
    /// The request whose answer is awaited and not yet acted on; nil in `evaluating` when one must be made.
    public var awaitedRequest: Int?

    public init(range: Range<Int>, phase: Phase = .pending) {
        self.range = range
        self.phase = phase
        rounds = []
    }

    public init(json: JSON, path: String) throws {
        var reader = try JSONObjectReader(json, path: path)
        let first: Int = try reader.require("first")
        let count: Int = try reader.require("count")
        guard first >= 0, count >= 0 else { throw JSONError(path: path, message: "first and count must not be negative") }
        range = first..<(first + count)
        phase = try reader.require("phase")
        startedAt = try RolloutTime.optional("started_at", in: &reader)
        executedAt = try RolloutTime.optional("executed_at", in: &reader)
        finishedAt = try RolloutTime.optional("finished_at", in: &reader)
        failure = try reader.optional("failure")
        rounds = try reader.optional("rounds") ?? []
        awaitedRequest = try reader.optional("awaited_request")
        try reader.finish()
    }

    public var json: JSON {
        [
            "first": range.lowerBound.json, "count": range.count.json, "phase": phase.json,
            "started_at": RolloutTime.json(startedAt), "executed_at": RolloutTime.json(executedAt),
            "finished_at": RolloutTime.json(finishedAt), "failure": failure.json, "rounds": rounds.json,
            "awaited_request": awaitedRequest.json,
        ]
    }
}
