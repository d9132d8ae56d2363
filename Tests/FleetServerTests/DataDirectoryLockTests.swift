import Foundation
import FleetPostgres
import Testing

/// One `fleet-server serve` per data directory: a second one on the same directory (and port) is refused with a
/// clear error instead of sharing the port and stopping the PostgreSQL under the first when it exits.
@Suite struct DataDirectoryLockTests {
    /// A fresh data directory and a free port; removes the directory and stops any cluster left in it afterwards.
    static func withDataDirectory(_ body: (URL, Int) throws -> Void) throws {
        let root = URL(fileURLWithPath: "/tmp/fleet-tests-\(getpid())/lock-\(UUID().uuidString.prefix(8))")
        let dataDirectory = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer {
            let cluster = EmbeddedServerProcess.cluster(in: dataDirectory)
            let real = cluster.directory.resolvingSymlinksInPath()
            try? cluster.stop()
            if real.path != cluster.directory.path { try? FileManager.default.removeItem(at: real) }
            try? FileManager.default.removeItem(at: root)
        }
        try body(dataDirectory, try freeLoopbackPort())
    }

    @Test func aSecondServerOnTheSameDataDirectoryIsRefusedAndTheFirstKeepsServing() async throws {
        let checks = Observations()
        try await onOwnThread {
            try Self.withDataDirectory { dataDirectory, port in
                let first = try EmbeddedServerProcess(dataDirectory: dataDirectory, port: port, name: "first")
                defer { first.stop() }
                try first.waitUntilServing()
                let token = try first.adminToken
                let endpoint = HTTPEndpoint(base: first.base)

                let started = Date()
                let second = try EmbeddedServerProcess(dataDirectory: dataDirectory, port: port, name: "second")
                defer { second.kill9() }
                let status = second.exitStatus(within: 15)
                let took = Date().timeIntervalSince(started)
                checks.check(status != nil && status != 0, "the second server exits non-zero: \(status.map(String.init) ?? "still running")")
                checks.check(took < 10, "and quickly: \(took) s")
                let expected = "error: the data directory \(dataDirectory.path) is in use by another fleet-server (pid \(first.pid)); "
                    + "replicas share a database with --database-url"
                checks.check(second.errors.trimmingCharacters(in: .whitespacesAndNewlines) == expected,
                             "one line that says why: \(second.errors)")
                checks.check(!second.output.contains("admin token"), "the second server makes no admin token: \(second.output)")

                checks.check(first.isRunning, "the first server still runs")
                checks.check((try? endpoint.call("GET", "/v1/devices", token: token))?.status == 200,
                             "and its database answers after the second exited: \(first.errors)")

                // A tool on the same directory uses the running server's cluster and leaves it running.
                let tool = try ProgramFixtures.run(BuiltProducts.fleetServer.path,
                                                   ["token", "create", "--role", "viewer", "--data-dir", dataDirectory.path])
                checks.check(tool.status == 0 && tool.output.hasPrefix("fla_"), "token create beside the server: \(tool.status) \(tool.output) \(tool.errors)")
                checks.check((try? endpoint.call("GET", "/v1/devices", token: token))?.status == 200, "the server's database still answers")
            }
        }
        checks.record()
    }

    @Test func aServerKilledHardLeavesNoStaleLockAndItsSuccessorAdoptsTheCluster() async throws {
        let checks = Observations()
        try await onOwnThread {
            try Self.withDataDirectory { dataDirectory, port in
                let first = try EmbeddedServerProcess(dataDirectory: dataDirectory, port: port, name: "first")
                defer { first.kill9() }
                try first.waitUntilServing()
                let token = try first.adminToken
                first.kill9()
                let cluster = EmbeddedServerProcess.cluster(in: dataDirectory)
                checks.check(cluster.isRunning, "the killed server's PostgreSQL is still up")

                let next = try EmbeddedServerProcess(dataDirectory: dataDirectory, port: port, name: "next")
                defer { next.stop() }
                try next.waitUntilServing()
                checks.check((try? HTTPEndpoint(base: next.base).call("GET", "/v1/devices", token: token))?.status == 200,
                             "the new server serves the same database")
                let holder = try String(contentsOf: dataDirectory.appendingPathComponent("server.lock"), encoding: .utf8)
                checks.check(holder == "\(next.pid)\n", "the lock file names the new server: \(holder)")

                next.stop()
                checks.check(!cluster.isRunning, "the new server stops the cluster it adopted when it exits: \(next.errors)")
            }
        }
        checks.record()
    }
}
