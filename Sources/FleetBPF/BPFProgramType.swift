internal import CLibBPF

/// A kernel program type (`BPF_PROG_TYPE_*`), named the way libbpf and bpftool name it.
public struct BPFProgramType: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// libbpf's name, e.g. `tracepoint`, `xdp`, `sched_cls`; `unknown(N)` for types libbpf 1.1 does not know.
    public var name: String {
        libbpf_bpf_prog_type_str(bpf_prog_type(rawValue)).map { String(cString: $0) } ?? "unknown(\(rawValue))"
    }

    public var description: String { name }

    /// Every program type this build of libbpf knows, whether or not the kernel accepts it.
    public static var allKnown: [BPFProgramType] {
        (1...BPF_PROG_TYPE_SYSCALL.rawValue).map(BPFProgramType.init(rawValue:))
    }

    /// What libbpf gives a program whose section it does not recognise; such a program cannot load.
    public static let unspecified = BPFProgramType(rawValue: BPF_PROG_TYPE_UNSPEC.rawValue)
    public static let kprobe = BPFProgramType(rawValue: BPF_PROG_TYPE_KPROBE.rawValue)
    public static let tracepoint = BPFProgramType(rawValue: BPF_PROG_TYPE_TRACEPOINT.rawValue)
    public static let rawTracepoint = BPFProgramType(rawValue: BPF_PROG_TYPE_RAW_TRACEPOINT.rawValue)
    public static let tracing = BPFProgramType(rawValue: BPF_PROG_TYPE_TRACING.rawValue)
    public static let xdp = BPFProgramType(rawValue: BPF_PROG_TYPE_XDP.rawValue)
    public static let schedCLS = BPFProgramType(rawValue: BPF_PROG_TYPE_SCHED_CLS.rawValue)
}

/// A kernel map type (`BPF_MAP_TYPE_*`).
public struct BPFMapType: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// libbpf's name, e.g. `hash`, `percpu_array`, `ringbuf`.
    public var name: String {
        libbpf_bpf_map_type_str(bpf_map_type(rawValue)).map { String(cString: $0) } ?? "unknown(\(rawValue))"
    }

    public var description: String { name }

    /// True for maps that keep one value per possible CPU.
    public var isPerCPU: Bool {
        [BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_LRU_PERCPU_HASH,
         BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE].map(\.rawValue).contains(rawValue)
    }

    public static let hash = BPFMapType(rawValue: BPF_MAP_TYPE_HASH.rawValue)
    public static let array = BPFMapType(rawValue: BPF_MAP_TYPE_ARRAY.rawValue)
    public static let perCPUHash = BPFMapType(rawValue: BPF_MAP_TYPE_PERCPU_HASH.rawValue)
    public static let perCPUArray = BPFMapType(rawValue: BPF_MAP_TYPE_PERCPU_ARRAY.rawValue)
    public static let ringBuffer = BPFMapType(rawValue: BPF_MAP_TYPE_RINGBUF.rawValue)
    /// A map libbpf makes for a `.struct_ops` variable, not for a `.maps` definition.
    public static let structOps = BPFMapType(rawValue: BPF_MAP_TYPE_STRUCT_OPS.rawValue)
}
