import Foundation
import FleetCore
import FleetJSON
import FleetPostgres

/// Devices in PostgreSQL, with presence merged from `device_presence` and heartbeats not yet flushed.
final class DeviceStore: Sendable {
    let pool: PostgresPool
    let presence: PresenceTracker
    let heartbeatInterval: Int

    init(pool: PostgresPool, presence: PresenceTracker, heartbeatInterval: Int) {
        self.pool = pool
        self.presence = presence
        self.heartbeatInterval = heartbeatInterval
    }

    static let columns: Query = """
        d.id, d.name, d.hardware_id, d.labels, d.status, d.inventory, d.created_at, d.updated_at, p.last_seen_at,
        (SELECT revision FROM device_desired WHERE device_id = d.id) AS desired_revision,
        (SELECT revision FROM device_status WHERE device_id = d.id) AS reported_revision,
        coalesce((SELECT all_ready FROM device_status WHERE device_id = d.id), false) AS reported_ready
        """

    /// Seconds without a heartbeat after which a device counts as offline.
    var offlineAfterSeconds: Double { Double(heartbeatInterval) * Presence.missedHeartbeatsBeforeOffline }

    func device(from row: Row, now: Date = Date()) throws -> Device {
        let id = DeviceID(rawValue: try row.decode("id"))
        var lastSeen = try row.decodeIfPresent("last_seen_at", as: Date.self)
        if let newer = presence.unflushed(id), newer > (lastSeen ?? .distantPast) { lastSeen = newer }
        let labels = try [String: String](json: try JSON.parse(try row.decode("labels", as: String.self)), path: "labels")
        return Device(
            id: id, name: try row.decode("name"), hardwareID: try row.decode("hardware_id"), labels: labels,
            status: DeviceStatus(rawValue: try row.decode("status")) ?? .pending,
            online: Presence.isOnline(lastSeen: lastSeen, now: now, heartbeatInterval: Double(heartbeatInterval)),
            lastSeenAt: lastSeen, inventory: try JSON.parse(try row.decode("inventory", as: String.self)),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"),
            desiredRevision: try row.decodeIfPresent("desired_revision") ?? DesiredState.empty.revision,
            reportedRevision: try row.decodeIfPresent("reported_revision"), reportedReady: try row.decode("reported_ready"))
    }

    func get(_ id: DeviceID, on connection: PostgresConnection? = nil) throws -> Device? {
        let query: Query = "SELECT \(Self.columns) FROM devices d LEFT JOIN device_presence p ON p.device_id = d.id WHERE d.id = \(id.rawValue)"
        let result = try connection.map { try $0.query(query) } ?? pool.query(query)
        return try result.first.map { try device(from: $0) }
    }

    struct Filter {
        var selector = LabelSelector(requirements: [])
        var status: DeviceStatus?
        var online: Bool?
        /// Exact, case-sensitive; names are not unique.
        var name: String?
    }

    func list(_ filter: Filter, limit: Int, after cursor: Cursor?) throws -> Page<Device> {
        var conditions: [Query] = [Self.sql(for: filter.selector)]
        if let status = filter.status { conditions.append("d.status = \(status.rawValue)") }
        if let name = filter.name { conditions.append("d.name = \(name)") }
        if let online = filter.online {
            let threshold = Date().addingTimeInterval(-offlineAfterSeconds)
            conditions.append(online ? "p.last_seen_at >= \(threshold)" : "(p.last_seen_at IS NULL OR p.last_seen_at < \(threshold))")
        }
        if let cursor, let after = UUID(uuidString: cursor.values[0]) { conditions.append("d.id > \(after)") }
        let rows = try pool.query("""
            SELECT \(Self.columns) FROM devices d LEFT JOIN device_presence p ON p.device_id = d.id
            WHERE \(Query.joined(conditions, separator: " AND ")) ORDER BY d.id LIMIT \(limit + 1)
            """).rows
        let devices = try rows.prefix(limit).map { try device(from: $0) }
        let next = rows.count > limit ? devices.last.map { Cursor([$0.id.description]) } : nil
        return Page(items: devices, nextCursor: next)
    }

    /// The selector as a WHERE condition on `d.labels`; equality uses the GIN index through `@>`.
    static func sql(for selector: LabelSelector) -> Query {
        selector.sql(on: "d.labels")
    }

    /// Locks the device row for the rest of the transaction.
    func lock(_ id: DeviceID, on connection: PostgresConnection) throws -> DeviceStatus {
        guard let row = try connection.query("SELECT status FROM devices WHERE id = \(id.rawValue) FOR UPDATE").first,
              let status = DeviceStatus(rawValue: try row.decode("status"))
        else { throw APIError.notFound("device \(id) does not exist") }
        return status
    }
}
