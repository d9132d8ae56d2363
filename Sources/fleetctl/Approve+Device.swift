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

                Examples:
                  fleetctl approve device 5f0c…
                  fleetctl approve device gw-7
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("A device's name or ID.", valueName: "device"), transform: ArgumentTransforms.device)
        var device: DeviceReference

        func run() throws {
            let client = try globals.client()
            let updated = try client.approveDevice(try device.resolve(using: client))
            globals.printer.confirm("device \(updated.id) is \(updated.status.rawValue)", value: updated)
        }
    }
}
