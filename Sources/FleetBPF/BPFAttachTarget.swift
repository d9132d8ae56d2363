/// Where a program is attached; mirrors `attach.type` of a program manifest.
public enum BPFAttachTarget: Hashable, Sendable {
    /// libbpf's auto-attach, driven by the program's section name.
    case auto
    /// A static tracepoint, e.g. `sched` / `sched_process_exec`.
    case tracepoint(category: String, name: String)
    case rawTracepoint(name: String)
    /// A kernel function entry, optionally at an offset into it.
    case kprobe(function: String, offset: UInt64 = 0)
    case kretprobe(function: String)
    /// A user-space function: by symbol (plus `offset` into it) or, with `symbol` nil, by file offset.
    /// `pid` nil traces every process that maps the binary.
    case uprobe(binary: String, symbol: String?, offset: UInt64 = 0, pid: Int32? = nil)
    case uretprobe(binary: String, symbol: String?, offset: UInt64 = 0, pid: Int32? = nil)
    /// BTF trampolines; the target function comes from the section or `setAttachTarget` before load.
    case fentry
    case fexit
    case xdp(interface: String, mode: XDPMode = .auto)
    /// A classifier on the interface's `clsact` hook. `handle` 0 lets the kernel choose one; a fixed
    /// handle lets a restarted process find its filter again (`BPFLink(adoptingTC:)`).
    case tc(interface: String, direction: TCDirection, priority: UInt32 = 1, handle: UInt32 = 0)

    /// How an XDP program runs on the interface.
    public enum XDPMode: String, Hashable, Sendable {
        /// Native when the driver supports it, generic otherwise.
        case auto
        /// Generic XDP on the socket buffer (works on every interface).
        case skb
        /// In the driver (`XDP_FLAGS_DRV_MODE`).
        case native
    }

    /// Which side of the interface a TC classifier sees.
    public enum TCDirection: String, Hashable, Sendable {
        case ingress, egress
    }
}

extension BPFAttachTarget: CustomStringConvertible {
    public var description: String {
        switch self {
        case .auto: "auto"
        case .tracepoint(let category, let name): "tracepoint \(category):\(name)"
        case .rawTracepoint(let name): "raw_tracepoint \(name)"
        case .kprobe(let function, let offset): offset == 0 ? "kprobe \(function)" : "kprobe \(function)+\(offset)"
        case .kretprobe(let function): "kretprobe \(function)"
        case .uprobe(let binary, let symbol, let offset, _): "uprobe \(binary):\(symbol ?? "")+\(offset)"
        case .uretprobe(let binary, let symbol, let offset, _): "uretprobe \(binary):\(symbol ?? "")+\(offset)"
        case .fentry: "fentry"
        case .fexit: "fexit"
        case .xdp(let interface, let mode): "xdp \(interface) (\(mode.rawValue))"
        case .tc(let interface, let direction, _, _): "tc \(interface) \(direction.rawValue)"
        }
    }
}
