import FoundationEssentials
import Glibc
import FleetJSON

public enum DeviceStatus: String, Sendable, CaseIterable, JSONDecodable, JSONEncodable {
    case active, pending, rejected, decommissioned

    public init(json: JSON, path: String) throws {
        let text = try String(json: json, path: path)
        guard let status = DeviceStatus(rawValue: text) else {
            throw JSONError(path: path, message: "unknown status '\(text)': use one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = status
    }

    public var json: JSON { .string(rawValue) }
}

/// A device as the API shows it.
public struct Device: Sendable, Equatable, JSONEncodable {
    public var id: DeviceID
    public var name: String
    public var hardwareID: String
    public var labels: [String: String]
    public var status: DeviceStatus
    public var online: Bool
    public var lastSeenAt: Date?
    public var inventory: JSON
    public var createdAt: Date
    public var updatedAt: Date
    /// The revision of its rendered desired state (the empty state's when no policy matches it).
    public var desiredRevision: String?
    /// The revision the executor last reported it converged on or was applying.
    public var reportedRevision: String?

    /// Every item of the executor's last report was ready.
    public var reportedReady: Bool

    /// The executor reported the revision it should be on, with every item ready.
    public var converged: Bool { desiredRevision != nil && reportedRevision == desiredRevision && reportedReady }

    public init(id: DeviceID, name: String, hardwareID: String, labels: [String: String], status: DeviceStatus,
                online: Bool, lastSeenAt: Date?, inventory: JSON, createdAt: Date, updatedAt: Date,
                desiredRevision: String? = nil, reportedRevision: String? = nil, reportedReady: Bool = false) {
        self.reportedReady = reportedReady
        self.desiredRevision = desiredRevision
        self.reportedRevision = reportedRevision
        self.id = id
        self.name = name
        self.hardwareID = hardwareID
        self.labels = labels
        self.status = status
        self.online = online
        self.lastSeenAt = lastSeenAt
        self.inventory = inventory
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var json: JSON {
        [
            "id": id.json, "name": .string(name), "hardware_id": .string(hardwareID), "labels": labels.json,
            "status": status.json, "online": .bool(online), "last_seen_at": lastSeenAt.json,
            "inventory": inventory, "created_at": createdAt.json, "updated_at": updatedAt.json,
            "desired_revision": desiredRevision.json, "reported_revision": reportedRevision.json, "converged": .bool(converged),
        ]
    }
}

/// Presence rules: a device is online while its last heartbeat is younger than this many intervals.
public enum Presence {
    public static let missedHeartbeatsBeforeOffline = 3.0

    public static func isOnline(lastSeen: Date?, now: Date, heartbeatInterval: Double) -> Bool {
        guard let lastSeen else { return false }
        return now.timeIntervalSince(lastSeen) <= heartbeatInterval * missedHeartbeatsBeforeOffline
    }
}
