import ArgumentParser
import FleetClient
import FleetCore
import FleetJSON

extension Fleetctl.Delete {
    struct DeleteToken: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token",
            abstract: "Revoke an API token (admin only); revoking it again changes nothing.",
            discussion: """
                Example:
                  fleetctl get tokens
                  fleetctl delete token 7d3b…
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The token's ID (not its secret).", valueName: "token-id"), transform: ArgumentTransforms.tokenID)
        var token: TokenID

        func run() throws {
            try globals.client().revokeAPIToken(token)
            globals.printer.confirm("API token \(token) revoked", value: ["id": token.json, "revoked": true] as JSON)
        }
    }
}
