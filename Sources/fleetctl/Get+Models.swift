import ArgumentParser
import FleetClient

extension Fleetctl.Get {
    struct GetModels: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "models",
            abstract: "List uploaded ONNX models, oldest first.",
            discussion: """
                Examples:
                  fleetctl get models
                  fleetctl get models --name anomaly --all
                  fleetctl -o json get models --all | jq -r '.items[] | "\\(.name)@\\(.version) \\(.id)"'
                """
        )

        @OptionGroup var globals: GlobalOptions
        @OptionGroup var page: PageOptions

        @Option(help: ArgumentHelp("Only versions of the model with exactly this name.", valueName: "name"))
        var name: String?

        func run() throws {
            let client = try globals.client()
            let result = page.all
                ? ListPage(items: try client.allModels(name: name, limit: page.limit, from: page.cursor), nextCursor: nil)
                : try client.models(name: name, limit: page.limit, cursor: page.cursor)
            globals.printer.showList(result, noun: "models", table: Table.models)
        }
    }
}
