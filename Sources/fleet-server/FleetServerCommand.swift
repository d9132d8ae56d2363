import ArgumentParser
import Foundation
import FleetServer
import FleetBuildInfo

@main
struct FleetServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet-server",
        abstract: "The Fleet control plane: devices, commands and executors over one HTTP API.",
        version: FleetBuild.versionLine,
        subcommands: [Serve.self, Migrate.self, TokenCommand.self],
        defaultSubcommand: Serve.self)
}

/// Where the database is, shared by every subcommand.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory for the embedded PostgreSQL and the admin token.")
    var dataDirectory = ".fleet"

    @Option(name: .customLong("database-url"),
            help: "libpq connection string or postgres:// URL of an existing database (default: $DATABASE_URL, else the embedded PostgreSQL).")
    var databaseURL: String?

    var resolvedURL: String? {
        if let databaseURL, !databaseURL.isEmpty { return databaseURL }
        if let env = ProcessInfo.processInfo.environment["DATABASE_URL"], !env.isEmpty { return env }
        return nil
    }

    var dataDirectoryURL: URL { URL(fileURLWithPath: dataDirectory) }
}
