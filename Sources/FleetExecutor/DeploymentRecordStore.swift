import Glibc
import FleetSystem
import FleetJSON

/// The deployments this executor made, one folder per kind in the state directory (`programs`, `models`):
/// `<name>.json` holds the normalised request of the command that made it and `<name>.<extension>` the
/// verified artifact, so that a restarted executor brings the deployment back without the server (programs
/// adopt their pins, or load the kept object again after a reboot; models load the kept file). A deployment a
/// policy made also has `<name>.policy` (`PolicyMark`).
struct DeploymentRecordStore: Sendable {
    struct Record: Sendable {
        let name: String
        let request: JSON
        /// Nil for a deployment made by a direct command.
        let policy: PolicyMark?
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

    /// Writes the artifact first, then the request, so a request on disk always has its artifact; then the
    /// policy mark, or removes an earlier one first when a direct command made the deployment. A crash in between
    /// leaves a mark that does not cover the request (`PolicyMark.covers`), never one that claims another payload.
    func save(_ name: String, request: JSON, artifact: [UInt8], policy: PolicyMark? = nil) throws {
        if policy == nil { try FileSystem.remove(policyFile(name)) }
        try FileSystem.writeAtomically(artifact, to: artifactFile(name))
        try FileSystem.writeAtomically(Array(request.prettyPrinted().utf8), to: requestFile(name))
        if let policy { try FileSystem.writeAtomically(Array(policy.json.prettyPrinted().utf8), to: policyFile(name)) }
    }

    /// Marks an existing deployment as a policy's (adoption of what a direct command loaded).
    func mark(_ name: String, policy: PolicyMark) throws {
        try FileSystem.writeAtomically(Array(policy.json.prettyPrinted().utf8), to: policyFile(name))
    }

    func remove(_ name: String) {
        do {
            try FileSystem.remove(requestFile(name))
            try FileSystem.remove(artifactFile(name))
            try FileSystem.remove(policyFile(name))
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
                let deployment = String(name.dropLast(".json".count))
                return Record(name: deployment, request: json, policy: policyMark(deployment))
            }
    }

    /// Where the kept artifact of `name` is.
    func artifactPath(_ name: String) -> String { artifactFile(name) }

    /// The policy mark of `name`; nil when there is none or it cannot be read (reported), so the deployment
    /// counts as a direct command's and is left alone.
    private func policyMark(_ name: String) -> PolicyMark? {
        let file = policyFile(name)
        guard FileSystem.exists(file) else { return nil }
        do {
            return try PolicyMark(json: try JSON.parse(try FileSystem.read(file)))
        } catch {
            ExecutorLog.write("ignoring the unreadable policy mark \(file): \(error)")
            return nil
        }
    }

    private func requestFile(_ name: String) -> String { FilePath.join(directory, "\(name).json") }
    private func artifactFile(_ name: String) -> String { FilePath.join(directory, "\(name).\(artifactExtension)") }
    private func policyFile(_ name: String) -> String { FilePath.join(directory, "\(name).policy") }
}
