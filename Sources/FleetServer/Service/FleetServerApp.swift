import Foundation
import FleetCore
import FleetHTTP
import FleetPostgres
import Synchronization

/// The running server: HTTP front, database pool, notification listener and maintenance loop.
public final class FleetServerApp: Sendable {
    public let options: ServerOptions
    private let database: Database
    private let service: FleetService
    private let http: HTTPServer
    private let listener: PostgresListener
    private let maintenanceStop = Mutex(false)
    private let maintenanceDone = DispatchSemaphore(value: 0)

    /// Opens the database (starting the embedded cluster when no URL is given) and applies migrations.
    public init(options: ServerOptions) throws {
        self.options = options
        database = try Database(url: options.databaseURL, dataDirectory: options.dataDirectory)
        do {
            let applied = try database.migrate()
            if !applied.isEmpty { Log.info("applied migrations \(applied.map(String.init).joined(separator: ", "))") }
        } catch {
            database.stop()
            throw error
        }
        let connections = options.databaseConnections ?? (options.threads + 3)
        let pool = PostgresPool(conninfo: database.conninfo, size: connections)
        let document: [UInt8]
        do { document = [UInt8](try Data(contentsOf: Resources.openAPI)) } catch {
            database.stop()
            throw error
        }
        let service = FleetService(pool: pool, heartbeatInterval: options.heartbeatIntervalSeconds, openAPIDocument: document,
                                   telemetryRetentionDays: options.telemetryRetentionDays)
        self.service = service

        var configuration = ServerConfiguration(errorResponder: { status, title, detail in
            Reply.problem(APIError(status: status, title: title, detail: detail))
        })
        configuration.host = options.host
        configuration.port = options.port
        configuration.threads = options.threads
        configuration.maxBodyBytes = options.maxBodyBytes
        let held = Mutex<HTTPServer?>(nil)
        let router = FleetService.makeRouter(heldLongPolls: { held.withLock { $0?.suspendedCount ?? 0 } })
        let uploads = FleetService.makeUploadRouter(stagingDirectory: options.uploadStagingDirectory ?? NSTemporaryDirectory())
        configuration.maxUploadBytes = options.maxUploadBytes
        configuration.bodyDisposition = { head in service.bodyDisposition(for: head, router: router, uploads: uploads) }
        let http = HTTPServer(configuration: configuration) { request in service.handle(request, router: router) }
        held.withLock { $0 = http }
        self.http = http

        listener = PostgresListener(
            conninfo: database.conninfo, channels: ["fleet_device", "fleet_command", "fleet_auth", "fleet_desired"],
            onNotification: { channel, payload in
                service.metrics.increment("fleet_notifications_received_total")
                switch channel {
                case "fleet_device": if let id = DeviceID(payload) { service.waiters.notify(id) }
                case "fleet_command": if let id = CommandID(payload) { service.commandWaiters.notify(id) }
                case "fleet_desired":
                    service.desiredRevisions.clear()
                    if let generation = Int64(payload) { service.desiredWakeups.rendered(generation: generation) }
                default: service.auth.invalidate()
                }
            },
            onReconnect: {
                service.auth.invalidate()
                service.waiters.notifyAll()
                service.commandWaiters.notifyAll()
                service.desiredRevisions.clear()
                service.desiredWakeups.wakeAll()
            })
    }

    /// Creates the first admin token on an empty database; returns it so the caller can show it once.
    public func bootstrapAdminToken() throws -> String? {
        try AdminToken.bootstrapIfNeeded(conninfo: database.conninfo, file: options.dataDirectory.appendingPathComponent("admin-token"))
    }

    /// Starts listening. Returns once the socket is bound.
    public func start() throws {
        HTTPServer.raiseOpenFileLimit()
        listener.start()
        service.desiredWakeups.start()
        let thread = Thread { [self] in maintenanceLoop() }
        thread.name = "fleet-maintenance"
        thread.start()
        do { try http.start() } catch {
            stopBackground()
            database.stop()
            throw error
        }
    }

    /// The bound port (useful with port 0).
    public var port: Int { http.port }

    /// Long-polls currently suspended.
    public var heldLongPolls: Int { http.suspendedCount }

    /// Drains: stops accepting, ends long-polls, flushes presence, stops the embedded database.
    public func stop() {
        http.stop()
        stopBackground()
        service.presence.flush()
        service.pool.close()
        database.stop()
    }

    private func stopBackground() {
        let wasRunning = maintenanceStop.withLock { stop -> Bool in
            defer { stop = true }
            return !stop
        }
        if wasRunning { maintenanceDone.wait() }
        listener.stop()
        if wasRunning { service.desiredWakeups.stop() }
    }

    /// Once a second: flush coalesced heartbeats, expire overdue commands; telemetry partitions once a minute;
    /// policy upkeep every two seconds.
    private func maintenanceLoop() {
        var tick = 0
        while !maintenanceStop.withLock({ $0 }) {
            Thread.sleep(forTimeInterval: 0.1)
            tick += 1
            guard tick % 10 == 0 else { continue }
            service.presence.flush()
            service.expireCommands()
            service.maintainTelemetry()
            if tick % 20 == 0 { service.maintainPolicies(sweepRenders: tick % 100 == 0) }
        }
        maintenanceDone.signal()
    }
}
