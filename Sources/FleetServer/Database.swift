import Foundation
import FleetCore
import FleetPostgres

/// Where the database is: an existing server, or the embedded cluster under the data directory.
public final class Database: Sendable {
    public let conninfo: String
    /// The embedded cluster, when this process started it (and so must stop it).
    private let embedded: EmbeddedPostgres?

    /// Connects to `url`, or starts (initialising on first use) the embedded cluster in `<dataDirectory>/postgres`.
    public init(url: String?, dataDirectory: URL) throws {
        if let url {
            conninfo = url
            embedded = nil
        } else {
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
            let cluster = EmbeddedPostgres(directory: dataDirectory.appendingPathComponent("postgres"))
            // A cluster already running belongs to a server on the same data directory (for example
            // while `fleet-server token create` runs beside it): use it, leave it running.
            let alreadyRunning = cluster.isRunning
            try cluster.start()
            conninfo = cluster.conninfo()
            embedded = alreadyRunning ? nil : cluster
        }
    }

    /// Stops the embedded cluster, if this process runs one.
    public func stop() {
        do { try embedded?.stop() } catch { Log.error("stopping the embedded PostgreSQL: \(error)") }
    }

    /// Applies the migrations shipped with the server. Safe when several processes start together.
    @discardableResult
    public func migrate() throws -> [Int] {
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        return try Migrator.apply(try Migrator.load(directory: Resources.migrations), on: connection)
    }
}

/// Files shipped with the server.
enum Resources {
    /// SwiftPM's resource bundle; depending on the platform its resource URL already ends in `Resources`.
    static var root: URL {
        let base = Bundle.module.resourceURL ?? Bundle.module.bundleURL
        let nested = base.appendingPathComponent("Resources")
        return FileManager.default.fileExists(atPath: nested.appendingPathComponent("sql").path) ? nested : base
    }
    static var migrations: URL { root.appendingPathComponent("sql") }
    static var openAPI: URL { root.appendingPathComponent("openapi/fleet.yaml") }
}
