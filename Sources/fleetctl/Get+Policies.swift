import ArgumentParser
import FleetClient

extension Fleetctl.Get {
    struct GetPolicies: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "policies",
            abstract: "List policies by name: revision, priority, selector and items.",
            discussion: """
                Examples:
                  fleetctl get policies
                  fleetctl -o yaml get policies --all
                """
        )

        @OptionGroup var globals: GlobalOptions
        @OptionGroup var page: PageOptions

        func run() throws {
            let client = try globals.client()
            let result = page.all
                ? ListPage(items: try client.allPolicies(limit: page.limit, from: page.cursor), nextCursor: nil)
                : try client.policies(limit: page.limit, cursor: page.cursor)
            globals.printer.showList(result, noun: "policies", table: Table.policies)
        }
    }
}
