import FoundationEssentials
import Glibc
import FleetJSON

/// The deployments this executor made, kept in `<state>/programs`: `<name>.json` holds the normalised load
/// request (program id, sha256, manifest, attach, rodata) and `<name>.o` the verified object, so that a
/// restarted executor adopts the pins, and one started after a reboot (pins gone) loads the object again
/// without the server.
struct ProgramRecordStore: Sendable {
    struct Record: Sendable {
        let name: String
        let request: JSON
    }

    let directory: URL

    init(state: StateDirectory) throws {
        directory = state.file("programs")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Writes the object first, then the request, so a request on disk always has its object.
    func save(_ request: ProgramLoadRequest, object: [UInt8]) throws {
        try StateDirectory.writeAtomically(object, to: objectFile(request.name))
        try StateDirectory.writeAtomically(Array(request.json.prettyPrinted().utf8), to: requestFile(request.name))
    }

    func remove(_ name: String) {
        try? FileManager.default.removeItem(at: requestFile(name))
        try? FileManager.default.removeItem(at: objectFile(name))
    }

    func contains(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: requestFile(name).path)
    }

    func object(_ name: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: objectFile(name).path) else {
            throw ExecutorError("the kept object of '\(name)' is missing from \(directory.path)")
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
    private func objectFile(_ name: String) -> URL { directory.appendingPathComponent("\(name).o") }
}
