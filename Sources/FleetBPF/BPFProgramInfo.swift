internal import CLibBPF

/// A program described by an opened (not yet loaded) object.
public struct BPFProgramInfo: Hashable, Sendable {
    /// The C function name.
    public let name: String
    /// The ELF section, e.g. `tracepoint/sched/sched_process_exec` or `xdp`.
    public let section: String
    public let type: BPFProgramType
    /// Whether `load()` will load it.
    public let autoload: Bool

    init(pointer: OpaquePointer) {
        name = String(cString: bpf_program__name(pointer))
        section = String(cString: bpf_program__section_name(pointer))
        type = BPFProgramType(rawValue: bpf_program__type(pointer).rawValue)
        autoload = bpf_program__autoload(pointer)
    }
}

/// A map described by an opened (not yet loaded) object.
public struct BPFMapInfo: Hashable, Sendable {
    public let name: String
    public let type: BPFMapType
    public let keySize: Int
    public let valueSize: Int
    public let maxEntries: Int
    /// True for the maps libbpf makes for global variables (`.rodata`, `.bss`, `.data`, `.kconfig`).
    public let isInternal: Bool

    init(pointer: OpaquePointer) {
        name = String(cString: bpf_map__name(pointer))
        type = BPFMapType(rawValue: bpf_map__type(pointer).rawValue)
        keySize = Int(bpf_map__key_size(pointer))
        valueSize = Int(bpf_map__value_size(pointer))
        maxEntries = Int(bpf_map__max_entries(pointer))
        isInternal = bpf_map__is_internal(pointer)
    }
}
