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

                Examples:
                  fleetctl reject device 5f0c…
                  fleetctl reject device gw-7
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("A device's name or ID.", valueName: "device"), transform: ArgumentTransforms.device)
        var device: DeviceReference

        func run() throws {
            let client = try globals.client()
            let updated = try client.rejectDevice(try device.resolve(using: client))
            globals.printer.confirm("device \(updated.id) is \(updated.status.rawValue)", value: updated)
        }
    }
}
