import FoundationEssentials
import Glibc
import FleetCore
import FleetJSON

/// One sample as the telemetry API takes it.
public struct TelemetryPoint: Sendable, Equatable, JSONEncodable {
    public var metric: String
    public var labels: [String: String]
    public var timestamp: Date
    public var value: Double
    /// Sent once per batch for the metrics that are not gauges (`TelemetryOutbox`), not with each point.
    public var kind: MetricKind

    public init(metric: String, kind: MetricKind = .gauge, labels: [String: String] = [:], timestamp: Date = Date(), value: Double) {
        self.metric = metric
        self.kind = kind
        self.labels = labels
        self.timestamp = timestamp
        self.value = value
    }

    /// A point of one of the executor's own metrics.
    public init(_ metric: ExecutorMetric, labels: [String: String] = [:], timestamp: Date = Date(), value: Double) {
        self.init(metric: metric.name, kind: metric.kind, labels: labels, timestamp: timestamp, value: value)
    }

    public var json: JSON {
        ["metric": .string(metric), "labels": labels.json, "ts": timestamp.json, "value": .double(value)]
    }
}
