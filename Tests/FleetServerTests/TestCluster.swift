import Foundation
import FleetPostgres

/// One embedded PostgreSQL for the whole test process; every test server gets a database of its own.
enum TestCluster {
    static let shared: EmbeddedPostgres = {
        let directory = URL(fileURLWithPath: "/tmp/fleet-tests-\(getpid())/postgres")
        try? FileManager.default.removeItem(at: directory.deletingLastPathComponent())
        try! FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        let cluster = EmbeddedPostgres(directory: directory, port: 5432)
        do { try cluster.start() } catch { fatalError("the test PostgreSQL did not start: \(error)") }
        atexit {
            try? TestCluster.shared.stop()
            try? FileManager.default.removeItem(atPath: "/tmp/fleet-tests-\(getpid())")
        }
        return cluster
    }()

    /// A new empty database; returns its connection string.
    static func freshDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try shared.createDatabase(name)
        return shared.conninfo(database: name)
    }
}
