import ArgumentParser
import FleetClient
import FleetCore

extension Fleetctl.Get {
    struct GetCommands: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "commands",
            abstract: "List a device's commands, newest first.",
            discussion: """
                States: queued, delivered, running, succeeded, failed, rejected, expired, canceled.

                Examples:
                  fleetctl get commands 5f0c…
                  fleetctl get commands gw-7 --state failed --all
                """
        )

        @OptionGroup var globals: GlobalOptions
        @OptionGroup var page: PageOptions

        @Argument(help: ArgumentHelp("A device's name or ID.", valueName: "device"), transform: ArgumentTransforms.device)
        var device: DeviceReference

        @Option(help: ArgumentHelp("Only commands in this state.", valueName: "state"), transform: ArgumentTransforms.commandState)
        var state: CommandState?

        func run() throws {
            let client = try globals.client()
            let id = try device.resolve(using: client)
            let result = page.all
                ? ListPage(items: try client.allCommands(for: id, state: state, limit: page.limit, from: page.cursor), nextCursor: nil)
                : try client.commands(for: id, state: state, limit: page.limit, cursor: page.cursor)
            globals.printer.showList(result, noun: "commands", table: Table.commands)
        }
    }
}
