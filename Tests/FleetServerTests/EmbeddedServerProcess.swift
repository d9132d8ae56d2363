import Foundation
import FleetPostgres
import Testing

/// `fleet-server serve` over its own embedded PostgreSQL (no `--database-url`) in `dataDirectory`, as a child
/// process. Several may be started on one data directory and port, which is what the data-directory lock is about.
final class EmbeddedServerProcess: @unchecked Sendable {  // `process` is only touched from the test's own thread
    let dataDirectory: URL
    let port: Int
    let log: URL
    private let process = Process()

    var base: String { "http://127.0.0.1:\(port)" }
    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// Starts `serve` without waiting for it; `log` receives its standard error, standard output goes to `<log>.out`.
    init(dataDirectory: URL, port: Int, name: String) throws {
        self.dataDirectory = dataDirectory
        self.port = port
        log = dataDirectory.deletingLastPathComponent().appendingPathComponent("\(name).log")
        try #require(FileManager.default.isExecutableFile(atPath: BuiltProducts.fleetServer.path),
                     "build first: \(BuiltProducts.fleetServer.path) is missing")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        FileManager.default.createFile(atPath: log.path + ".out", contents: nil)
        process.executableURL = BuiltProducts.fleetServer
        process.arguments = ["serve", "--data-dir", dataDirectory.path, "--listen", "127.0.0.1:\(port)", "--threads", "2"]
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "DATABASE_URL" }
        process.currentDirectoryURL = dataDirectory.deletingLastPathComponent()
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log.path + ".out"))
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
    }

    /// Waits until `/healthz` answers (a first start runs initdb, which takes a while).
    func waitUntilServing() throws {
        let endpoint = HTTPEndpoint(base: base)
        let up = eventuallyBlocking(timeout: 90, every: 0.2) {
            process.isRunning && (try? endpoint.call("GET", "/healthz", timeout: .seconds(2)))?.status == 200
        }
        try #require(up, "fleet-server serve on \(dataDirectory.path) did not come up on port \(port): \(errors)")
    }

    /// Waits up to `seconds` for the process to exit; its status, nil when it is still running.
    func exitStatus(within seconds: Double) -> Int32? {
        _ = eventuallyBlocking(timeout: seconds, every: 0.05) { !process.isRunning }
        return process.isRunning ? nil : process.terminationStatus
    }

    var errors: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    var output: String { (try? String(contentsOfFile: log.path + ".out", encoding: .utf8)) ?? "" }

    /// The admin token the first start wrote.
    var adminToken: String {
        get throws {
            try String(contentsOf: dataDirectory.appendingPathComponent("admin-token"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// SIGKILL: no clean-up runs, so the embedded PostgreSQL stays up without its server.
    func kill9() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM (SIGKILL after 20 s): the server drains and stops its PostgreSQL.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        if exitStatus(within: 20) == nil { kill9() }
    }

    /// The embedded cluster under `dataDirectory`.
    static func cluster(in dataDirectory: URL) -> EmbeddedPostgres {
        EmbeddedPostgres(directory: dataDirectory.appendingPathComponent("postgres"))
    }
}
