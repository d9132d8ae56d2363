import Foundation
import FleetPostgres
import Testing

@Suite struct EmbeddedPostgresTests {
    @Test func conninfoUsesTheDataDirectoryAsSocketDirectory() {
        let cluster = EmbeddedPostgres(directory: URL(fileURLWithPath: "/srv/fleet/postgres"), port: 6543)
        #expect(cluster.conninfo() == "host=/srv/fleet/postgres port=6543 user=fleet dbname=fleet")
        #expect(cluster.conninfo(database: "postgres").hasSuffix("dbname=postgres"))
    }

    @Test func longPathsGetAShortSocketDirectory() {
        let deep = "/srv/" + String(repeating: "very-long-directory-name/", count: 5) + "postgres"
        let cluster = EmbeddedPostgres(directory: URL(fileURLWithPath: deep))
        let host = cluster.conninfo().split(separator: " ").first { $0.hasPrefix("host=") }
        #expect(host?.hasPrefix("host=/tmp/fleet-pg-") == true)
        #expect(host?.count == "host=/tmp/fleet-pg-".count + 8)
    }

    @Test(.enabled(if: geteuid() == 0, "only root relocates clusters"))
    func clusterBehindAPrivateDirectoryLivesUnderVarLib() throws {
        let root = URL(fileURLWithPath: "/tmp/fleet-pg-private-\(UUID().uuidString.prefix(8))")
        let parent = root.appendingPathComponent("private")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = parent.appendingPathComponent("postgres")
        let cluster = EmbeddedPostgres(directory: directory, port: 55434)
        try cluster.start()
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: directory.path)
        defer { try? FileManager.default.removeItem(atPath: target) }
        defer { try? cluster.stop() }
        #expect(target.hasPrefix("/var/lib/fleet/postgres-"))
        #expect(try PostgresConnection(conninfo: cluster.conninfo()).query("SELECT current_user AS u").first?.text("u") == "fleet")
        try cluster.stop()
        try cluster.start()
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory.path) == target)
        #expect(cluster.isRunning)
    }
}
