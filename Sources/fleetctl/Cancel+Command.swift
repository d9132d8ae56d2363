import ArgumentParser
import FleetClient
import FleetCore

extension Fleetctl.Cancel {
    struct CancelCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "command",
            abstract: "Cancel a command that has not finished; fails with 409 once it is terminal.",
            discussion: """
                A command the executor is already running may still complete on the device.

                Example:
                  fleetctl cancel command 9a1e…
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The command's ID.", valueName: "command-id"), transform: ArgumentTransforms.commandID)
        var command: CommandID

        func run() throws {
            let canceled = try globals.client().cancelCommand(command)
            globals.printer.show(canceled) { DetailView.command(canceled, now: $0).render() }
        }
    }
}
