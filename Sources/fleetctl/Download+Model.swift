import ArgumentParser
import FleetClient
import FleetJSON
import Foundation

extension Fleetctl.Download {
    struct DownloadModel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "model",
            abstract: "Save a model's ONNX file, as uploaded.",
            discussion: """
                The file is written next to its destination and renamed into place once complete, so an \
                interrupted download leaves no partial file behind. Without a file name it is saved as \
                <name>-<version>.onnx in the current directory; - writes to stdout (not to a terminal).

                Examples:
                  fleetctl download model anomaly@1.0.0
                  fleetctl download model 3f2a… /tmp/anomaly.onnx
                  fleetctl download model anomaly@1.0.0 - | sha256sum
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The model's ID, or name@version.", valueName: "model"), transform: ModelReference.parse)
        var model: ModelReference

        @Argument(help: ArgumentHelp("Where to save it; - for stdout (default: <name>-<version>.onnx).", valueName: "file"))
        var file: String?

        func validate() throws {
            if file == "-" && Terminal.stdoutIsTTY { throw ValidationError("refusing to write a binary model to a terminal; name a file or pipe stdout") }
        }

        func run() throws {
            let client = try globals.client()
            if file == "-" {
                try client.downloadModel(try model.id(using: client)) { FileHandle.standardOutput.write(Data($0)) }
                return
            }
            let found = try model.fetch(using: client)
            let path = file ?? "\(found.name)-\(found.version).onnx"
            let size = try TransferProgressLine.showing(.download, label: "downloading \(path)") { progress in
                try client.downloadModel(found.id, toFile: path, progress: progress)
            }
            globals.printer.confirm("saved \(path) (\(ByteCount.format(size)))",
                                    value: ["id": found.id.json, "path": .string(path), "size": .int(size)] as JSON)
        }
    }
}
