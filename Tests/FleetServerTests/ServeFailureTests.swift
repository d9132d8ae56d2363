import Foundation
import Testing

/// `fleet-server serve` that cannot start ends with status 1 and one `error:` line on standard error, so that a
/// supervisor sees the failure.
@Suite struct ServeFailureTests {
    static func dataDirectory() -> String { "/tmp/fleet-tests-\(getpid())/serve-failure-\(UUID().uuidString.prefix(8))" }

    @Test func aDatabaseItCannotOpenEndsTheServerWithStatus1() async throws {
        let run = try await runFleetServer(["serve", "--database-url", "host=/nonexistent-fleet-socket port=1 dbname=fleet",
                                            "--listen", "127.0.0.1:0", "--data-dir", Self.dataDirectory()])
        #expect(run.status == 1, "\(run)")
        #expect(run.errors.hasPrefix("error: cannot open the database: "), "\(run.errors)")
        #expect(run.output.isEmpty, "\(run.output)")
    }

    @Test func anAddressItCannotListenOnEndsTheServerWithStatus1() async throws {
        let conninfo = try TestCluster.freshDatabase()
        // 192.0.2.1 (TEST-NET-1) is on no interface here, so bind fails.
        let run = try await runFleetServer(["serve", "--database-url", conninfo, "--listen", "192.0.2.1:8080",
                                            "--data-dir", Self.dataDirectory()])
        #expect(run.status == 1, "\(run)")
        #expect(run.errors.split(separator: "\n").contains { $0.hasPrefix("error: cannot listen on 192.0.2.1:8080: ") }, "\(run.errors)")
    }
}
