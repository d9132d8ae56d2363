import ArgumentParser
import FleetServer

extension FleetServerCommand {
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending database migrations and exit.",
            discussion: """
                With the embedded PostgreSQL it uses the cluster of a server running on the same --data-dir; \
                otherwise it runs the cluster itself meanwhile, holding <data-dir>/server.lock so that no server starts on it.
                """)

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let db = try Database(url: database.resolvedURL, dataDirectory: database.dataDirectoryURL, sharing: .useRunningCluster)
            defer { db.stop() }
            let applied = try db.migrate()
            print(applied.isEmpty ? "database is up to date" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
        }
    }
}
