import ArgumentParser
import FleetClient
import FleetJSON

extension Fleetctl.Delete {
    struct DeleteProgram: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "program",
            abstract: "Delete a program from the registry; refused (409) while a device may still run it.",
            discussion: """
                Unload it first with a program.unload command on every device that loaded it.

                Example:
                  fleetctl delete program 3f2a…
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The program's ID.", valueName: "program-id"), transform: ArgumentTransforms.programID)
        var program: RegisteredProgram.ID

        func run() throws {
            try globals.client().deleteProgram(program)
            globals.printer.confirm("program \(program) deleted", value: ["id": program.json, "deleted": true] as JSON)
        }
    }
}
