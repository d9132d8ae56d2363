import ArgumentParser
import FleetClient

extension Fleetctl.Get {
    struct GetHolds: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "holds",
            abstract: "List the devices held on a revision of a policy.",
            discussion: """
                Examples:
                  fleetctl get holds north
                  fleetctl -o json get holds north --all
                """
        )

        @OptionGroup var globals: GlobalOptions
        @OptionGroup var page: PageOptions

        @Argument(help: ArgumentHelp("The policy's name.", valueName: "policy"), transform: ArgumentTransforms.policyName)
        var policy: String

        func run() throws {
            let client = try globals.client()
            let result = page.all
                ? ListPage(items: try client.allPolicyHolds(named: policy, limit: page.limit, from: page.cursor), nextCursor: nil)
                : try client.policyHolds(named: policy, limit: page.limit, cursor: page.cursor)
            globals.printer.showList(result, noun: "holds", table: Table.policyHolds)
        }
    }
}
