import ArgumentParser
import FleetClient

extension Fleetctl.Get {
    struct GetModel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "model",
            abstract: "Show one model: digest, size, opset, inputs, outputs, operators, metadata and signature.",
            discussion: """
                Examples:
                  fleetctl get model anomaly@1.0.0
                  fleetctl get model 3f2a…
                  fleetctl -o json get model anomaly@1.0.0 | jq .inputs
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The model's ID, or name@version.", valueName: "model"), transform: ModelReference.parse)
        var model: ModelReference

        func run() throws {
            let found = try model.fetch(using: try globals.client())
            globals.printer.show(found) { DetailView.model(found, now: $0).render() }
        }
    }
}
