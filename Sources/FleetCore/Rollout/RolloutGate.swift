import FleetJSON

/// A condition on what the devices of a batch measure after their update, checked at the end of the batch's bake
/// (DESIGN section 7):
///
/// ```json
/// {"name": "latency", "metric": "inference_latency_ms", "labels": "model=anomaly", "stat": "p95",
///  "max": 250, "max_increase": 0.2, "baseline": "before", "window_seconds": 300, "min_devices": 3, "min_points": 30}
/// ```
///
/// `labels` is a label selector as `GET /v1/telemetry?labels=` takes it. At least one of `max`, `min` and
/// `max_increase` must be given; `max_increase` is relative to the baseline (0.2: at most 20 % above it).
public struct RolloutGate: Sendable, Equatable, JSONDecodable, JSONEncodable {
    public static let windowRange = 1...86_400
    /// What `min_devices` and `min_points` may ask for.
    public static let requirementRange = 1...1_000_000

    /// How the points in the window are reduced to one value.
    public enum Statistic: String, JSONKeyword {
        case avg, p50, p95, p99, max, rate
        public static let noun = "stat"
    }

    /// What `max_increase` compares with.
    public enum Baseline: String, JSONKeyword {
        /// Each updated device's own window just before its batch started.
        case before
        /// The target devices still on the old version, over the same window.
        case notUpdated = "not_updated"
        public static let noun = "baseline"
    }

    public var name: String
    public var metric: String
    public var labels: LabelSelector
    public var stat: Statistic
    /// The measured value must not be above this.
    public var max: Double?
    /// The measured value must not be below this.
    public var min: Double?
    /// The measured value may exceed the baseline by at most this share of the baseline's magnitude.
    public var maxIncrease: Double?
    public var baseline: Baseline
    public var windowSeconds: Int
    /// Fewer devices with data in the window make the evaluation inconclusive.
    public var minDevices: Int
    /// Fewer points in the window make the evaluation inconclusive.
    public var minPoints: Int

    public init(name: String, metric: String, labels: LabelSelector = LabelSelector(requirements: []),
                stat: Statistic, max: Double? = nil, min: Double? = nil, maxIncrease: Double? = nil,
                baseline: Baseline = .before, windowSeconds: Int, minDevices: Int = 1, minPoints: Int = 1) {
        self.name = name
        self.metric = metric
        self.labels = labels
        self.stat = stat
        self.max = max
        self.min = min
        self.maxIncrease = maxIncrease
        self.baseline = baseline
        self.windowSeconds = windowSeconds
        self.minDevices = minDevices
        self.minPoints = minPoints
    }

    /// - Throws: `JSONError` naming the member at fault (`gates[0].stat`).
    public init(json: JSON, path: String) throws {
        var reader = try JSONObjectReader(json, path: path)
        name = try reader.require("name")
        metric = try reader.require("metric")
        let labelsText: String = try reader.optional("labels") ?? ""
        stat = try reader.require("stat")
        max = try reader.optional("max")
        min = try reader.optional("min")
        maxIncrease = try reader.optional("max_increase")
        baseline = try reader.optional("baseline") ?? .before
        windowSeconds = try reader.require("window_seconds")
        minDevices = try reader.optional("min_devices") ?? 1
        minPoints = try reader.optional("min_points") ?? 1
        try reader.finish()

        func at(_ member: String) -> String { JSONObjectReader.join(path, member) }
        try DeploymentName.check(name, path: at("name"), maxLength: 63)
        guard MetricName.isValid(metric) else {
            throw JSONError(path: at("metric"),
                            message: "'\(metric)' is not a metric name: use [a-zA-Z_:][a-zA-Z0-9_:]*, at most \(MetricName.maximumLength) bytes")
        }
        do { labels = try LabelSelector(parsing: labelsText) } catch let error as LabelSelectorError {
            throw JSONError(path: at("labels"), message: error.description)
        }
        guard max != nil || min != nil || maxIncrease != nil else {
            throw JSONError(path: path, message: "a gate needs max, min or max_increase")
        }
        if let max, let min, min > max { throw JSONError(path: at("min"), message: "is above max, so no value could pass") }
        if let maxIncrease, maxIncrease < 0 { throw JSONError(path: at("max_increase"), message: "must not be negative") }
        try Self.windowRange.check(windowSeconds, path: at("window_seconds"))
        try Self.requirementRange.check(minDevices, path: at("min_devices"))
        try Self.requirementRange.check(minPoints, path: at("min_points"))
    }

    /// The canonical gate: every member but the absent bounds and an empty selector.
    public var json: JSON {
        var members: [String: JSON] = [
            "name": .string(name), "metric": .string(metric), "stat": stat.json, "baseline": baseline.json,
            "window_seconds": windowSeconds.json, "min_devices": minDevices.json, "min_points": minPoints.json,
        ]
        if !labels.requirements.isEmpty { members["labels"] = .string(labels.description) }
        if let max { members["max"] = .double(max) }
        if let min { members["min"] = .double(min) }
        if let maxIncrease { members["max_increase"] = .double(maxIncrease) }
        return .object(members)
    }
}
