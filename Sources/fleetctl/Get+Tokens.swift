import ArgumentParser
import FleetClient

extension Fleetctl.Get {
    struct GetTokens: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tokens",
            abstract: "List API tokens (secrets are never shown again; only their prefix).",
            discussion: """
                Needs an admin token.

                Examples:
                  fleetctl get tokens
                  fleetctl -o yaml get tokens --all
                """
        )

        @OptionGroup var globals: GlobalOptions
        @OptionGroup var page: PageOptions

        func run() throws {
            let client = try globals.client()
            let result = page.all
                ? ListPage(items: try client.allAPITokens(limit: page.limit, from: page.cursor), nextCursor: nil)
                : try client.apiTokens(limit: page.limit, cursor: page.cursor)
            globals.printer.showList(result, noun: "API tokens", table: Table.apiTokens)
        }
    }
}
