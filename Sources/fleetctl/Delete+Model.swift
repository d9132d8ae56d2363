import ArgumentParser
import FleetClient
import FleetJSON

extension Fleetctl.Delete {
    struct DeleteModel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "model",
            abstract: "Delete a model from the registry; refused (409) while a device may still hold it.",
            discussion: """
                Remove it first with a model.remove command (payload {"name": "<deployment>"}) on every \
                device that deployed it, or deploy another model under the same name there.

                Examples:
                  fleetctl delete model anomaly@1.0.0
                  fleetctl delete model 3f2a…
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The model's ID, or name@version.", valueName: "model"), transform: ModelReference.parse)
        var model: ModelReference

        func run() throws {
            let client = try globals.client()
            let id = try model.id(using: client)
            try client.deleteModel(id)
            globals.printer.confirm("model \(id) deleted", value: ["id": id.json, "deleted": true] as JSON)
        }
    }
}
