import ArgumentParser
import FleetClient
import FleetJSON
import Foundation

extension Fleetctl {
    struct Upload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload eBPF program objects and ONNX models to the registries.",
            discussion: """
                Examples:
                  fleetctl upload program build/syscall_count.bpf.o --name syscall-count --version 1.0.0 \\
                    --manifest syscall_count.manifest.json
                  fleetctl upload model anomaly.onnx --name anomaly --version 1.0.0 --metadata anomaly.json
                """,
            subcommands: [UploadProgram.self, UploadModel.self]
        )
    }
}

extension Fleetctl.Upload {
    /// The JSON document in the file at `path`, for `option`.
    static func readJSON(_ path: String, option: String) throws -> JSON {
        let bytes = try readFile(path, option: option)
        do { return try JSON.parse(bytes) } catch let error as JSONError {
            throw FleetClientError(kind: .invalidConfiguration, title: "\(option) \(path) is not valid JSON", detail: error.description)
        }
    }

    static func readFile(_ path: String, option: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FleetClientError(kind: .invalidConfiguration, title: "cannot read \(option) \(path)", detail: "no such file, or not readable")
        }
        return [UInt8](data)
    }
}
