extension BPFMap {
    /// The u64 fields of the value under an integer key, each summed across CPUs for per-CPU maps.
    /// The key is encoded in the map's key size (4 or 8 bytes, host byte order).
    /// - Throws: `BPFError` `.invalidArgument` when keys are not 4 or 8 bytes or values not a multiple of 8.
    public func u64Fields(forKey key: UInt64) throws(BPFError) -> [UInt64]? {
        guard let values = try lookup(key: try encodeKey(key)) else { return nil }
        return try sumFields(values)
    }

    /// The u64 counter under an integer key (the first field, summed across CPUs), or nil when absent.
    /// - Throws: `BPFError` `.invalidArgument` for keys or values that are not integers.
    public func u64Counter(forKey key: UInt64) throws(BPFError) -> UInt64? {
        try u64Fields(forKey: key)?.first
    }

    /// Every entry as integer key -> u64 fields, each field summed across CPUs.
    /// - Throws: `BPFError`.
    public func u64FieldsByKey() throws(BPFError) -> [UInt64: [UInt64]] {
        var result: [UInt64: [UInt64]] = [:]
        for key in try keys() {
            guard let values = try lookup(key: key) else { continue }
            result[try decodeKey(key)] = try sumFields(values)
        }
        return result
    }

    /// Every entry as integer key -> counter (the first u64 field, summed across CPUs).
    /// - Throws: `BPFError`.
    public func u64Counters() throws(BPFError) -> [UInt64: UInt64] {
        try u64FieldsByKey().compactMapValues(\.first)
    }

    /// The buckets of a log2 histogram kept as an array map of u64 (slot i counts values in [2^i, 2^(i+1))).
    /// - Throws: `BPFError` `.invalidArgument` when the map is not an array of u64.
    public func log2Histogram() throws(BPFError) -> [UInt64] {
        guard type == .array || type == .perCPUArray else {
            throw BPFError(code: .invalidArgument, operation: "log2 histogram", subject: name, reason: "map is \(type), not an array")
        }
        return try (0..<UInt64(maxEntries)).map { (slot) throws(BPFError) -> UInt64 in try u64Counter(forKey: slot) ?? 0 }
    }

    private func encodeKey(_ key: UInt64) throws(BPFError) -> [UInt8] {
        switch keySize {
        case 4:
            guard let narrow = UInt32(exactly: key) else {
                throw BPFError(code: .invalidArgument, operation: "map key", subject: name, reason: "\(key) does not fit a u32 key")
            }
            return withUnsafeBytes(of: narrow) { Array($0) }
        case 8:
            return withUnsafeBytes(of: key) { Array($0) }
        default:
            throw BPFError(code: .invalidArgument, operation: "map key", subject: name, reason: "keys are \(keySize) bytes, not u32 or u64")
        }
    }

    private func decodeKey(_ key: [UInt8]) throws(BPFError) -> UInt64 {
        switch key.count {
        case 4: return UInt64(key.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })
        case 8: return key.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        default:
            throw BPFError(code: .invalidArgument, operation: "map key", subject: name, reason: "keys are \(key.count) bytes, not u32 or u64")
        }
    }

    private func sumFields(_ values: [[UInt8]]) throws(BPFError) -> [UInt64] {
        guard valueSize > 0, valueSize % 8 == 0 else {
            throw BPFError(code: .invalidArgument, operation: "u64 fields", subject: name, reason: "values are \(valueSize) bytes, not u64 fields")
        }
        var sums = [UInt64](repeating: 0, count: valueSize / 8)
        for value in values {
            value.withUnsafeBytes { bytes in
                for field in sums.indices {
                    sums[field] &+= bytes.loadUnaligned(fromByteOffset: field * 8, as: UInt64.self)
                }
            }
        }
        return sums
    }
}
