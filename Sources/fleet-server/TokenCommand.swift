import ArgumentParser
import FleetCore
import FleetServer

extension FleetServerCommand {
    struct TokenCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token", abstract: "Manage API tokens directly in the database (works while the server is down).",
            subcommands: [Create.self])

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create an API token and print its secret once.",
                discussion: """
                    With the embedded PostgreSQL it uses the cluster of a server running on the same --data-dir; \
                    otherwise it runs the cluster itself meanwhile, holding <data-dir>/server.lock so that no server starts on it.

                    Example: fleet-server token create --role operator --name ci
                    """)

            @Option(help: "admin, operator or viewer.")
            var role: String

            @Option(help: "A name people recognise the token by.")
            var name = "cli"

            @Option(name: .customLong("expires-in"), help: "Lifetime in seconds (default: no expiry).")
            var expiresIn: Int?

            @OptionGroup var database: DatabaseOptions

            func validate() throws {
                guard let role = Role(rawValue: role), role != .device else { throw ValidationError("--role must be admin, operator or viewer") }
                if let expiresIn, expiresIn < 1 { throw ValidationError("--expires-in must be positive") }
            }

            func run() throws {
                let db = try Database(url: database.resolvedURL, dataDirectory: database.dataDirectoryURL, sharing: .useRunningCluster)
                defer { db.stop() }
                try db.migrate()
                print(try AdminToken.create(conninfo: db.conninfo, role: Role(rawValue: role)!, name: name, expiresIn: expiresIn))
            }
        }
    }
}
