import ArgumentParser
import FleetClient
import FleetJSON

extension Fleetctl.Delete {
    struct DeletePolicy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "policy",
            abstract: "Delete a policy; the devices it matched drop the items it alone gave them.",
            discussion: """
                Example:
                  fleetctl delete policy north
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The policy's name.", valueName: "name"), transform: ArgumentTransforms.policyName)
        var name: String

        func run() throws {
            try globals.client().deletePolicy(named: name)
            globals.printer.confirm("policy/\(name) deleted", value: ["name": .string(name), "deleted": true] as JSON)
        }
    }
}
