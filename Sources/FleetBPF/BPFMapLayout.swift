/// What a program relies on in a map: its type, key and value sizes and capacity. Two maps with the same
/// layout are interchangeable for a program, so one can take over the other's kernel map.
public struct BPFMapLayout: Hashable, Sendable, CustomStringConvertible {
    public let type: BPFMapType
    public let keySize: Int
    public let valueSize: Int
    public let maxEntries: Int

    public init(type: BPFMapType, keySize: Int, valueSize: Int, maxEntries: Int) {
        self.type = type
        self.keySize = keySize
        self.valueSize = valueSize
        self.maxEntries = maxEntries
    }

    /// e.g. `hash, key 4 B, value 8 B, 1024 entries`.
    public var description: String {
        "\(type), key \(keySize) B, value \(valueSize) B, \(maxEntries) entries"
    }

    /// The fields that differ from `other`, e.g. `["type hash vs array", "max entries 1024 vs 1"]`.
    public func differences(from other: BPFMapLayout) -> [String] {
        var differences: [String] = []
        if type != other.type { differences.append("type \(type) vs \(other.type)") }
        if keySize != other.keySize { differences.append("key size \(keySize) vs \(other.keySize)") }
        if valueSize != other.valueSize { differences.append("value size \(valueSize) vs \(other.valueSize)") }
        if maxEntries != other.maxEntries { differences.append("max entries \(maxEntries) vs \(other.maxEntries)") }
        return differences
    }
}

extension BPFMap {
    /// The layout the kernel reports for this map (`bpf_map_get_info_by_fd`).
    public var layout: BPFMapLayout {
        BPFMapLayout(type: type, keySize: keySize, valueSize: valueSize, maxEntries: maxEntries)
    }
}

extension BPFMapInfo {
    /// The layout the map will be created with.
    public var layout: BPFMapLayout {
        BPFMapLayout(type: type, keySize: keySize, valueSize: valueSize, maxEntries: maxEntries)
    }
}
