import ArgumentParser
import FleetClient
import FleetJSON
import Foundation

extension Fleetctl.Download {
    struct DownloadProgram: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "program",
            abstract: "Save a program's object file, as uploaded.",
            discussion: """
                The file is written next to its destination and renamed into place once complete, so an \
                interrupted download leaves no partial file behind. Without a file name it is saved as \
                <name>-<version>.o in the current directory; - writes to stdout (not to a terminal).

                Examples:
                  fleetctl download program 3f2a…
                  fleetctl download program 3f2a… /tmp/prog.o
                  fleetctl download program 3f2a… - | llvm-objdump -d -
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The program's ID.", valueName: "program-id"), transform: ArgumentTransforms.programID)
        var program: RegisteredProgram.ID

        @Argument(help: ArgumentHelp("Where to save it; - for stdout (default: <name>-<version>.o).", valueName: "file"))
        var file: String?

        func validate() throws {
            if file == "-" && Terminal.stdoutIsTTY { throw ValidationError("refusing to write a binary object to a terminal; name a file or pipe stdout") }
        }

        func run() throws {
            let client = try globals.client()
            if file == "-" {
                try client.downloadProgramObject(program) { FileHandle.standardOutput.write(Data($0)) }
                return
            }
            let path = try file ?? { let found = try client.program(program); return "\(found.name)-\(found.version).o" }()
            let size = try TransferProgressLine.showing(.download, label: "downloading \(path)") { progress in
                try client.downloadProgramObject(program, toFile: path, progress: progress)
            }
            globals.printer.confirm("saved \(path) (\(ByteCount.format(size)))",
                                    value: ["id": program.json, "path": .string(path), "size": .int(size)] as JSON)
        }
    }
}
