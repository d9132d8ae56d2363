import ArgumentParser
import FleetClient
import FleetCore

extension Fleetctl.Approve {
    struct ApproveDevice: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "device",
            abstract: "Make a pending (or rejected) device active, so that it receives commands.",
            discussion: """
                A rejected device must enrol again after approval to get a new credential.

                Example:
                  fleetctl approve device 5f0c…
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The device's ID.", valueName: "device-id"), transform: ArgumentTransforms.deviceID)
        var device: DeviceID

        func run() throws {
            let updated = try globals.client().approveDevice(device)
            globals.printer.confirm("device \(updated.id) is \(updated.status.rawValue)", value: updated)
        }
    }
}
