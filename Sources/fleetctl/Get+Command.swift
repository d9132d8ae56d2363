import ArgumentParser
import FleetClient
import FleetCore

extension Fleetctl.Get {
    struct GetCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "command",
            abstract: "Show one command with its payload, result and full error.",
            discussion: """
                The error of a failed eBPF load carries the verifier log; the table output shows it whole.

                Examples:
                  fleetctl get command 9a1e…
                  fleetctl -o json get command 9a1e… | jq .result
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The command's ID.", valueName: "command-id"), transform: ArgumentTransforms.commandID)
        var command: CommandID

        func run() throws {
            let found = try globals.client().command(command)
            globals.printer.show(found) { DetailView.command(found, now: $0).render() }
        }
    }
}
