import FoundationEssentials
import Glibc
import FleetCore
import FleetJSON

/// How `GET /v1/telemetry` combines the points within one step.
public enum MetricAggregation: String, Sendable, CaseIterable {
    case avg, min, max, sum, last
    /// Per-second increase of a cumulative counter.
    case rate
}

/// The parameters of `GET /v1/telemetry`; nil members are left to the server's defaults (the last hour,
/// about 300 steps, `avg`, every label set).
public struct MetricQuery: Sendable, Equatable {
    public var device: DeviceID
    public var metric: String
    public var from: Date?
    public var to: Date?
    /// Bucket width in whole seconds, 10 to 86400.
    public var stepSeconds: Int?
    public var aggregation: MetricAggregation?
    /// Only series whose labels match.
    public var labels: LabelSelector?

    public init(device: DeviceID, metric: String, from: Date? = nil, to: Date? = nil, stepSeconds: Int? = nil,
                aggregation: MetricAggregation? = nil, labels: LabelSelector? = nil) {
        self.device = device
        self.metric = metric
        self.from = from
        self.to = to
        self.stepSeconds = stepSeconds
        self.aggregation = aggregation
        self.labels = labels
    }

    var items: [(String, String?)] {
        [("device_id", device.description), ("metric", metric), ("from", from.map(Timestamp.format)), ("to", to.map(Timestamp.format)),
         ("step", stepSeconds.map(String.init)), ("agg", aggregation?.rawValue), ("labels", labels?.description)]
    }
}

/// One value of a series: the start of its step and the aggregate (nil only when it overflowed a double).
public struct MetricPoint: Sendable, Equatable {
    public var time: Date
    public var value: Double?

    public init(time: Date, value: Double?) {
        self.time = time
        self.value = value
    }
}

/// One label set's points of a metric on a device, oldest first.
public struct MetricSeries: Sendable, Equatable, JSONEncodable {
    public var device: DeviceID
    public var metric: String
    public var labels: [String: String]
    public var points: [MetricPoint]

    public init(device: DeviceID, metric: String, labels: [String: String], points: [MetricPoint]) {
        self.device = device
        self.metric = metric
        self.labels = labels
        self.points = points
    }

    /// `metric{a="1",b="2"}`, as Prometheus writes a series.
    public var title: String {
        guard !labels.isEmpty else { return metric }
        let pairs = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\(JSON.string($0.value).serialized())" }
        return "\(metric){\(pairs.joined(separator: ","))}"
    }

    public var json: JSON {
        [
            "device_id": device.json, "metric": .string(metric), "labels": labels.json,
            "points": .array(points.map { .array([.string(Timestamp.format($0.time)), $0.value.map(JSON.double) ?? .null]) }),
        ]
    }

    init(api object: APIObject) throws {
        device = try object.decode("device_id")
        metric = try object.string("metric")
        labels = try object.decodeIfPresent("labels") ?? [:]
        let pairs: [[JSON]] = try object.decode("points")
        points = try pairs.enumerated().map { index, pair in
            let path = "\(object.path.isEmpty ? "" : object.path + ".")points[\(index)]"
            guard pair.count == 2, let text = pair[0].stringValue, let time = Timestamp.parse(text) else {
                throw JSONError(path: path, message: "expected [RFC 3339 timestamp, number or null]")
            }
            if pair[1].isNull { return MetricPoint(time: time, value: nil) }
            return MetricPoint(time: time, value: try Double(json: pair[1], path: "\(path)[1]"))
        }
    }
}

/// The answer of `GET /v1/telemetry`: the series, and the range, step and aggregation the server applied
/// (counters default to `rate`, events to `sum`, gauges to `avg`).
public struct MetricQueryResult: Sendable, Equatable, JSONEncodable {
    public var series: [MetricSeries]
    public var aggregation: MetricAggregation
    public var stepSeconds: Int
    public var from: Date
    public var to: Date
    /// What the device said the metric is (`counter`, `gauge`, `event`); nil when it never reported it.
    public var kind: String?

    public init(series: [MetricSeries], aggregation: MetricAggregation, stepSeconds: Int, from: Date, to: Date, kind: String? = nil) {
        self.series = series
        self.aggregation = aggregation
        self.stepSeconds = stepSeconds
        self.from = from
        self.to = to
        self.kind = kind
    }

    init(api object: APIObject) throws {
        series = try object.array("series").map(MetricSeries.init(api:))
        let text = try object.string("agg")
        guard let aggregation = MetricAggregation(rawValue: text) else {
            throw JSONError(path: "agg", message: "unknown aggregation '\(text)'")
        }
        self.aggregation = aggregation
        stepSeconds = try object.decode("step")
        from = try object.date("from")
        to = try object.date("to")
        kind = try object.optionalString("kind")
    }

    public var json: JSON {
        ["series": .array(series.map(\.json)), "agg": .string(aggregation.rawValue), "step": .int(Int64(stepSeconds)),
         "from": from.json, "to": to.json, "kind": kind.map(JSON.string) ?? .null]
    }
}

extension FleetClient {
    /// A metric of one device, bucketed by step and combined by the aggregation, one series per label set.
    public func telemetry(_ query: MetricQuery) throws -> MetricQueryResult {
        try fetch(.get, "/v1/telemetry", query: query.items, decode: MetricQueryResult.init(api:))
    }
}
