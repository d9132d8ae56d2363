import ArgumentParser
import FleetClient

extension Fleetctl.Get {
    struct GetPrograms: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "programs",
            abstract: "List uploaded eBPF programs, oldest first.",
            discussion: """
                Examples:
                  fleetctl get programs
                  fleetctl get programs --name syscall-count --all
                  fleetctl -o json get programs --all | jq -r '.items[] | "\\(.name)@\\(.version) \\(.id)"'
                """
        )

        @OptionGroup var globals: GlobalOptions
        @OptionGroup var page: PageOptions

        @Option(help: ArgumentHelp("Only versions of the program with exactly this name.", valueName: "name"))
        var name: String?

        func run() throws {
            let client = try globals.client()
            let result = page.all
                ? ListPage(items: try client.allPrograms(name: name, limit: page.limit, from: page.cursor), nextCursor: nil)
                : try client.programs(name: name, limit: page.limit, cursor: page.cursor)
            globals.printer.showList(result, noun: "programs", table: Table.programs)
        }
    }
}
