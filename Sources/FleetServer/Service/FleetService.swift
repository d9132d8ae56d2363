import Foundation
import FleetCore
import FleetHTTP
import FleetJSON
import FleetPostgres
import Synchronization

/// Everything a handler needs, built once at start-up.
final class FleetService: Sendable {
    let pool: PostgresPool
    let auth: Authenticator
    let presence: PresenceTracker
    let devices: DeviceStore
    let telemetry: TelemetryStore
    /// Executors in `GET /v1/executor/commands?wait=`, woken by `fleet_device` notifications.
    let waiters = WaiterRegistry<DeviceID>()
    /// Callers of `GET /v1/commands/{id}?wait=`, woken by `fleet_command` notifications.
    let commandWaiters = WaiterRegistry<CommandID>()
    /// Executors in `GET /v1/executor/desired?wait=`, woken by `desiredWakeups`.
    let desiredWaiters = WaiterRegistry<DeviceID>()
    let desiredWakeups: DesiredWakeups
    let desiredRevisions = DesiredRevisionCache()
    let desired: DesiredStore
    /// Whether policy upkeep (offline sweep, count folding, abandoned renderings) is running on this replica.
    let policyUpkeep = Mutex(false)
    let metrics: Metrics
    let heartbeatInterval: Int
    let openAPIDocument: [UInt8]
    let startedAt = Date()

    init(pool: PostgresPool, heartbeatInterval: Int, openAPIDocument: [UInt8], telemetryRetentionDays: Int = 7) {
        self.pool = pool
        self.metrics = Metrics()
        self.auth = Authenticator(pool: pool)
        self.presence = PresenceTracker(pool: pool, metrics: metrics)
        self.devices = DeviceStore(pool: pool, presence: presence, heartbeatInterval: heartbeatInterval)
        self.telemetry = TelemetryStore(pool: pool, retentionDays: telemetryRetentionDays)
        self.desired = DesiredStore(pool: pool)
        let metrics = self.metrics
        self.desiredWakeups = DesiredWakeups(pool: pool, waiters: desiredWaiters) { woke in
            metrics.increment("fleet_desired_wakeups_total", by: Double(woke))
        }
        self.heartbeatInterval = heartbeatInterval
        self.openAPIDocument = openAPIDocument
    }

    /// Tells every replica (this one included) that a device has news: its waiting long-polls look again.
    static func notifyDevice(_ id: DeviceID, on connection: PostgresConnection) throws {
        try connection.query("SELECT pg_notify('fleet_device', \(id.description))")
    }

    /// Tells every replica to drop cached credentials.
    func invalidateCredentials(on connection: PostgresConnection) throws {
        auth.invalidate()
        try connection.query("SELECT pg_notify('fleet_auth', '')")
    }
}
