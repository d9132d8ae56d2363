import Foundation
import FleetPostgres
import Synchronization

/// Throwaway clusters under /tmp, started lazily once per test process and stopped at exit.
enum TestCluster {
    /// For tests that never stop the server; they may run in parallel.
    static let shared = start(name: "shared", port: 55432)
    /// For the serialized suite that stops and restarts the server.
    static let restartable = start(name: "restart", port: 55433)

    private static let started = Mutex<[(cluster: EmbeddedPostgres, root: URL)]>([])

    private static func start(name: String, port: Int) -> Result<EmbeddedPostgres, any Error> {
        Result {
            let root = URL(fileURLWithPath: "/tmp/fleet-pg-tests-\(name)-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let cluster = EmbeddedPostgres(directory: root.appendingPathComponent("postgres"), port: port)
            let first = started.withLock { list in
                list.append((cluster, root))
                return list.count == 1
            }
            if first { atexit { TestCluster.stopAll() } }
            try cluster.start()
            return cluster
        }
    }

    static func stopAll() {
        for (cluster, root) in started.withLock({ $0 }) {
            try? cluster.stop()
            try? FileManager.default.removeItem(at: root)
        }
    }

    /// A fresh database in the shared cluster, for tests that need their own schema.
    static func freshDatabase() throws -> String {
        let cluster = try shared.get()
        let name = "test_\(UUID().uuidString.prefix(8).lowercased())"
        try cluster.createDatabase(name)
        return cluster.conninfo(database: name)
    }

    /// Polls `condition` every 20 ms until it holds or `seconds` pass.
    static func eventually(within seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition()
    }
}

struct ExpectedFailure: Error {}
