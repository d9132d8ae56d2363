import FoundationEssentials
import Glibc
import FleetJSON

/// The deployments this executor made, one folder per kind in the state directory (`programs`, `models`):
/// `<name>.json` holds the normalised request of the command that made it and `<name>.<extension>` the
/// verified artifact, so that a restarted executor brings the deployment back without the server (programs
/// adopt their pins, or load the kept object again after a reboot; models load the kept file).
struct DeploymentRecordStore: Sendable {
    struct Record: Sendable {
        let name: String
        let request: JSON
    }

    let directory: URL
    private let artifactExtension: String

    /// - Parameters:
    ///   - folder: the folder under the state directory, created 0700 when missing.
    ///   - artifactExtension: the kept artifact's file extension (`o`, `onnx`).
    init(state: StateDirectory, folder: String, artifactExtension: String) throws {
        directory = state.file(folder)
        self.artifactExtension = artifactExtension
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Writes the artifact first, then the request, so a request on disk always has its artifact.
    func save(_ name: String, request: JSON, artifact: [UInt8]) throws {
        try StateDirectory.writeAtomically(artifact, to: artifactFile(name))
        try StateDirectory.writeAtomically(Array(request.prettyPrinted().utf8), to: requestFile(name))
    }

    func remove(_ name: String) {
        try? FileManager.default.removeItem(at: requestFile(name))
        try? FileManager.default.removeItem(at: artifactFile(name))
    }

    func contains(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: requestFile(name).path)
    }

    func artifact(_ name: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: artifactFile(name).path) else {
            throw ExecutorError("the kept artifact of '\(name)' is missing from \(directory.path)")
        }
        return [UInt8](data)
    }

    /// Every stored request, by name; unreadable files are reported and skipped.
    func records() -> [Record] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .sorted()
            .compactMap { name in
                let file = directory.appendingPathComponent(name)
                guard let data = FileManager.default.contents(atPath: file.path), let json = try? JSON.parse([UInt8](data)) else {
                    ExecutorLog.write("ignoring the unreadable deployment record \(file.path)")
                    return nil
                }
                return Record(name: String(name.dropLast(".json".count)), request: json)
            }
    }

    private func requestFile(_ name: String) -> URL { directory.appendingPathComponent("\(name).json") }
    private func artifactFile(_ name: String) -> URL { directory.appendingPathComponent("\(name).\(artifactExtension)") }
}
