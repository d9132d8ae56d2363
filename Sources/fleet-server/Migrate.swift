import ArgumentParser
import FleetServer

extension FleetServerCommand {
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let db = try Database(url: database.resolvedURL, dataDirectory: database.dataDirectoryURL)
            defer { db.stop() }
            let applied = try db.migrate()
            print(applied.isEmpty ? "database is up to date" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
        }
    }
}
