import FleetJSON

/// What an eBPF object offers, found in its ELF tables: the programs (functions in program sections named
/// the way libbpf recognises them) and the maps (symbols in `.maps`, or in the legacy `maps` section).
struct BPFObjectSummary: Equatable, Sendable {
    struct Program: Equatable, Sendable {
        let name: String
        /// The ELF section, e.g. `tracepoint/syscalls/sys_enter_openat`.
        let section: String
        /// The section's kind, the part before the first `/`, e.g. `tracepoint`.
        let kind: String
    }

    struct Map: Equatable, Sendable {
        let name: String
        let section: String
    }

    let programs: [Program]
    let maps: [Map]

    /// Section kinds libbpf 1.x knows (the part of a section name before the first `/`).
    static let programKinds: Set<String> = [
        "socket", "sk_reuseport", "kprobe", "uprobe", "kretprobe", "uretprobe", "kprobe.multi", "kretprobe.multi",
        "uprobe.multi", "uretprobe.multi", "ksyscall", "kretsyscall", "usdt", "tc", "tcx", "netkit", "classifier",
        "action", "tracepoint", "tp", "raw_tracepoint", "raw_tp", "raw_tracepoint.w", "raw_tp.w", "tp_btf", "fentry",
        "fmod_ret", "fexit", "fentry.s", "fmod_ret.s", "fexit.s", "freplace", "lsm", "lsm.s", "lsm_cgroup", "iter",
        "iter.s", "syscall", "xdp", "xdp.frags", "perf_event", "lwt_in", "lwt_out", "lwt_xmit", "lwt_seg6local",
        "sockops", "sk_skb", "sk_msg", "lirc_mode2", "flow_dissector", "cgroup_skb", "cgroup", "struct_ops",
        "struct_ops.s", "sk_lookup", "netfilter",
    ]

    /// Checks that `object` is a relocatable eBPF ELF object with at least one program and summarises it.
    /// - Throws: `ELFObject.Invalid` with the reason.
    init(_ object: ELFObject) throws {
        guard object.machine == ELFObject.machineBPF else {
            throw ELFObject.Invalid(description: "the ELF machine is \(object.machine), not EM_BPF (247): compile with clang -target bpf")
        }
        guard object.fileType == ELFObject.typeRelocatable else {
            throw ELFObject.Invalid(description: "the ELF type is \(object.fileType), not ET_REL (1): upload the object file clang -c produced")
        }
        var programSections: [Int: (name: String, kind: String)] = [:]
        for section in object.sections
        where section.type == ELFObject.sectionProgbits && section.flags & ELFObject.flagExecInstr != 0 && section.size > 0 {
            if section.name == ".text" || section.name.hasPrefix(".text.") { continue }
            let kind = String(section.name.prefix(while: { $0 != "/" }))
            guard Self.programKinds.contains(kind) else {
                throw ELFObject.Invalid(description: "executable section '\(section.name)' is not a program type libbpf knows")
            }
            programSections[section.index] = (section.name, kind)
        }
        let mapSections = Dictionary(uniqueKeysWithValues: object.sections
            .filter { $0.name == ".maps" || $0.name == "maps" }.map { ($0.index, $0.name) })

        var programs: [Program] = []
        var maps: [Map] = []
        for symbol in object.symbols where !symbol.name.isEmpty {
            if symbol.type == ELFObject.symbolFunction, let section = programSections[symbol.sectionIndex] {
                programs.append(Program(name: symbol.name, section: section.name, kind: section.kind))
            } else if let section = mapSections[symbol.sectionIndex],
                      symbol.type != ELFObject.symbolSection && symbol.type != ELFObject.symbolFile {
                maps.append(Map(name: symbol.name, section: section))
            }
        }
        guard !programs.isEmpty else {
            throw ELFObject.Invalid(description: programSections.isEmpty
                ? "the object has no program section (such as tracepoint/..., kprobe/..., xdp or tc)"
                : "the object's program sections hold no function symbols")
        }
        self.programs = programs.sorted { ($0.section, $0.name) < ($1.section, $1.name) }
        self.maps = maps.sorted { $0.name < $1.name }
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
