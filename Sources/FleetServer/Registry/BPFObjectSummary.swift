import FleetBPF
import FleetJSON

/// What an eBPF object offers, as libbpf reads it (FleetBPF's open stage, the parser the executor uses, without
/// touching the kernel): the programs, each in a section libbpf recognises, and the maps the object defines in
/// `.maps` (not those libbpf makes for global variables, `.rodata`, `.data`, `.bss`, or for `.struct_ops`).
struct BPFObjectSummary: Equatable, Sendable {
    /// Why bytes are not a usable eBPF object; the text is safe to show.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    struct Program: Equatable, Sendable {
        let name: String
        /// The ELF section, e.g. `tracepoint/syscalls/sys_enter_openat`.
        let section: String
        /// The section's kind, the part before the first `/`, e.g. `tracepoint`.
        let kind: String
    }

    struct Map: Equatable, Sendable {
        let name: String
        /// `.maps` for what libbpf reads now; summaries stored before may say `maps` (the legacy section).
        let section: String
    }

    let programs: [Program]
    let maps: [Map]

    /// Opens `bytes` with libbpf and summarises the object: at least one program, each of a type libbpf knows.
    /// - Parameters:
    ///   - name: the object's name, which libbpf's messages quote.
    /// - Throws: `Invalid` with libbpf's reason.
    init(opening bytes: UnsafeRawBufferPointer, name: String) throws(Invalid) {
        guard !bytes.isEmpty else { throw Invalid(description: "the file is empty") }
        let object: BPFObjectFile
        do { object = try BPFObjectFile.open(buffer: bytes, name: name) } catch {
            throw Invalid(description: "libbpf cannot open it: \(error.explanation ?? error.errnoText ?? error.description)"
                + "; upload the object file clang -target bpf -c produced")
        }
        try self.init(object)
    }

    /// Summarises an opened object.
    /// - Throws: `Invalid` when it has no program or a program whose section libbpf does not recognise.
    init(_ object: borrowing BPFObjectFile) throws(Invalid) {
        let programs = object.programs
        guard !programs.isEmpty else {
            throw Invalid(description: "the object has no program section (such as tracepoint/..., kprobe/..., xdp or tc)")
        }
        if let unknown = programs.first(where: { $0.type == .unspecified }) {
            throw Invalid(description: "program '\(unknown.name)' is in section '\(unknown.section)', which is not a program type libbpf knows")
        }
        self.programs = programs.map { Program(name: $0.name, section: $0.section, kind: String($0.section.prefix { $0 != "/" })) }
            .sorted { ($0.section, $0.name) < ($1.section, $1.name) }
        maps = object.maps.filter { !$0.isInternal && $0.type != .structOps }
            .map { Map(name: $0.name, section: ".maps") }.sorted { $0.name < $1.name }
    }

    init(programs: [Program], maps: [Map]) {
        self.programs = programs
        self.maps = maps
    }

    var json: JSON {
        [
            "programs": .array(programs.map { ["name": .string($0.name), "section": .string($0.section), "type": .string($0.kind)] }),
            "maps": .array(maps.map { ["name": .string($0.name), "section": .string($0.section)] }),
        ]
    }

    /// Reads back what `json` stored.
    init(json: JSON) throws {
        var reader = try JSONObjectReader(json, path: "summary")
        let programs: [JSON] = try reader.require("programs")
        let maps: [JSON] = try reader.require("maps")
        self.programs = try programs.map { item in
            var program = try JSONObjectReader(item, path: "summary.programs")
            return Program(name: try program.require("name"), section: try program.require("section"), kind: try program.require("type"))
        }
        self.maps = try maps.map { item in
            var map = try JSONObjectReader(item, path: "summary.maps")
            return Map(name: try map.require("name"), section: try map.require("section"))
        }
    }
}
