import Foundation
import FleetPostgres

/// One embedded PostgreSQL for the whole test process; every test server gets a database of its own.
enum TestCluster {
    /// Started on first use; a cluster that failed to start fails every test that needs it, with the reason.
    static let shared: Result<EmbeddedPostgres, any Error> = Result {
        let directory = URL(fileURLWithPath: "/tmp/fleet-tests-\(getpid())/postgres")
        try? FileManager.default.removeItem(at: directory.deletingLastPathComponent())
        try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        let cluster = EmbeddedPostgres(directory: directory, port: 5432)
        atexit {
            try? TestCluster.shared.get().stop()
            try? FileManager.default.removeItem(atPath: "/tmp/fleet-tests-\(getpid())")
        }
        try cluster.start()
        return cluster
    }

    /// A new empty database; returns its connection string.
    static func freshDatabase() throws -> String {
        let cluster = try shared.get()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try cluster.createDatabase(name)
        return cluster.conninfo(database: name)
    }
}
