import Glibc
internal import CLibBPF

/// A BPF helper function (`BPF_FUNC_*`) by id and name.
public struct BPFHelper: Hashable, Sendable, CustomStringConvertible {
    public let id: UInt32
    /// e.g. `map_lookup_elem`, `ringbuf_reserve`.
    public let name: String

    public var description: String { name }

    /// Every helper known to the headers libbpf was built against.
    public static var allKnown: [BPFHelper] {
        (1...).lazy.map { id -> BPFHelper? in
            fleet_bpf_helper_name(UInt32(id)).map { BPFHelper(id: UInt32(id), name: String(cString: $0)) }
        }
        .prefix { $0 != nil }
        .compactMap { $0 }
    }
}

/// What the running kernel accepts, found by loading tiny probe programs (`libbpf_probe_bpf_*`).
/// Each probe is a `bpf(2)` call: run these off the Swift concurrency pool.
public enum BPFKernelSupport {
    /// Whether the kernel loads programs of this type.
    public static func supports(_ type: BPFProgramType) -> Bool {
        libbpf_probe_bpf_prog_type(bpf_prog_type(type.rawValue), nil) == 1
    }

    /// The program types the kernel accepts, out of those libbpf knows.
    public static func supportedProgramTypes() -> [BPFProgramType] {
        BPFProgramType.allKnown.filter(supports)
    }

    /// Whether programs of `type` may call `helper`.
    public static func supports(helper: BPFHelper, for type: BPFProgramType) -> Bool {
        guard libbpf_probe_bpf_helper(bpf_prog_type(type.rawValue), bpf_func_id(helper.id), nil) == 1 else { return false }
        return !verifierRefuses(helper: helper, for: type)
    }

    /// libbpf 1.1 treats only "invalid func"/"unknown func" as refusals; kernels since 6.x say "program of
    /// this type cannot use helper", which libbpf 1.1 reports as supported. This loads the same two-instruction
    /// probe (`call helper; exit`) and reads the verifier's wording itself.
    private static func verifierRefuses(helper: BPFHelper, for type: BPFProgramType) -> Bool {
        var instructions = [bpf_insn(), bpf_insn()]
        instructions[0].code = 0x85 // BPF_JMP | BPF_CALL
        instructions[0].imm = Int32(helper.id)
        instructions[1].code = 0x95 // BPF_JMP | BPF_EXIT
        let logSize = 4096
        var log = [CChar](repeating: 0, count: logSize)
        let fd = log.withUnsafeMutableBufferPointer { logBuffer in
            instructions.withUnsafeBufferPointer { program in
                withZeroedOptions(bpf_prog_load_opts.self) { options in
                    options.pointee.sz = MemoryLayout<bpf_prog_load_opts>.size
                    options.pointee.log_buf = logBuffer.baseAddress
                    options.pointee.log_size = UInt32(logSize)
                    options.pointee.log_level = 1
                    return bpf_prog_load(bpf_prog_type(type.rawValue), nil, "GPL", program.baseAddress, program.count, options)
                }
            }
        }
        if fd >= 0 {
            close(fd)
            return false
        }
        let text = String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.contains("cannot use helper") || text.contains("invalid func ") || text.contains("unknown func ")
    }

    /// The helpers programs of `type` may call (one probe per known helper).
    public static func supportedHelpers(for type: BPFProgramType) -> [BPFHelper] {
        BPFHelper.allKnown.filter { supports(helper: $0, for: type) }
    }
}
