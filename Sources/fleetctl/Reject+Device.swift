import ArgumentParser
import FleetClient
import FleetCore

extension Fleetctl.Reject {
    struct RejectDevice: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "device",
            abstract: "Reject a device: its credential is revoked and its unfinished commands are canceled.",
            discussion: """
                The device cannot enrol again with the same hardware id until an operator approves it.

                Example:
                  fleetctl reject device 5f0c…
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The device's ID.", valueName: "device-id"), transform: ArgumentTransforms.deviceID)
        var device: DeviceID

        func run() throws {
            let updated = try globals.client().rejectDevice(device)
            globals.printer.confirm("device \(updated.id) is \(updated.status.rawValue)", value: updated)
        }
    }
}
