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

    public init(metric: String, labels: [String: String] = [:], timestamp: Date = Date(), value: Double) {
        self.metric = metric
        self.labels = labels
        self.timestamp = timestamp
        self.value = value
    }

    public var json: JSON {
        ["metric": .string(metric), "labels": labels.json, "ts": timestamp.json, "value": .double(value)]
    }
}
