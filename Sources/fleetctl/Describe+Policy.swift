import ArgumentParser
import FleetClient
import FleetJSON

extension Fleetctl.Describe {
    struct DescribePolicy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "policy",
            abstract: "Show a policy: revision, items, device counts, conflicts, and the failing devices with their errors.",
            discussion: """
                Counts are over the devices the selector matches: converged (reported the policy's state), pending \
                (not there yet), failed (reported an error for an item) and offline. A conflict is an item that \
                two policies of the same priority set; the first policy by name wins. With -o json the answer is \
                {"policy": ..., "status": ...} as the API gives them.

                Examples:
                  fleetctl describe policy north
                  fleetctl describe policy north --all
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The policy's name.", valueName: "name"), transform: ArgumentTransforms.policyName)
        var name: String

        @Flag(help: "List every failing device, not only the first page.")
        var all = false

        func run() throws {
            let client = try globals.client()
            let policy = try client.policy(named: name)
            var status = try client.policyStatus(named: name)
            var statusJSON = status.json
            if all {
                while let cursor = status.nextCursor {
                    let next = try client.policyStatus(named: name, cursor: cursor)
                    guard next.nextCursor != cursor else { break }
                    status.failing += next.failing
                    status.nextCursor = next.nextCursor
                }
                if case .object(var members) = statusJSON {
                    members["failing"] = .array(status.failing.map(Self.json))
                    members["next_cursor"] = .null
                    statusJSON = .object(members)
                }
            }
            globals.printer.show(["policy": policy.json, "status": statusJSON] as JSON) { now in
                var out = DetailView.policy(policy, status: status, now: now).render()
                if !status.failing.isEmpty {
                    out += "FAILING DEVICES:\n" + Table.failingDevices(status.failing).render().indented()
                }
                return out
            }
            if globals.output == .table, status.nextCursor != nil {
                Console.note("More failing devices exist: add --all to list them all.")
            }
        }

        static func json(_ device: PolicyStatus.FailingDevice) -> JSON {
            ["device_id": device.deviceID.json, "device_name": .string(device.deviceName),
             "items": .array(device.items.map { ["kind": .string($0.kind), "name": .string($0.name), "state": .string($0.state), "error": $0.error.json] })]
        }
    }
}

extension String {
    /// Every line indented by two spaces.
    func indented() -> String {
        split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
    }
}
