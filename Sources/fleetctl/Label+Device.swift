import ArgumentParser
import FleetClient
import FleetCore

extension Fleetctl.Label {
    struct LabelDevice: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "device",
            abstract: "Set (key=value) and remove (key-) labels of a device.",
            discussion: """
                Labels not named keep their values. Keys are up to 63 alphanumerics, '-', '_' or '.', \
                optionally after a DNS prefix and '/' (example.com/tier); values are empty or the same \
                kind of name.

                Examples:
                  fleetctl label device 5f0c… env=prod site=ber
                  fleetctl label device gw-7 env=staging canary-
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("A device's name or ID.", valueName: "device"), transform: ArgumentTransforms.device)
        var device: DeviceReference

        @Argument(help: ArgumentHelp("key=value to set a label, key- to remove it.", valueName: "change"))
        var changes: [String] = []

        func validate() throws {
            guard !changes.isEmpty else { throw ValidationError("name at least one label change: key=value or key-") }
            _ = try labelChanges()
        }

        func labelChanges() throws -> [String: String?] {
            do { return try LabelEdit.parse(changes) } catch let error as LabelEdit.ParseError { throw ValidationError(error.description) }
        }

        func run() throws {
            let client = try globals.client()
            let updated = try client.updateDevice(try device.resolve(using: client), DevicePatch(labels: try labelChanges()))
            let labels = updated.labels.isEmpty ? "<none>" : LabelEdit.format(updated.labels)
            globals.printer.confirm("device \(updated.id) labels: \(labels)", value: updated)
        }
    }
}
