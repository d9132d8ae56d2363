/// Programs, maps and links re-opened from a pin directory, e.g. after the executor restarts.
///
/// Adopting changes nothing in the kernel: links stay attached when this object is released, as long
/// as their pins exist.
public final class BPFPinnedObject: Sendable {
    public let directory: BPFPinDirectory
    /// Keyed by pin name.
    public let programs: [String: BPFPinnedProgram]
    public let maps: [String: BPFMap]
    public let links: [String: BPFLink]

    /// Opens every pin under `directory` (`bpf_obj_get`).
    /// - Throws: `BPFError` `.notFound` when the directory does not exist, `.adopt` when a pin cannot be opened.
    public init(adopting directory: BPFPinDirectory) throws(BPFError) {
        guard directory.exists else {
            throw BPFError(code: .notFound, operation: "adopt", subject: directory.path, reason: "no pins")
        }
        self.directory = directory
        var programs: [String: BPFPinnedProgram] = [:]
        for name in BPFPinPath.entries(of: directory.programsPath) {
            programs[name] = try BPFPinnedProgram(path: directory.programPath(name), name: name)
        }
        var maps: [String: BPFMap] = [:]
        for name in BPFPinPath.entries(of: directory.mapsPath) {
            maps[name] = try BPFMap(adoptingPin: directory.mapPath(name), name: name)
        }
        var links: [String: BPFLink] = [:]
        for name in BPFPinPath.entries(of: directory.linksPath) {
            links[name] = try BPFLink(adoptingPin: directory.linkPath(name), name: name)
        }
        self.programs = programs
        self.maps = maps
        self.links = links
    }

    /// - Throws: `BPFError` `.notFound`.
    public func map(named name: String) throws(BPFError) -> BPFMap {
        guard let map = maps[name] else {
            throw BPFError(code: .notFound, operation: "find map", subject: "\(directory.name)/\(name)", reason: "no such pinned map")
        }
        return map
    }

    /// - Throws: `BPFError` `.notFound`.
    public func link(named name: String) throws(BPFError) -> BPFLink {
        guard let link = links[name] else {
            throw BPFError(code: .notFound, operation: "find link", subject: "\(directory.name)/\(name)", reason: "no such pinned link")
        }
        return link
    }

    /// - Throws: `BPFError` `.notFound`.
    public func program(named name: String) throws(BPFError) -> BPFPinnedProgram {
        guard let program = programs[name] else {
            throw BPFError(code: .notFound, operation: "find program", subject: "\(directory.name)/\(name)", reason: "no such pinned program")
        }
        return program
    }
}
