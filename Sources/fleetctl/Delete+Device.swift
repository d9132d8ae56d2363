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

                Example:
                  fleetctl delete device 5f0c…
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The device's ID.", valueName: "device-id"), transform: ArgumentTransforms.deviceID)
        var device: DeviceID

        func run() throws {
            try globals.client().decommissionDevice(device)
            globals.printer.confirm("device \(device) decommissioned", value: ["id": device.json, "status": "decommissioned"] as JSON)
        }
    }
}
