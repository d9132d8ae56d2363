import ArgumentParser
import FleetClient
import FleetCore
import FleetJSON

extension Fleetctl {
    struct Hold: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep a device on one revision of a policy while its other devices follow the current one.",
            discussion: """
                Examples:
                  fleetctl hold device gw-7 --policy north
                  fleetctl hold device 5f0c… --policy north --revision 3
                """,
            subcommands: [HoldDevice.self]
        )
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let a held device follow the current revision of a policy again.",
            discussion: """
                Example:
                  fleetctl release device gw-7 --policy north
                """,
            subcommands: [ReleaseDevice.self]
        )
    }
}

extension Fleetctl.Hold {
    struct HoldDevice: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "device",
            abstract: "Hold a device on a revision of a policy.",
            discussion: """
                The device sees the policy as it was at that revision, its selector included, until it is \
                released. Without --revision it is held where it is now, on the current revision, so that the \
                next revision does not reach it. `fleetctl get holds POLICY` lists the held devices, and \
                `fleetctl describe policy` counts them.

                Examples:
                  fleetctl hold device gw-7 --policy north
                  fleetctl hold device 5f0c… --policy north --revision 3
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("A device's name or ID.", valueName: "device"), transform: ArgumentTransforms.device)
        var device: DeviceReference

        @Option(help: ArgumentHelp("The policy's name.", valueName: "name"), transform: ArgumentTransforms.policyName)
        var policy: String

        @Option(help: ArgumentHelp("The revision to hold it on (default: the policy's current revision).", valueName: "n"),
                transform: ArgumentTransforms.revision)
        var revision: Int?

        func run() throws {
            let client = try globals.client()
            let id = try device.resolve(using: client)
            let held = try client.holdDevice(id, onPolicy: policy, revision: try revision ?? client.policy(named: policy).revision)
            globals.printer.confirm("device \(held.deviceID) held on policy/\(held.policy) revision \(held.revision)", value: held)
        }
    }
}

extension Fleetctl.Release {
    struct ReleaseDevice: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "device",
            abstract: "Release a device held on a policy.",
            discussion: """
                Example:
                  fleetctl release device gw-7 --policy north
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("A device's name or ID.", valueName: "device"), transform: ArgumentTransforms.device)
        var device: DeviceReference

        @Option(help: ArgumentHelp("The policy's name.", valueName: "name"), transform: ArgumentTransforms.policyName)
        var policy: String

        func run() throws {
            let client = try globals.client()
            let id = try device.resolve(using: client)
            try client.releaseDevice(id, fromPolicy: policy)
            globals.printer.confirm("device \(id) released from policy/\(policy)",
                                    value: ["device_id": .string(id.description), "policy": .string(policy), "released": true] as JSON)
        }
    }
}
