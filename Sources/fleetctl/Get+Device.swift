import ArgumentParser
import FleetClient
import FleetCore

extension Fleetctl.Get {
    struct GetDevice: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "device",
            abstract: "Show one device: status, presence, labels and inventory.",
            discussion: """
                Examples:
                  fleetctl get device 5f0c…
                  fleetctl -o json get device 5f0c… | jq .inventory
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The device's ID.", valueName: "device-id"), transform: ArgumentTransforms.deviceID)
        var device: DeviceID

        func run() throws {
            let found = try globals.client().device(device)
            globals.printer.show(found) { DetailView.device(found, now: $0).render() }
        }
    }
}
