import ArgumentParser
import FleetClient

extension Fleetctl.Get {
    struct GetProgram: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "program",
            abstract: "Show one program: digest, size, the programs and maps in its object, manifest and signature.",
            discussion: """
                Examples:
                  fleetctl get program 3f2a…
                  fleetctl -o json get program 3f2a… | jq .manifest
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The program's ID.", valueName: "program-id"), transform: ArgumentTransforms.programID)
        var program: RegisteredProgram.ID

        func run() throws {
            let found = try globals.client().program(program)
            globals.printer.show(found) { DetailView.program(found, now: $0).render() }
        }
    }
}
