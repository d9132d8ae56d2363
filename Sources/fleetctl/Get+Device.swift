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
                  fleetctl get device gw-7
                  fleetctl -o json get device 5f0c… | jq .inventory
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("A device's name or ID.", valueName: "device"), transform: ArgumentTransforms.device)
        var device: DeviceReference

        func run() throws {
            let found = try device.fetch(using: globals.client())
            globals.printer.show(found) { DetailView.device(found, now: $0).render() }
        }
    }
}
