import FleetJSON

/// Where one program attaches, parsed from a manifest's or a command's `attach` object (DESIGN section 11).
///
/// Both spellings in use are accepted: tracepoints as `{"target": "sched/sched_process_exec"}` (or `sched:...`)
/// and as `{"category": "sched", "name": "sched_process_exec"}`; XDP modes `auto`, `skb`/`generic` and
/// `native`/`drv`. A tracepoint, probe or trampoline without a target follows the program's section.
public struct ProgramAttachSpec: Sendable, Equatable {
    /// Where the program attaches; the executor turns it into a libbpf attach target.
    public enum Target: Hashable, Sendable {
        /// libbpf's auto-attach, driven by the program's section name.
        case auto
        case tracepoint(category: String, name: String)
        case rawTracepoint(name: String)
        case kprobe(function: String, offset: UInt64 = 0)
        case kretprobe(function: String)
        /// `symbol` nil attaches at a file offset; `pid` nil traces every process.
        case uprobe(binary: String, symbol: String?, offset: UInt64 = 0, pid: Int32? = nil)
        case uretprobe(binary: String, symbol: String?, offset: UInt64 = 0, pid: Int32? = nil)
        case fentry
        case fexit
        case xdp(interface: String, mode: XDPMode = .auto)
        case tc(interface: String, direction: TCDirection, priority: UInt32 = 1)

        public enum XDPMode: String, Hashable, Sendable { case auto, skb, native }
        public enum TCDirection: String, Hashable, Sendable { case ingress, egress }

        /// The manifest's `type` for this target.
        public var type: String {
            switch self {
            case .auto: "auto"
            case .tracepoint: "tracepoint"
            case .rawTracepoint: "raw_tracepoint"
            case .kprobe: "kprobe"
            case .kretprobe: "kretprobe"
            case .uprobe, .uretprobe: "uprobe"
            case .fentry: "fentry"
            case .fexit: "fexit"
            case .xdp: "xdp"
            case .tc: "tc"
            }
        }
    }

    public let target: Target
    /// For `fentry`/`fexit`: the kernel function, set before load; nil keeps the section's.
    public let traceFunction: String?

    public static let auto = ProgramAttachSpec(target: .auto, traceFunction: nil)

    public init(target: Target, traceFunction: String? = nil) {
        self.target = target
        self.traceFunction = traceFunction
    }

    /// - Throws: `JSONError` naming the member at fault.
    public init(json: JSON, path: String) throws {
        var reader = try JSONObjectReader(json, path: path)
        let type: String = try reader.require("type")
        func member(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
        func nonEmpty(_ value: String?, _ key: String) throws -> String? {
            guard let value else { return nil }
            guard !value.isEmpty, value.utf8.count <= 256 else { throw JSONError(path: member(key), message: "must be 1 to 256 characters") }
            return value
        }
        func offset() throws -> UInt64 {
            guard let value: Int64 = try reader.optional("offset") else { return 0 }
            guard value >= 0 else { throw JSONError(path: member("offset"), message: "must not be negative") }
            return UInt64(value)
        }
        var function: String?
        switch type {
        case "auto":
            target = .auto
        case "tracepoint":
            let text = try nonEmpty(try reader.optional("target"), "target")
            let category = try nonEmpty(try reader.optional("category"), "category")
            let name = try nonEmpty(try reader.optional("name"), "name")
            if let text {
                guard let split = text.firstIndex(where: { $0 == "/" || $0 == ":" }), split != text.startIndex,
                      text.index(after: split) != text.endIndex else {
                    throw JSONError(path: member("target"), message: "'\(text)' is not category/name, e.g. sched/sched_process_exec")
                }
                target = .tracepoint(category: String(text[..<split]), name: String(text[text.index(after: split)...]))
            } else if let category, let name {
                target = .tracepoint(category: category, name: name)
            } else if category == nil && name == nil {
                target = .auto
            } else {
                throw JSONError(path: path, message: "a tracepoint needs both category and name (or target)")
            }
        case "raw_tracepoint":
            let name = try nonEmpty(try reader.optional("target"), "target") ?? nonEmpty(try reader.optional("name"), "name")
            target = name.map { .rawTracepoint(name: $0) } ?? .auto
        case "kprobe", "kretprobe":
            let name = try nonEmpty(try reader.optional("target"), "target") ?? nonEmpty(try reader.optional("function"), "function")
            let at = try offset()
            if let name {
                target = type == "kprobe" ? .kprobe(function: name, offset: at) : .kretprobe(function: name)
            } else {
                target = .auto
            }
        case "uprobe":
            let binary: String = try reader.require("binary")
            guard binary.hasPrefix("/"), binary.utf8.count <= 4096 else { throw JSONError(path: member("binary"), message: "must be an absolute path") }
            let symbol = try nonEmpty(try reader.optional("function"), "function") ?? nonEmpty(try reader.optional("symbol"), "symbol")
            let at = try offset()
            let pidValue: Int? = try reader.optional("pid")
            if let pidValue, pidValue < -1 || pidValue > Int(Int32.max) {
                throw JSONError(path: member("pid"), message: "must be a process id, or -1 for all processes")
            }
            let pid = pidValue.flatMap { $0 == -1 ? nil : Int32(exactly: $0) }
            let retprobe: Bool = try reader.optional("retprobe") ?? false
            target = retprobe ? .uretprobe(binary: binary, symbol: symbol, offset: at, pid: pid)
                : .uprobe(binary: binary, symbol: symbol, offset: at, pid: pid)
        case "fentry", "fexit":
            function = try nonEmpty(try reader.optional("target"), "target") ?? nonEmpty(try reader.optional("function"), "function")
            target = type == "fentry" ? .fentry : .fexit
        case "xdp":
            let interface = try Self.interface(try reader.require("iface"), path: member("iface"))
            let modeText: String = try reader.optional("mode") ?? "auto"
            let mode: Target.XDPMode
            switch modeText {
            case "auto": mode = .auto
            case "skb", "generic": mode = .skb
            case "native", "drv": mode = .native
            default:
                throw JSONError(path: member("mode"), message: "unsupported XDP mode '\(modeText)': use auto, skb (generic) or native")
            }
            target = .xdp(interface: interface, mode: mode)
        case "tc":
            let interface = try Self.interface(try reader.require("iface"), path: member("iface"))
            let directionText: String = try reader.require("direction")
            guard let direction = Target.TCDirection(rawValue: directionText) else {
                throw JSONError(path: member("direction"), message: "unknown direction '\(directionText)': use ingress or egress")
            }
            let priority: Int = try reader.optional("priority") ?? 1
            guard (1...65535).contains(priority) else { throw JSONError(path: member("priority"), message: "must be 1 to 65535") }
            target = .tc(interface: interface, direction: direction, priority: UInt32(priority))
        default:
            throw JSONError(path: member("type"), message: "unknown attach type '\(type)': use auto, tracepoint, raw_tracepoint, kprobe, kretprobe, uprobe, fentry, fexit, xdp or tc")
        }
        try reader.finish()
        traceFunction = function
    }

    /// Whether the kernel can swap the program under an existing attachment (`bpf_link_update`, TC replace).
    public var supportsAtomicReplace: Bool {
        switch target {
        case .xdp, .tc: true
        default: false
        }
    }

    private static func interface(_ name: String, path: String) throws -> String {
        guard (1...15).contains(name.utf8.count), !name.contains("/"), !name.contains(where: \.isWhitespace) else {
            throw JSONError(path: path, message: "'\(name)' is not a network interface name")
        }
        return name
    }
}
