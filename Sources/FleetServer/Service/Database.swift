import Foundation
import FleetCore
import FleetPostgres

/// Where the database is: an existing server, or the embedded cluster under the data directory.
public final class Database: Sendable {
    /// What to do when another process holds the data directory of the embedded cluster.
    public enum Sharing: Sendable {
        /// Refuse (`serve`): a second server would share the port and stop the cluster under the first when it exits.
        case refuse
        /// Use the holder's running cluster without starting or stopping it (`migrate`, `token create` beside a
        /// running server); refuse when it is not running.
        case useRunningCluster
    }

    public let conninfo: String
    /// The embedded cluster, when this process runs it (and so must stop it).
    private let embedded: EmbeddedPostgres?
    /// Held for this object's lifetime while it runs the embedded cluster.
    private let lock: DataDirectoryLock?

    /// Connects to `url`, or starts (initialising on first use) the embedded cluster in `<dataDirectory>/postgres`
    /// under an exclusive lock on the data directory. With a URL no lock is taken: replicas share that database, and
    /// only the one that creates the first admin token (under an advisory lock) writes `<dataDirectory>/admin-token`.
    /// - Throws: `DataDirectoryLockError.inUse` when another fleet-server holds the data directory (see `sharing`),
    ///   `PostgresError` when the cluster does not start.
    public init(url: String?, dataDirectory: URL, sharing: Sharing = .refuse) throws {
        if let url {
            conninfo = url
            embedded = nil
            lock = nil
            return
        }
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let cluster = EmbeddedPostgres(directory: dataDirectory.appendingPathComponent("postgres"))
        do throws(DataDirectoryLockError) {
            lock = try DataDirectoryLock(directory: dataDirectory)
        } catch {
            guard case .inUse = error, sharing == .useRunningCluster, cluster.isRunning else { throw error }
            // The holder runs the cluster: use it, leave it running.
            conninfo = cluster.conninfo()
            embedded = nil
            lock = nil
            return
        }
        // Holding the lock, a cluster that is already running was left by a server that was killed: it is ours now.
        try cluster.start()
        conninfo = cluster.conninfo()
        embedded = cluster
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
