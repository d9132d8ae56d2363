import Foundation
import FleetPostgres
import Testing

/// Stops and restarts its own cluster, so these run one at a time.
@Suite(.serialized) struct ClusterRestartTests {
    @Test func poolRecoversAfterTheServerRestarts() throws {
        let cluster = try TestCluster.restartable.get()
        let pool = PostgresPool(conninfo: cluster.conninfo(), size: 2)
        defer { pool.close() }
        try pool.query("SELECT 1")
        try cluster.stop()
        #expect(!cluster.isRunning)
        let error = #expect(throws: PostgresError.self) { try pool.query("SELECT 1") }
        #expect(error?.isUnavailable == true)
        try cluster.start()
        #expect(cluster.isRunning)
        #expect(try pool.query("SELECT 1 AS one").first?.decode("one", as: Int.self) == 1)
        #expect(pool.stats.open == 1)
    }

    @Test func listenerReconnectsAndResubscribesAfterRestart() throws {
        let cluster = try TestCluster.restartable.get()
        let probe = ListenerProbe()
        let listener = probe.listener(conninfo: cluster.conninfo(), channels: ["jobs"])
        listener.start()
        defer { listener.stop() }
        #expect(TestCluster.eventually { probe.reconnectCount == 1 })
        try cluster.stop()
        try cluster.start()
        #expect(TestCluster.eventually { probe.reconnectCount == 2 })
        try PostgresConnection(conninfo: cluster.conninfo()).query("SELECT pg_notify(\("jobs"), \("after restart"))")
        #expect(TestCluster.eventually { probe.received("jobs:after restart") })
    }

    @Test func stalePostmasterPidDoesNotBlockStart() throws {
        let cluster = try TestCluster.restartable.get()
        try cluster.stop()
        // A killed server leaves its pid behind, and the pid may since belong to another process of
        // the cluster's user, which PostgreSQL itself would take for a running postmaster.
        let sleeper = Process()
        if geteuid() == 0 {
            sleeper.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            sleeper.arguments = ["--reuid=postgres", "--regid=postgres", "--clear-groups", "/bin/sleep", "30"]
        } else {
            sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
            sleeper.arguments = ["30"]
        }
        try sleeper.run()
        defer { sleeper.terminate() }
        let pidFile = cluster.directory.appendingPathComponent("postmaster.pid")
        try "\(sleeper.processIdentifier)\n\(cluster.directory.path)\n".write(to: pidFile, atomically: true, encoding: .utf8)
        #expect(!cluster.isRunning)
        try cluster.start()
        #expect(cluster.isRunning)
        #expect(try PostgresConnection(conninfo: cluster.conninfo()).query("SELECT 1 AS one").first?.decode("one", as: Int.self) == 1)
        try cluster.stop()
        try cluster.stop()
    }
}
