import FoundationEssentials
import FleetCore
import FleetJSON

/// One metric a device reports, as `GET /v1/telemetry/metrics` lists it.
public struct DeviceMetric: Sendable, Equatable, JSONEncodable {
    public var metric: String
    /// `counter`, `gauge` or `event`; a kind this client does not know is kept as text.
    public var kind: String
    public var labelKeys: [String]
    public var firstPointAt: Date
    public var lastPointAt: Date

    public init(metric: String, kind: String, labelKeys: [String], firstPointAt: Date, lastPointAt: Date) {
        self.metric = metric
        self.kind = kind
        self.labelKeys = labelKeys
        self.firstPointAt = firstPointAt
        self.lastPointAt = lastPointAt
    }

    init(api object: APIObject) throws {
        metric = try object.string("metric")
        kind = try object.string("kind")
        labelKeys = try object.decode("label_keys")
        firstPointAt = try object.date("first_point_at")
        lastPointAt = try object.date("last_point_at")
    }

    public var json: JSON {
        ["metric": .string(metric), "kind": .string(kind), "label_keys": labelKeys.json,
         "first_point_at": firstPointAt.json, "last_point_at": lastPointAt.json]
    }
}

extension FleetClient {
    /// One page of the metrics a device reports, by name; `prefix` keeps only names that start with it.
    public func deviceMetrics(_ device: DeviceID, prefix: String? = nil, limit: Int? = nil, cursor: String? = nil) throws -> ListPage<DeviceMetric> {
        try fetchPage("/v1/telemetry/metrics", query: [("device_id", device.description), ("prefix", prefix),
                                                       ("limit", limit.map(String.init)), ("cursor", cursor)],
                      decode: DeviceMetric.init(api:))
    }

    /// Every metric a device reports, following `next_cursor` to the last page.
    public func allDeviceMetrics(_ device: DeviceID, prefix: String? = nil, limit: Int? = nil, from cursor: String? = nil) throws -> [DeviceMetric] {
        try ListPage.collect(from: cursor) { try deviceMetrics(device, prefix: prefix, limit: limit, cursor: $0) }
    }
}
