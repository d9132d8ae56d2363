import FoundationEssentials
import FleetJSON

/// The record of one gate evaluated over one batch: what was measured, against what, on how much data, and
/// the verdict. It is kept in the rollout's state and shown by the API, `fleetctl` and the audit log.
public struct GateEvaluation: Sendable, Equatable, JSONDecodable, JSONEncodable {
    public enum Verdict: String, JSONKeyword {
        case pass, fail
        /// Too few devices or points to tell; never a pass.
        case inconclusive
        public static let noun = "verdict"
    }

    public var gate: String
    public var metric: String
    public var stat: RolloutGate.Statistic
    public var window: GateWindow
    public var measured: GateStatistics.Measurement
    public var baselineKind: RolloutGate.Baseline
    public var baselineWindow: GateWindow
    /// The same statistic over the baseline, whether or not the gate compares with it.
    public var baseline: GateStatistics.Measurement
    /// The highest value that passes: the lower of `max` and the baseline raised by `max_increase`.
    public var upperBound: Double?
    /// The lowest value that passes (`min`).
    public var lowerBound: Double?
    public var verdict: Verdict
    /// One line for people: "p95 of inference_latency_ms 180 is above 120 (baseline 100 + 20 %)".
    public var reason: String

    public init(gate: String, metric: String, stat: RolloutGate.Statistic, window: GateWindow,
                measured: GateStatistics.Measurement, baselineKind: RolloutGate.Baseline, baselineWindow: GateWindow,
                baseline: GateStatistics.Measurement, upperBound: Double?, lowerBound: Double?, verdict: Verdict, reason: String) {
        self.gate = gate
        self.metric = metric
        self.stat = stat
        self.window = window
        self.measured = measured
        self.baselineKind = baselineKind
        self.baselineWindow = baselineWindow
        self.baseline = baseline
        self.upperBound = upperBound
        self.lowerBound = lowerBound
        self.verdict = verdict
        self.reason = reason
    }

    /// Evaluates `query.gate` on the series the driver read for it.
    ///
    /// The verdict is `inconclusive` when the measurement has fewer than `min_devices` devices or `min_points`
    /// points, or when the gate has `max_increase` and the baseline has that little; otherwise `fail` when the
    /// value is above the upper or below the lower bound, and `pass`.
    /// - Parameters:
    ///   - measured: the series of `query.devices` over `query.window`.
    ///   - baseline: the series of `query.baseline.devices` over `query.baseline.window`.
    public static func evaluate(_ query: GateQuery, measured: [GateSeries], baseline: [GateSeries]) -> GateEvaluation {
        let gate = query.gate
        let now = GateStatistics.measure(gate.stat, over: measured)
        let before = GateStatistics.measure(gate.stat, over: baseline)
        var upper = gate.max
        var reference = ""
        func shortage(_ measurement: GateStatistics.Measurement) -> String? {
            guard measurement.value == nil || measurement.devices < gate.minDevices || measurement.points < gate.minPoints else { return nil }
            return "\(counted(measurement.devices, "device")) with \(counted(measurement.points, "point")); "
                + "the gate needs at least \(counted(gate.minDevices, "device")) and \(counted(gate.minPoints, "point"))"
        }
        var verdict = Verdict.pass
        var reason = ""
        if let missing = shortage(now) {
            verdict = .inconclusive
            reason = "too little data in the window: \(missing)"
        } else if let increase = gate.maxIncrease {
            if let missing = shortage(before) {
                verdict = .inconclusive
                reason = "too little baseline data (\(query.baseline.kind.rawValue)): \(missing)"
            } else if let base = before.value {
                let allowed = base + abs(base) * increase
                if upper.map({ allowed < $0 }) ?? true {
                    upper = allowed
                    reference = " (baseline \(text(base)) + \(text(increase * 100)) %)"
                }
            }
        }
        let label = "\(gate.stat.rawValue) of \(gate.metric)"
        if verdict == .pass, let value = now.value {
            if let upper, value > upper {
                verdict = .fail
                reason = "\(label) \(text(value)) is above \(text(upper))\(reference)"
            } else if let lower = gate.min, value < lower {
                verdict = .fail
                reason = "\(label) \(text(value)) is below \(text(lower))"
            } else {
                reason = "\(label) \(text(value)) is within bounds"
            }
        }
        return GateEvaluation(gate: gate.name, metric: gate.metric, stat: gate.stat, window: query.window, measured: now,
                              baselineKind: query.baseline.kind, baselineWindow: query.baseline.window, baseline: before,
                              upperBound: upper, lowerBound: gate.min, verdict: verdict, reason: reason)
    }

    private static func text(_ value: Double) -> String { value.formatted(significant: 6) }

    private static func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    public init(json: JSON, path: String) throws {
        var reader = try JSONObjectReader(json, path: path)
        gate = try reader.require("gate")
        metric = try reader.require("metric")
        stat = try reader.require("stat")
        window = try reader.require("window")
        measured = try reader.require("measured")
        var base = try JSONObjectReader(reader.require("baseline", as: JSON.self), path: JSONObjectReader.join(path, "baseline"))
        baselineKind = try base.require("kind")
        baselineWindow = try base.require("window")
        baseline = try GateStatistics.Measurement(reading: &base)
        try base.finish()
        upperBound = try reader.optional("max")
        lowerBound = try reader.optional("min")
        verdict = try reader.require("verdict")
        reason = try reader.require("reason")
        try reader.finish()
    }

    public var json: JSON {
        var base = baseline.members
        base["kind"] = baselineKind.json
        base["window"] = baselineWindow.json
        return [
            "gate": .string(gate), "metric": .string(metric), "stat": stat.json, "window": window.json,
            "measured": .object(measured.members), "baseline": .object(base),
            "max": upperBound.map(JSON.double) ?? .null, "min": lowerBound.map(JSON.double) ?? .null,
            "verdict": verdict.json, "reason": .string(reason),
        ]
    }
}

extension GateStatistics.Measurement: JSONDecodable {
    /// `{"value": 180.5, "devices": 3, "points": 120}`, `value` null when nothing was measured.
    public init(json: JSON, path: String) throws {
        var reader = try JSONObjectReader(json, path: path)
        try self.init(reading: &reader)
        try reader.finish()
    }

    fileprivate init(reading reader: inout JSONObjectReader) throws {
        self.init(value: try reader.optional("value"), devices: try reader.require("devices"), points: try reader.require("points"))
    }

    fileprivate var members: [String: JSON] {
        ["value": value.map(JSON.double) ?? .null, "devices": devices.json, "points": points.json]
    }
}
