internal import CLibBPF

/// An eBPF object whose programs are loaded and whose maps exist in the kernel.
///
/// Programs and maps handed out keep the object alive; dropping the last reference unloads whatever
/// is neither attached through a live link nor pinned.
public final class BPFObject: Sendable {
    public let name: String
    /// The loaded programs (programs with autoload off are left out).
    public let programs: [BPFProgram]
    /// Every map, including libbpf's internal `.rodata`/`.bss`/`.data` maps.
    public let maps: [BPFMap]

    init(handle: ObjectHandle, name: String) throws(BPFError) {
        self.name = name
        programs = handle.programPointers
            .filter { bpf_program__fd($0) >= 0 }
            .map { BPFProgram(pointer: $0, object: handle) }
        var maps: [BPFMap] = []
        for pointer in handle.mapPointers {
            let mapName = String(cString: bpf_map__name(pointer))
            maps.append(try BPFMap(borrowing: bpf_map__fd(pointer), name: mapName, owner: handle))
        }
        self.maps = maps
    }

    /// The loaded program with this C function name.
    /// - Throws: `BPFError` `.notFound`.
    public func program(named name: String) throws(BPFError) -> BPFProgram {
        guard let program = programs.first(where: { $0.name == name }) else {
            throw BPFError(code: .notFound, operation: "find program", subject: "\(self.name)/\(name)", reason: "no such loaded program")
        }
        return program
    }

    /// The map with this name (as declared in C).
    /// - Throws: `BPFError` `.notFound`.
    public func map(named name: String) throws(BPFError) -> BPFMap {
        guard let map = maps.first(where: { $0.name == name }) else {
            throw BPFError(code: .notFound, operation: "find map", subject: "\(self.name)/\(name)", reason: "no such map")
        }
        return map
    }

    /// Attaches every program by its section name (libbpf's auto-attach), skipping sections that
    /// carry no target (a bare `SEC("kprobe")`). All links are detached again if one attach fails.
    /// - Returns: the links, keyed by program name.
    /// - Throws: `BPFError` `.attach`.
    public func attachAll() throws(BPFError) -> [String: BPFLink] {
        var links: [String: BPFLink] = [:]
        for program in programs where program.hasAutoAttachTarget {
            links[program.name] = try program.attach(.auto)
        }
        return links
    }
}
