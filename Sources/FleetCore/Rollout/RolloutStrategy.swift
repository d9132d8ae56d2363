import FleetJSON

/// How a rollout moves through its targets (DESIGN section 7, the strategy part of `POST /v1/rollouts`):
///
/// ```json
/// {"batches": [{"count": 1}, {"percent": 10}, {"percent": 100}],
///  "success_threshold": 0.95, "max_failure_ratio": 0.1, "min_executed": 20,
///  "execution_timeout_seconds": 600, "bake_seconds": 300, "on_failure": "rollback",
///  "gates": [{"name": "latency", "metric": "inference_latency_ms", "stat": "p95", "max_increase": 0.2,
///             "window_seconds": 300, "min_devices": 1, "min_points": 10}]}
/// ```
///
/// Parsing refuses every strategy that could never finish or never be judged: a threshold outside (0, 1], no
/// batches, a batch of nothing, percentages that do not grow, gates that cannot be met or that look back past
/// the start of their bake. Only `batches` is required; the rest has the defaults of `init`.
public struct RolloutStrategy: Sendable, Equatable, JSONDecodable, JSONEncodable {
    public static let maximumBatches = 100
    public static let maximumCount = 1_000_000
    public static let maximumGates = 16
    public static let timeoutRange = 1...604_800
    public static let bakeRange = 0...604_800

    /// The size of one batch.
    public enum BatchSize: Sendable, Equatable {
        /// This many devices more.
        case count(Int)
        /// Up to this share of the whole target set, counting the earlier batches: `[{percent: 10},
        /// {percent: 50}]` reaches 10 % and then 50 % of the targets, as Flight Control's and Argo Rollouts'
        /// steps do. Whole percents, 1 to 100.
        case percent(Int)
    }

    /// What a failed batch does to the rollout.
    public enum FailureAction: String, JSONKeyword {
        /// Wait for an operator: resume goes on with the next batch, cancel stops.
        case pause
        /// End the rollout as failed; updated devices stay updated.
        case abort
        /// Undo the update on the devices it reached, then end as rolled back.
        case rollback
        public static let noun = "on_failure action"
    }

    public var batches: [BatchSize]
    /// The share of a batch's devices that must succeed for it to pass, in (0, 1].
    public var successThreshold: Double
    /// Failed (and timed-out) executions over all executed ones in the whole rollout above which it stops at
    /// once, without waiting for the batch to end; nil when only the threshold judges.
    public var maxFailureRatio: Double?
    /// How many executions must have ended before `maxFailureRatio` can trip, so that the first failure of
    /// a canary does not read as a 100 % failure rate.
    public var minExecuted: Int
    /// A device that has neither succeeded nor failed this long after its batch started counts as failed.
    public var executionTimeoutSeconds: Int
    /// How long a batch that succeeded must stay healthy before the next one starts; gates are evaluated
    /// at its end.
    public var bakeSeconds: Int
    public var onFailure: FailureAction
    public var gates: [RolloutGate]

    public init(batches: [BatchSize], successThreshold: Double = 1, maxFailureRatio: Double? = nil, minExecuted: Int = 1,
                executionTimeoutSeconds: Int = 3600, bakeSeconds: Int = 0, onFailure: FailureAction = .pause,
                gates: [RolloutGate] = []) {
        self.batches = batches
        self.successThreshold = successThreshold
        self.maxFailureRatio = maxFailureRatio
        // Without a ratio there is nothing for a minimum to hold back; 1 keeps the canonical form unambiguous.
        self.minExecuted = maxFailureRatio == nil ? 1 : minExecuted
        self.executionTimeoutSeconds = executionTimeoutSeconds
        self.bakeSeconds = bakeSeconds
        self.onFailure = onFailure
        self.gates = gates
    }

    /// - Parameter path: where the strategy sits in the request (`""` for a document of its own), so that
    ///   errors name the member as the client wrote it.
    /// - Throws: `JSONError` with the path of the first problem (`batches[2].percent`).
    public init(json: JSON, path: String) throws {
        func at(_ member: String) -> String { JSONObjectReader.join(path, member) }
        var reader = try JSONObjectReader(json, path: path)
        let batchItems = try reader.require("batches", as: [JSON].self)
        successThreshold = try reader.optional("success_threshold") ?? 1
        maxFailureRatio = try reader.optional("max_failure_ratio")
        let minExecuted: Int? = try reader.optional("min_executed")
        executionTimeoutSeconds = try reader.optional("execution_timeout_seconds") ?? 3600
        bakeSeconds = try reader.optional("bake_seconds") ?? 0
        onFailure = try reader.optional("on_failure") ?? .pause
        let gateItems = try reader.optional("gates", as: [JSON].self) ?? []
        try reader.finish()

        guard !batchItems.isEmpty else { throw JSONError(path: at("batches"), message: "needs at least one batch") }
        guard batchItems.count <= Self.maximumBatches else {
            throw JSONError(path: at("batches"), message: "at most \(Self.maximumBatches) batches")
        }
        batches = try batchItems.enumerated().map { try Self.batch($1, path: at("batches[\($0)]")) }
        try Self.checkGrowth(batches, path: at("batches"))

        guard successThreshold > 0, successThreshold <= 1 else {
            throw JSONError(path: at("success_threshold"), message: "must be above 0 and at most 1 (the share of a batch that must succeed)")
        }
        if let maxFailureRatio, !(0...1).contains(maxFailureRatio) {
            throw JSONError(path: at("max_failure_ratio"), message: "must be between 0 and 1")
        }
        if let minExecuted {
            guard maxFailureRatio != nil else {
                throw JSONError(path: at("min_executed"), message: "only applies with max_failure_ratio")
            }
            try (1...Self.maximumCount).check(minExecuted, path: at("min_executed"))
        }
        self.minExecuted = minExecuted ?? 1
        try Self.timeoutRange.check(executionTimeoutSeconds, path: at("execution_timeout_seconds"))
        try Self.bakeRange.check(bakeSeconds, path: at("bake_seconds"))

        guard gateItems.count <= Self.maximumGates else { throw JSONError(path: at("gates"), message: "at most \(Self.maximumGates) gates") }
        gates = try gateItems.enumerated().map { try RolloutGate(json: $1, path: at("gates[\($0)]")) }
        var names = Set<String>()
        for (index, gate) in gates.enumerated() {
            guard names.insert(gate.name).inserted else {
                throw JSONError(path: at("gates[\(index)].name"), message: "'\(gate.name)' is named twice")
            }
            // Gates look at the last window_seconds of the bake; a longer window would measure the old version.
            guard gate.windowSeconds <= bakeSeconds else {
                throw JSONError(path: at("gates[\(index)].window_seconds"),
                                message: "\(gate.windowSeconds) is longer than bake_seconds (\(bakeSeconds)): the window would reach back before the batch was updated")
            }
        }
    }

    /// The canonical strategy, every default written out; it reads back as an equal strategy.
    public var json: JSON {
        var members: [String: JSON] = [
            "batches": .array(batches.map(\.json)), "success_threshold": .double(successThreshold),
            "execution_timeout_seconds": executionTimeoutSeconds.json, "bake_seconds": bakeSeconds.json,
            "on_failure": onFailure.json, "gates": .array(gates.map(\.json)),
        ]
        if let maxFailureRatio {
            members["max_failure_ratio"] = .double(maxFailureRatio)
            members["min_executed"] = minExecuted.json
        }
        return .object(members)
    }

    /// Whether the strategy can be carried out for a rollout of this kind.
    /// - Throws: `JSONError` at `on_failure` when it asks to roll back a command rollout that has no
    ///   `rollback_command`.
    public func check(for kind: RolloutKind, path: String = "") throws {
        if onFailure == .rollback, case .command(hasRollbackCommand: false) = kind {
            throw JSONError(path: JSONObjectReader.join(path, "on_failure"),
                            message: "rollback needs a rollback_command to send to the devices where the command succeeded")
        }
    }

    private static func batch(_ json: JSON, path: String) throws -> BatchSize {
        var reader = try JSONObjectReader(json, path: path)
        let count: Int? = try reader.optional("count")
        let percent: Int? = try reader.optional("percent")
        try reader.finish()
        switch (count, percent) {
        case (let count?, nil):
            try (1...maximumCount).check(count, path: "\(path).count")
            return .count(count)
        case (nil, let percent?):
            try (1...100).check(percent, path: "\(path).percent")
            return .percent(percent)
        default:
            throw JSONError(path: path, message: "give either count or percent")
        }
    }

    /// Percentages are shares of the whole target set reached so far, so each must be above the one before;
    /// and once 100 % is reached no device is left for another batch.
    private static func checkGrowth(_ batches: [BatchSize], path: String) throws {
        var reached: Int?
        for (index, batch) in batches.enumerated() {
            if reached == 100 {
                throw JSONError(path: "\(path)[\(index)]", message: "comes after a 100 % batch, so it would have no devices")
            }
            guard case .percent(let percent) = batch else { continue }
            if let reached, percent <= reached {
                throw JSONError(path: "\(path)[\(index)].percent",
                                message: "\(percent) does not grow past \(reached): percentages are the share of all targets reached so far")
            }
            reached = percent
        }
    }
}

extension RolloutStrategy.BatchSize: JSONEncodable {
    public var json: JSON {
        switch self {
        case .count(let count): ["count": count.json]
        case .percent(let percent): ["percent": percent.json]
        }
    }
}

extension ClosedRange<Int> {
    /// - Throws: `JSONError` at `path` when `value` is outside the range.
    func check(_ value: Int, path: String) throws {
        guard contains(value) else { throw JSONError(path: path, message: "must be between \(lowerBound) and \(upperBound)") }
    }
}
