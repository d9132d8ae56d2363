import ArgumentParser
import FleetClient
import FleetCore
import FleetJSON

extension Fleetctl.Describe {
    struct DescribeDevice: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "device",
            abstract: "Show a device: labels, presence, desired against reported state per item, and its last commands.",
            discussion: """
                The desired state is what the policies matching the device's labels render for it; the reported \
                state is what its executor last said it runs. Each program and model is one row: the policy and \
                revision it comes from, the version wanted and the one reported, its state and error. With -o json \
                the answer is {"device", "desired", "status", "commands"} as the API gives them.

                Examples:
                  fleetctl describe device gw-7
                  fleetctl describe device 5f0c… --commands 10
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("A device's name or ID.", valueName: "device"), transform: ArgumentTransforms.device)
        var device: DeviceReference

        @Option(help: ArgumentHelp("How many of its latest commands to show (0 for none).", valueName: "n"))
        var commands = 5

        func validate() throws {
            guard (0...1000).contains(commands) else { throw ValidationError("--commands must be between 0 and 1000") }
        }

        func run() throws {
            let client = try globals.client()
            let found = try device.fetch(using: client)
            let desired = try Self.unlessMissing { try client.desiredState(of: found.id) }
            let reported = try Self.unlessMissing { try client.reportedState(of: found.id) }
            let recent = commands == 0 ? [] : try client.commands(for: found.id, limit: commands).items
            let json: JSON = ["device": found.json, "desired": desired?.json ?? .null, "status": reported?.json ?? .null,
                              "commands": .array(recent.map(\.json))]
            globals.printer.show(json) { now in
                var view = DetailView.device(found, now: now)
                view.fields += DetailView.deviceConvergence(desired: desired, reported: reported, now: now).fields
                var out = view.render()
                let items = Table.deviceItems(desired: desired, reported: reported, now: now)
                out += "ITEMS:\n" + (items.rows.isEmpty ? "  <none>\n" : items.render().indented())
                if commands > 0 {
                    out += "LAST COMMANDS:\n" + (recent.isEmpty ? "  <none>\n" : Table.commands(recent, now: now).render().indented())
                }
                return out
            }
        }

        /// Nil when the server answers 404, which a server without policies, or a device never rendered, may give.
        static func unlessMissing<T>(_ body: () throws -> T) throws -> T? {
            do {
                return try body()
            } catch let error as FleetClientError where error.status == 404 {
                return nil
            }
        }
    }
}
