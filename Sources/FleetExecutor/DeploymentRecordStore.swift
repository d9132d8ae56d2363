import Glibc
import FleetSystem
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

    let directory: String
    private let artifactExtension: String

    /// - Parameters:
    ///   - folder: the folder under the state directory, created 0700 when missing.
    ///   - artifactExtension: the kept artifact's file extension (`o`, `onnx`).
    init(state: StateDirectory, folder: String, artifactExtension: String) throws {
        directory = state.file(folder)
        self.artifactExtension = artifactExtension
        try FileSystem.createDirectory(directory, mode: 0o700)
    }

    /// Writes the artifact first, then the request, so a request on disk always has its artifact.
    func save(_ name: String, request: JSON, artifact: [UInt8]) throws {
        try FileSystem.writeAtomically(artifact, to: artifactFile(name))
        try FileSystem.writeAtomically(Array(request.prettyPrinted().utf8), to: requestFile(name))
    }

    func remove(_ name: String) {
        do {
            try FileSystem.remove(requestFile(name))
            try FileSystem.remove(artifactFile(name))
        } catch {
            ExecutorLog.write("cannot remove the deployment record of '\(name)': \(error)")
        }
    }

    func contains(_ name: String) -> Bool {
        FileSystem.exists(requestFile(name))
    }

    func artifact(_ name: String) throws -> [UInt8] {
        do {
            return try FileSystem.read(artifactFile(name))
        } catch {
            throw ExecutorError("the kept artifact of '\(name)' cannot be read: \(error)")
        }
    }

    /// Every stored request, by name; unreadable files are reported and skipped.
    func records() -> [Record] {
        let names = (try? FileSystem.contentsOfDirectory(directory)) ?? []
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .sorted()
            .compactMap { name in
                let file = FilePath.join(directory, name)
                guard let data = try? FileSystem.read(file), let json = try? JSON.parse(data) else {
                    ExecutorLog.write("ignoring the unreadable deployment record \(file)")
                    return nil
                }
                return Record(name: String(name.dropLast(".json".count)), request: json)
            }
    }

    private func requestFile(_ name: String) -> String { FilePath.join(directory, "\(name).json") }
    private func artifactFile(_ name: String) -> String { FilePath.join(directory, "\(name).\(artifactExtension)") }
}
