import Foundation

/// A private PostgreSQL cluster run from the system's binaries, reachable only through a Unix socket.
///
/// The cluster is created on first `start()` (superuser `fleet`, trust authentication) with a
/// database named `fleet`. As root, the server runs as user `postgres` (or `nobody`); when that user
/// cannot reach `directory`, the cluster lives in `/var/lib/fleet/postgres-<hash>` and `directory`
/// becomes a symlink to it.
public final class EmbeddedPostgres: Sendable {
    /// The cluster's data directory (or the symlink to it).
    public let directory: URL
    public let port: Int

    public init(directory: URL, port: Int = 5432) {
        self.directory = directory.standardizedFileURL
        self.port = port
    }

    /// Creates the cluster if needed, starts the server (waiting until it accepts connections)
    /// and creates database `fleet`. Does nothing more when already running.
    /// - Throws: `PostgresError` of kind `.connection` with the tail of the relevant log.
    public func start() throws {
        let binaries = try PostgresBinaries.locate()
        let account = try ClusterAccount.forCurrentProcess()
        let data = try prepareDataDirectory(for: account)
        if !FileManager.default.fileExists(atPath: data.appendingPathComponent("PG_VERSION").path) {
            try initializeCluster(at: data, binaries: binaries, account: account)
        }
        let socket = try prepareSocketDirectory(for: data, account: account)
        try writeSettings(data: data, socket: socket, account: account)
        guard !isRunning else { return }
        removeStaleLockFiles(data: data, socket: socket)
        let log = data.appendingPathComponent("server.log")
        let result = try ChildProcess.run(binaries.pgCtl, ["start", "-w", "-t", "60", "-D", data.path, "-l", log.path],
                                          as: account)
        guard result.status == 0 else {
            throw PostgresError(kind: .connection, message: "pg_ctl start failed (status \(result.status)): "
                + "\(result.output)\n\(ChildProcess.tail(of: log, limit: 2048))")
        }
        try createDatabase("fleet")
    }

    /// Stops the server (fast shutdown: sessions are disconnected) and waits; a no-op when not running.
    /// - Throws: `PostgresError` of kind `.connection` when `pg_ctl stop` fails.
    public func stop() throws {
        guard isRunning else { return }
        let binaries = try PostgresBinaries.locate()
        let result = try ChildProcess.run(binaries.pgCtl, ["stop", "-m", "fast", "-w", "-D", dataDirectory.path],
                                          as: try ClusterAccount.forCurrentProcess())
        guard result.status == 0 else {
            throw PostgresError(kind: .connection, message: "pg_ctl stop failed (status \(result.status)): \(result.output)")
        }
    }

    /// True when this cluster's postmaster process is alive.
    public var isRunning: Bool {
        postmasterIsAlive(lockFile: dataDirectory.appendingPathComponent("postmaster.pid"), data: dataDirectory)
    }

    /// A libpq connection string for `database` over the cluster's Unix socket.
    public func conninfo(database: String = "fleet") -> String {
        func quoted(_ value: String) -> String {
            guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "'" || $0 == "\\" }) else { return value }
            return "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }
        return "host=\(quoted(socketDirectory(for: dataDirectory))) port=\(port) user=fleet dbname=\(quoted(database))"
    }

    /// Creates database `name` unless it exists (safe against concurrent creators).
    /// - Throws: `PostgresError` when the server is unreachable or refuses.
    public func createDatabase(_ name: String) throws {
        let connection = try PostgresConnection(conninfo: conninfo(database: "postgres"))
        defer { connection.close() }
        guard try connection.query("SELECT 1 FROM pg_database WHERE datname = \(name)").rows.isEmpty else { return }
        do {
            try connection.execute(unsafeSQL: "CREATE DATABASE \"\(name.replacingOccurrences(of: "\"", with: "\"\""))\"")
        } catch let error as PostgresError where error.sqlState == "42P04" || error.isUniqueViolation {
            return
        }
    }

    private func initializeCluster(at data: URL, binaries: PostgresBinaries, account: ClusterAccount?) throws {
        let log = directory.deletingLastPathComponent().appendingPathComponent("postgres-initdb.log")
        let result = try ChildProcess.run(binaries.initdb,
                                          ["-D", data.path, "-U", "fleet", "--auth=trust", "-E", "UTF8", "--locale=C"],
                                          as: account, log: log)
        guard result.status == 0 else {
            throw PostgresError(kind: .connection, message: "initdb failed (status \(result.status)), see \(log.path): \(result.output)")
        }
        let conf = data.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: conf)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\n# Port and socket, rewritten by fleet at every start.\ninclude_if_exists = 'fleet.conf'\n".utf8))
    }

    private func writeSettings(data: URL, socket: String, account: ClusterAccount?) throws {
        let settings = """
            listen_addresses = ''
            unix_socket_directories = '\(socket.replacingOccurrences(of: "'", with: "''"))'
            port = \(port)
            max_connections = 200

            """
        let file = data.appendingPathComponent("fleet.conf")
        try Data(settings.utf8).write(to: file)
        try account?.own(file.path)
    }
}
