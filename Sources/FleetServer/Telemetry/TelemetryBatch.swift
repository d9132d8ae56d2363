import Foundation
import FleetCore
import FleetJSON

/// One sample as an executor reports it.
struct TelemetryPoint: Sendable, Equatable {
    let metric: String
    let labels: [String: String]
    let ts: Date
    let value: Double
}

/// The body of `POST /v1/executor/telemetry`, checked member by member; unknown members are rejected.
struct TelemetryBatch: Sendable {
    static let maximumPoints = 10_000
    static let maximumBatchIDLength = 128
    static let maximumLabelsPerPoint = 32
    static let maximumLabelValueLength = 256
    /// How far ahead of the server's clock a point may be stamped (executor clocks drift).
    static let maximumFutureSkew: TimeInterval = 3600

    let batchID: String
    let points: [TelemetryPoint]
    /// What the executor says its metrics are (`{"syscalls_total": "counter"}`); metrics it leaves out are gauges.
    let kinds: [String: MetricKind]

    /// - Parameter now: the server's clock, to refuse points stamped too far in the future.
    /// - Throws: `JSONError` naming the offending member (`points[3].ts`).
    init(_ body: inout JSONObjectReader, now: Date) throws {
        batchID = try body.require("batch_id")
        let items = try body.require("points", as: [JSON].self)
        let kindTexts = try body.optional("kinds", as: [String: String].self) ?? [:]
        try body.finish()
        var kinds: [String: MetricKind] = [:]
        for (metric, text) in kindTexts {
            guard MetricName.isValid(metric) else { throw JSONError(path: "kinds", message: "'\(metric)' is not a metric name") }
            guard let kind = MetricKind(rawValue: text) else {
                throw JSONError(path: "kinds.\(metric)", message: "unknown kind '\(text)': use \(MetricKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kinds[metric] = kind
        }
        self.kinds = kinds
        guard (1...Self.maximumBatchIDLength).contains(batchID.count) else {
            throw JSONError(path: "batch_id", message: "must be 1 to \(Self.maximumBatchIDLength) characters")
        }
        guard (1...Self.maximumPoints).contains(items.count) else {
            throw JSONError(path: "points", message: "must hold 1 to \(Self.maximumPoints) points, not \(items.count)")
        }
        let latest = now.addingTimeInterval(Self.maximumFutureSkew)
        var points: [TelemetryPoint] = []
        points.reserveCapacity(items.count)
        var checkedLabels = Set<[String: String]>()
        for (index, item) in items.enumerated() {
            do {
                points.append(try Self.point(item, latest: latest, checkedLabels: &checkedLabels))
            } catch let error as JSONError {
                // Paths are only spelled out for the point at fault; building one per point costs more than the check.
                let prefix = "points[\(index)]"
                throw JSONError(path: error.path.isEmpty ? prefix : "\(prefix).\(error.path)", message: error.message)
            }
        }
        self.points = points
    }

    /// One point; errors carry paths relative to the point. Label sets already checked in this batch are not
    /// checked again (a batch mostly repeats a few).
    private static func point(_ json: JSON, latest: Date, checkedLabels: inout Set<[String: String]>) throws -> TelemetryPoint {
        var reader = try JSONObjectReader(json)
        let metric: String = try reader.require("metric")
        let labels = try reader.optional("labels", as: [String: String].self) ?? [:]
        let text: String = try reader.require("ts")
        let value: Double = try reader.require("value")
        try reader.finish()
        guard MetricName.isValid(metric) else {
            throw JSONError(path: "metric", message: "'\(metric)' is not a metric name: use up to \(MetricName.maximumLength) of [a-zA-Z0-9_:], not starting with a digit")
        }
        if !labels.isEmpty, !checkedLabels.contains(labels) {
            try validate(labels, path: "labels")
            checkedLabels.insert(labels)
        }
        guard let ts = Timestamp.parse(text) else {
            throw JSONError(path: "ts", message: "'\(text)' is not an RFC 3339 timestamp such as 2026-11-29T07:00:00Z")
        }
        guard ts <= latest else {
            throw JSONError(path: "ts", message: "\(text) is more than \(Int(maximumFutureSkew)) seconds ahead of the server's clock")
        }
        guard value.isFinite else { throw JSONError(path: "value", message: "must be a finite number") }
        return TelemetryPoint(metric: metric, labels: labels, ts: ts, value: value)
    }

    /// Keys follow the label-key rules (so `?labels=` selectors can name them); values are any text up to
    /// 256 characters, since they come from map keys and event fields rather than from people.
    static func validate(_ labels: [String: String], path: String) throws {
        guard labels.count <= maximumLabelsPerPoint else {
            throw JSONError(path: path, message: "at most \(maximumLabelsPerPoint) labels per point")
        }
        for (key, value) in labels {
            guard Labels.isValidKey(key) else {
                throw JSONError(path: path, message: "invalid label key '\(key)': use up to 63 alphanumerics, '-', '_' or '.', optionally after a DNS prefix and '/'")
            }
            guard value.count <= maximumLabelValueLength else {
                throw JSONError(path: "\(path).\(key)", message: "label values are at most \(maximumLabelValueLength) characters")
            }
        }
    }
}
