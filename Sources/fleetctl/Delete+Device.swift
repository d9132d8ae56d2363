import ArgumentParser
import FleetClient
import FleetCore
import FleetJSON

extension Fleetctl.Delete {
    struct DeleteDevice: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "device",
            abstract: "Decommission a device: it keeps its history but loses its credential and unfinished commands.",
            discussion: """
                The device can come back only by enrolling again.

                Examples:
                  fleetctl delete device 5f0c…
                  fleetctl delete device gw-7
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("A device's name or ID.", valueName: "device"), transform: ArgumentTransforms.device)
        var device: DeviceReference

        func run() throws {
            let client = try globals.client()
            let id = try device.resolve(using: client)
            try client.decommissionDevice(id)
            globals.printer.confirm("device \(id) decommissioned", value: ["id": id.json, "status": "decommissioned"] as JSON)
        }
    }
}
