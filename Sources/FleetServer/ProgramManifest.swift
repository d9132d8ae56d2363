import FleetCore
import FleetJSON

/// The manifest uploaded beside an eBPF object (DESIGN section 11): how to attach its programs, which maps
/// and ring buffers to export as telemetry, and `.rodata` defaults. Unknown members are rejected at every
/// level. It takes the executor's whole vocabulary (map `fields`, ring buffer `layout`, `rodata`, both
/// tracepoint spellings, probe `function`/`symbol`, tc `priority`), so what passes here the executor can read;
/// the executor checks `layout` itself.
struct ProgramManifest: Sendable {
    /// Why a manifest does not fit its object; the text is safe to show.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static let attachTypes = ["auto", "tracepoint", "raw_tracepoint", "kprobe", "kretprobe", "uprobe", "fentry", "fexit", "xdp", "tc"]
    static let mapKinds = ["counter", "histogram_log2", "hash_counter"]
    static let xdpModes = ["auto", "native", "drv", "generic", "skb"]

    /// Section kinds whose programs each attach type can attach; `auto` attaches anything by its section.
    static let attachableKinds: [String: Set<String>] = [
        "tracepoint": ["tracepoint", "tp"],
        "raw_tracepoint": ["raw_tracepoint", "raw_tp", "raw_tracepoint.w", "raw_tp.w"],
        // kprobes, kretprobes and uprobes are all BPF_PROG_TYPE_KPROBE: one kind of program attaches as any of them.
        "kprobe": kprobeKinds,
        "kretprobe": kprobeKinds,
        "uprobe": kprobeKinds,
        "fentry": ["fentry", "fentry.s"],
        "fexit": ["fexit", "fexit.s"],
        "xdp": ["xdp", "xdp.frags"],
        "tc": ["tc", "tcx", "classifier", "action"],
    ]

    static let kprobeKinds: Set<String> = [
        "kprobe", "kretprobe", "ksyscall", "kretsyscall", "kprobe.multi", "kretprobe.multi",
        "uprobe", "uretprobe", "uprobe.multi", "uretprobe.multi",
    ]

    /// The parsed document, as it is stored and shown.
    let json: JSON

    /// Parses and checks `bytes` against the object's programs and maps.
    /// - Throws: `Invalid` naming the member at fault.
    init(bytes: [UInt8], object: BPFObjectSummary) throws {
        let document: JSON
        do { document = try JSON.parse(bytes) } catch {
            throw Invalid(description: "manifest: not valid JSON (\(error))")
        }
        do {
            try Self.check(document, object: object)
        } catch let error as JSONError {
            throw Invalid(description: "manifest: \(error.description)")
        }
        json = document
    }

    private static func check(_ document: JSON, object: BPFObjectSummary) throws {
        var reader = try JSONObjectReader(document)
        let programs: [JSON] = try reader.optional("programs") ?? []
        let maps: [JSON] = try reader.optional("maps") ?? []
        let ringbufs: [JSON] = try reader.optional("ringbufs") ?? []
        if let rodata = reader.raw("rodata"), !rodata.isNull { try checkRodata(rodata, path: "rodata") }
        try reader.finish()

        let programKinds = Dictionary(object.programs.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first })
        let mapNames = Set(object.maps.map(\.name))
        var named = Set<String>()
        for (index, item) in programs.enumerated() {
            let path = "programs[\(index)]"
            var program = try JSONObjectReader(item, path: path)
            let name: String = try program.require("name")
            guard let kind = programKinds[name] else {
                throw JSONError(path: "\(path).name", message: "the object has no program '\(name)'\(listing(programKinds.keys))")
            }
            guard named.insert(name).inserted else { throw JSONError(path: "\(path).name", message: "program '\(name)' is listed twice") }
            if let attach = program.raw("attach"), !attach.isNull {
                try checkAttach(attach, path: "\(path).attach", programKind: kind)
            }
            try program.finish()
        }

        var exported = Set<String>()
        for (index, item) in maps.enumerated() {
            let path = "maps[\(index)]"
            var map = try JSONObjectReader(item, path: path)
            let name: String = try map.require("name")
            let kind: String = try map.require("kind")
            let metric: String = try map.require("metric")
            let keyLabel: String? = try map.optional("key_label")
            let fields: [String] = try map.optional("fields") ?? []
            try map.finish()
            guard mapNames.contains(name) else {
                throw JSONError(path: "\(path).name", message: "the object has no map '\(name)'\(listing(mapNames))")
            }
            guard exported.insert(name).inserted else { throw JSONError(path: "\(path).name", message: "map '\(name)' is listed twice") }
            guard mapKinds.contains(kind) else {
                throw JSONError(path: "\(path).kind", message: "unknown kind '\(kind)': use \(mapKinds.joined(separator: ", "))")
            }
            try checkMetric(metric, path: "\(path).metric")
            if let keyLabel, !MetricName.isValidLabelName(keyLabel) {
                throw JSONError(path: "\(path).key_label", message: "'\(keyLabel)' is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)")
            }
            for (fieldIndex, field) in fields.enumerated() where !MetricName.isValidFieldName(field) {
                throw JSONError(path: "\(path).fields[\(fieldIndex)]", message: "'\(field)' is not a usable field name (1 to 63 of A-Z a-z 0-9 _ . -)")
            }
        }

        for (index, item) in ringbufs.enumerated() {
            let path = "ringbufs[\(index)]"
            var ringbuf = try JSONObjectReader(item, path: path)
            let name: String = try ringbuf.require("name")
            let metric: String = try ringbuf.require("metric")
            let rate: Int? = try ringbuf.optional("max_per_second")
            let layout: String? = try ringbuf.optional("layout")
            try ringbuf.finish()
            if let layout, !(1...4096).contains(layout.utf8.count) {
                throw JSONError(path: "\(path).layout", message: "must be 1 to 4096 characters")
            }
            guard mapNames.contains(name) else {
                throw JSONError(path: "\(path).name", message: "the object has no map '\(name)'\(listing(mapNames))")
            }
            guard exported.insert(name).inserted else {
                throw JSONError(path: "\(path).name", message: "map '\(name)' is already exported")
            }
            try checkMetric(metric, path: "\(path).metric")
            if let rate, !(1...1_000_000).contains(rate) {
                throw JSONError(path: "\(path).max_per_second", message: "must be between 1 and 1000000")
            }
        }
    }

    private static func checkAttach(_ attach: JSON, path: String, programKind: String) throws {
        var reader = try JSONObjectReader(attach, path: path)
        let type: String = try reader.require("type")
        guard attachTypes.contains(type) else {
            throw JSONError(path: "\(path).type", message: "unknown attach type '\(type)': use \(attachTypes.joined(separator: ", "))")
        }
        if let kinds = attachableKinds[type], !kinds.contains(programKind) {
            throw JSONError(path: "\(path).type", message: "a program in a \(programKind) section cannot attach as \(type)")
        }
        func text(_ key: String) throws -> String? {
            guard let value: String = try reader.optional(key) else { return nil }
            guard (1...256).contains(value.utf8.count) else { throw JSONError(path: "\(path).\(key)", message: "must be 1 to 256 characters") }
            return value
        }
        func offset() throws {
            if let offset: Int = try reader.optional("offset"), offset < 0 {
                throw JSONError(path: "\(path).offset", message: "must not be negative")
            }
        }
        switch type {
        case "tracepoint":
            let target = try text("target")
            let category = try text("category")
            let name = try text("name")
            if let target {
                guard let split = target.firstIndex(where: { $0 == "/" || $0 == ":" }), split != target.startIndex,
                      target.index(after: split) != target.endIndex else {
                    throw JSONError(path: "\(path).target", message: "'\(target)' is not category/name, e.g. sched/sched_process_exec")
                }
            } else if (category == nil) != (name == nil) {
                throw JSONError(path: path, message: "a tracepoint needs both category and name (or target)")
            }
        case "raw_tracepoint":
            _ = try text("target")
            _ = try text("name")
        case "kprobe", "kretprobe":
            _ = try text("target")
            _ = try text("function")
            try offset()
        case "fentry", "fexit":
            _ = try text("target")
            _ = try text("function")
        case "uprobe":
            let binary: String = try reader.require("binary")
            guard binary.hasPrefix("/"), binary.utf8.count <= 4096 else {
                throw JSONError(path: "\(path).binary", message: "must be an absolute path")
            }
            _ = try text("function")
            _ = try text("symbol")
            try offset()
            if let pid: Int = try reader.optional("pid"), pid < -1 || pid > Int(Int32.max) {
                throw JSONError(path: "\(path).pid", message: "must be a process id, or -1 for all processes")
            }
            let _: Bool? = try reader.optional("retprobe")
        case "xdp":
            try checkInterface(try reader.require("iface"), path: "\(path).iface")
            if let mode: String = try reader.optional("mode"), !xdpModes.contains(mode) {
                throw JSONError(path: "\(path).mode", message: "unknown mode '\(mode)': use \(xdpModes.joined(separator: ", "))")
            }
        case "tc":
            try checkInterface(try reader.require("iface"), path: "\(path).iface")
            let direction: String = try reader.require("direction")
            guard ["ingress", "egress"].contains(direction) else {
                throw JSONError(path: "\(path).direction", message: "unknown direction '\(direction)': use ingress or egress")
            }
            if let priority: Int = try reader.optional("priority"), !(1...65535).contains(priority) {
                throw JSONError(path: "\(path).priority", message: "must be 1 to 65535")
            }
        default:
            break
        }
        try reader.finish()
    }

    /// `{"var": value}` overrides of `.rodata`: integers, booleans, strings or arrays of bytes.
    private static func checkRodata(_ json: JSON, path: String) throws {
        guard case .object(let members) = json else { throw JSONError.typeMismatch(path, expected: "object", got: json) }
        for (name, value) in members {
            switch value {
            case .bool, .int, .string: continue
            case .double(let number) where number.rounded() == number && abs(number) < 9.0e18: continue
            case .array(let items):
                for (index, item) in items.enumerated() where item.int64Value.flatMap({ UInt8(exactly: $0) }) == nil {
                    throw JSONError(path: "\(path).\(name)[\(index)]", message: "must be a byte (0 to 255)")
                }
            default:
                throw JSONError(path: "\(path).\(name)", message: "must be an integer, a boolean, a string or an array of bytes")
            }
        }
    }

    private static func checkInterface(_ name: String, path: String) throws {
        guard (1...15).contains(name.utf8.count), !name.contains("/"), !name.contains(where: \.isWhitespace) else {
            throw JSONError(path: path, message: "'\(name)' is not a network interface name")
        }
    }

    private static func checkMetric(_ metric: String, path: String) throws {
        guard MetricName.isValid(metric, maximumLength: MetricName.maximumManifestLength) else {
            throw JSONError(path: path, message: "'\(metric)' is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*, at most \(MetricName.maximumManifestLength) characters)")
        }
    }

    private static func listing(_ names: some Collection<String>) -> String {
        names.isEmpty ? " (it has none)" : " (it has \(names.sorted().joined(separator: ", ")))"
    }
}
