import ArgumentParser
import FleetClient
import FleetCore

extension Fleetctl.Create {
    struct CreateToken: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token",
            abstract: "Create an API token (admin only); prints its secret once.",
            discussion: """
                Roles: admin (everything), operator (all but token management), viewer (read only).

                Examples:
                  fleetctl create token --role operator --name ci --expires-in 30d
                  fleetctl -o json create token --role viewer --name grafana | jq -r .token
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Option(help: ArgumentHelp("admin, operator or viewer.", valueName: "role"), transform: ArgumentTransforms.role)
        var role: Role

        @Option(help: "A name for people, e.g. who or what uses it.")
        var name: String

        @Option(help: ArgumentHelp("Lifetime, e.g. 12h, 30d or 3600s (default: no expiry).", valueName: "duration"),
                transform: ArgumentTransforms.seconds)
        var expiresIn: Int?

        func run() throws {
            let client = try globals.client()
            let issued = try client.createAPIToken(NewAPIToken(name: name, role: role, expiresInSeconds: expiresIn))
            globals.printer.show(issued) { _ in
                let token = issued.record
                return """
                    Created API token \(token.id) (name \(token.name), role \(token.role.rawValue)).
                    Secret, shown only this once:

                        \(issued.secret.text)

                    Use it with:
                        export FLEET_SERVER=\(client.configuration.server) FLEET_TOKEN=\(issued.secret.text)

                    """
            }
        }
    }
}
