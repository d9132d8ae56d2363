import FleetJSON

/// A program manifest (DESIGN section 11), as the registry checks it and the executor reads it: how each
/// program attaches, which maps are exported as metrics, which ring buffers are forwarded as events, and
/// default `.rodata` values.
///
/// Unknown members are rejected, so a typo does not silently turn an export off. Besides the server's
/// vocabulary it takes what the manifests in `bpf/` use: `fields` (names of the u64 fields of a map value),
/// `layout` (a ring buffer record, e.g. `"u32 pid, char comm[16]"`) and a top-level `rodata` object.
public struct ProgramManifest: Sendable, Equatable {
    public enum MapKind: String, Sendable, Equatable, CaseIterable {
        case counter
        case hashCounter = "hash_counter"
        case histogramLog2 = "histogram_log2"
    }

    /// A map exported as metrics, sampled each telemetry interval.
    public struct MapExport: Sendable, Equatable {
        public var name: String
        public var kind: MapKind
        public var metric: String
        /// The label carrying the key for maps exported one series per key; `key` when not set.
        public var keyLabel: String
        /// Names of the value's u64 fields, each exported with label `field=<name>`; empty exports only the first.
        public var fields: [String]

        public init(name: String, kind: MapKind, metric: String, keyLabel: String = "key", fields: [String] = []) {
            self.name = name
            self.kind = kind
            self.metric = metric
            self.keyLabel = keyLabel
            self.fields = fields
        }
    }

    /// A ring buffer whose records are forwarded as events.
    public struct RingBufferExport: Sendable, Equatable {
        public var name: String
        public var metric: String
        public var maxPerSecond: Int
        public var layout: EventLayout?
        /// The layout's fields that become labels; nil for all of them. Leaving out fields with many values
        /// (pids, timestamps) keeps one series per distinct combination of the rest, which `agg=sum` counts.
        public var labels: [String]?

        public init(name: String, metric: String, maxPerSecond: Int = ProgramManifest.defaultEventsPerSecond, layout: EventLayout? = nil,
                    labels: [String]? = nil) {
            self.name = name
            self.metric = metric
            self.maxPerSecond = maxPerSecond
            self.layout = layout
            self.labels = labels
        }

        /// An event's labels: the selected fields of a decoded record.
        public func labels(of fields: [String: String]) -> [String: String] {
            guard let labels else { return fields }
            return fields.filter { labels.contains($0.key) }
        }
    }

    public static let defaultEventsPerSecond = 100

    public var attach: [String: ProgramAttachSpec]
    public var maps: [MapExport]
    public var ringbufs: [RingBufferExport]
    public var rodata: [String: RodataValue]

    public static let empty = ProgramManifest(attach: [:], maps: [], ringbufs: [], rodata: [:])

    public init(attach: [String: ProgramAttachSpec], maps: [MapExport], ringbufs: [RingBufferExport], rodata: [String: RodataValue]) {
        self.attach = attach
        self.maps = maps
        self.ringbufs = ringbufs
        self.rodata = rodata
    }

    /// - Throws: `JSONError` naming the member at fault.
    public init(json: JSON, path: String = "manifest") throws {
        var reader = try JSONObjectReader(json, path: path)
        let programs: [JSON] = try reader.optional("programs") ?? []
        let maps: [JSON] = try reader.optional("maps") ?? []
        let ringbufs: [JSON] = try reader.optional("ringbufs") ?? []
        let rodata = try reader.raw("rodata").map { try Self.rodata($0, path: "\(path).rodata") } ?? [:]
        try reader.finish()

        var attach: [String: ProgramAttachSpec] = [:]
        for (index, item) in programs.enumerated() {
            let itemPath = "\(path).programs[\(index)]"
            var program = try JSONObjectReader(item, path: itemPath)
            let name: String = try program.require("name")
            let spec = try program.raw("attach").flatMap { $0.isNull ? nil : try ProgramAttachSpec(json: $0, path: "\(itemPath).attach") }
            try program.finish()
            guard attach.updateValue(spec ?? .auto, forKey: name) == nil else {
                throw JSONError(path: "\(itemPath).name", message: "program '\(name)' is listed twice")
            }
        }

        var exported = Set<String>()
        self.maps = try maps.enumerated().map { index, item in
            let itemPath = "\(path).maps[\(index)]"
            var map = try JSONObjectReader(item, path: itemPath)
            let name: String = try map.require("name")
            let kindText: String = try map.require("kind")
            let metric: String = try map.require("metric")
            let keyLabel: String? = try map.optional("key_label")
            let fields: [String] = try map.optional("fields") ?? []
            try map.finish()
            guard let kind = MapKind(rawValue: kindText) else {
                throw JSONError(path: "\(itemPath).kind", message: "unknown kind '\(kindText)': use \(MapKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard exported.insert(name).inserted else { throw JSONError(path: "\(itemPath).name", message: "map '\(name)' is exported twice") }
            try Self.checkMetric(metric, path: "\(itemPath).metric")
            if let keyLabel, !MetricName.isValidLabelName(keyLabel) {
                throw JSONError(path: "\(itemPath).key_label", message: "'\(keyLabel)' is not a label name")
            }
            for (fieldIndex, field) in fields.enumerated() where !MetricName.isValidFieldName(field) {
                throw JSONError(path: "\(itemPath).fields[\(fieldIndex)]", message: "'\(field)' is not a usable field name")
            }
            return MapExport(name: name, kind: kind, metric: metric, keyLabel: keyLabel ?? "key", fields: fields)
        }

        self.ringbufs = try ringbufs.enumerated().map { index, item in
            let itemPath = "\(path).ringbufs[\(index)]"
            var ringbuf = try JSONObjectReader(item, path: itemPath)
            let name: String = try ringbuf.require("name")
            let metric: String = try ringbuf.require("metric")
            let rate: Int = try ringbuf.optional("max_per_second") ?? Self.defaultEventsPerSecond
            let layoutText: String? = try ringbuf.optional("layout")
            let labels: [String]? = try ringbuf.optional("labels")
            try ringbuf.finish()
            guard exported.insert(name).inserted else { throw JSONError(path: "\(itemPath).name", message: "map '\(name)' is exported twice") }
            try Self.checkMetric(metric, path: "\(itemPath).metric")
            guard (1...1_000_000).contains(rate) else { throw JSONError(path: "\(itemPath).max_per_second", message: "must be 1 to 1000000") }
            let layout = try layoutText.map { text in
                do { return try EventLayout(parsing: text) } catch let error as EventLayout.Invalid {
                    throw JSONError(path: "\(itemPath).layout", message: error.description)
                }
            }
            if let labels {
                guard let layout else {
                    throw JSONError(path: "\(itemPath).labels", message: "needs a layout: labels name fields of the record")
                }
                for (labelIndex, label) in labels.enumerated() {
                    guard layout.fields.contains(where: { $0.name == label }) else {
                        throw JSONError(path: "\(itemPath).labels[\(labelIndex)]", message: "'\(label)' is not a field of the layout")
                    }
                    guard labels.firstIndex(of: label) == labelIndex else {
                        throw JSONError(path: "\(itemPath).labels[\(labelIndex)]", message: "'\(label)' appears twice")
                    }
                }
            }
            return RingBufferExport(name: name, metric: metric, maxPerSecond: rate, layout: layout, labels: labels)
        }
        self.attach = attach
        self.rodata = rodata
    }

    /// `{"var": value}`: integers, booleans, strings (their UTF-8 bytes) or arrays of bytes.
    /// - Throws: `JSONError`.
    public static func rodata(_ json: JSON, path: String) throws -> [String: RodataValue] {
        guard case .object(let members) = json else { throw JSONError.typeMismatch(path, expected: "object", got: json) }
        return try members.reduce(into: [:]) { result, member in
            let memberPath = "\(path).\(member.key)"
            switch member.value {
            case .bool(let flag): result[member.key] = .bool(flag)
            case .int(let value): result[member.key] = .int(value)
            case .double(let value) where value.rounded() == value && abs(value) < 9.0e18: result[member.key] = .int(Int64(value))
            case .string(let text): result[member.key] = .bytes(Array(text.utf8))
            case .array(let items):
                result[member.key] = .bytes(try items.enumerated().map { index, item in
                    guard let byte = item.int64Value.flatMap({ UInt8(exactly: $0) }) else {
                        throw JSONError(path: "\(memberPath)[\(index)]", message: "must be a byte (0 to 255)")
                    }
                    return byte
                })
            default:
                throw JSONError(path: memberPath, message: "must be an integer, a boolean, a string or an array of bytes")
            }
        }
    }

    /// - Throws: `JSONError` when `metric` is not a metric name a manifest may give.
    static func checkMetric(_ metric: String, path: String) throws {
        guard MetricName.isValid(metric, maximumLength: MetricName.maximumManifestLength) else {
            throw JSONError(path: path, message: "'\(metric)' is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*, at most \(MetricName.maximumManifestLength) characters)")
        }
    }
}

/// A `.rodata` value from a manifest or a command: an integer, a boolean, or bytes (a string's UTF-8).
public enum RodataValue: Hashable, Sendable {
    case bool(Bool)
    case int(Int64)
    case bytes([UInt8])
}
