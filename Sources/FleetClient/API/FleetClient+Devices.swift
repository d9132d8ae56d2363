import FleetCore
import FleetJSON

/// Filters of `GET /v1/devices`; nil members are not sent.
public struct DeviceQuery: Sendable, Equatable {
    public var selector: LabelSelector?
    public var status: DeviceStatus?
    public var online: Bool?
    /// Only devices with exactly this name; names are not unique.
    public var name: String?
    /// Page size, 1...1000; the server's default is 100.
    public var limit: Int?

    public init(selector: LabelSelector? = nil, status: DeviceStatus? = nil, online: Bool? = nil, name: String? = nil, limit: Int? = nil) {
        self.selector = selector
        self.status = status
        self.online = online
        self.name = name
        self.limit = limit
    }

    func items(cursor: String?) -> [(String, String?)] {
        [("selector", selector.map(\.description)), ("status", status?.rawValue), ("online", online.map { $0 ? "true" : "false" }),
         ("name", name), ("limit", limit.map(String.init)), ("cursor", cursor)]
    }
}

/// A merge patch of a device: `PATCH /v1/devices/{id}`.
public struct DevicePatch: Sendable, Equatable {
    public var name: String?
    /// A nil value removes the label.
    public var labels: [String: String?]

    public init(name: String? = nil, labels: [String: String?] = [:]) {
        self.name = name
        self.labels = labels
    }

    var json: JSON {
        var body: [String: JSON] = [:]
        if let name { body["name"] = .string(name) }
        if !labels.isEmpty { body["labels"] = .object(labels.mapValues { $0.map(JSON.string) ?? .null }) }
        return .object(body)
    }
}

extension FleetClient {
    /// One page of devices.
    public func devices(_ query: DeviceQuery = DeviceQuery(), cursor: String? = nil) throws -> ListPage<Device> {
        try fetchPage("/v1/devices", query: query.items(cursor: cursor), decode: Device.init(api:))
    }

    /// Every device matching `query`, following `next_cursor` from `cursor` to the last page.
    public func allDevices(_ query: DeviceQuery = DeviceQuery(), from cursor: String? = nil) throws -> [Device] {
        try ListPage.collect(from: cursor) { try devices(query, cursor: $0) }
    }

    public func device(_ id: DeviceID) throws -> Device {
        try fetch(.get, "/v1/devices/\(id)", decode: Device.init(api:))
    }

    /// Renames a device and/or sets and removes labels; answers the updated device.
    public func updateDevice(_ id: DeviceID, _ patch: DevicePatch) throws -> Device {
        try fetch(.patch, "/v1/devices/\(id)", body: patch.json, decode: Device.init(api:))
    }

    /// Decommissions a device: it keeps its history, loses its credential and its unfinished commands.
    public func decommissionDevice(_ id: DeviceID) throws {
        _ = try exchange(.delete, "/v1/devices/\(id)")
    }

    /// Makes a pending (or rejected) device active.
    public func approveDevice(_ id: DeviceID) throws -> Device {
        try fetch(.post, "/v1/devices/\(id)/approve", decode: Device.init(api:))
    }

    /// Rejects a device: its credential is revoked and its unfinished commands are canceled.
    public func rejectDevice(_ id: DeviceID) throws -> Device {
        try fetch(.post, "/v1/devices/\(id)/reject", decode: Device.init(api:))
    }
}
