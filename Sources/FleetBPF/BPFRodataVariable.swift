/// A `const volatile` global in an object's `.rodata` section, which can be set before load.
public struct BPFRodataVariable: Hashable, Sendable {
    /// How the variable's BTF type lets it be assigned.
    public enum Kind: Hashable, Sendable {
        case signedInteger
        case unsignedInteger
        case bool
        /// Anything else (arrays, structs): only `.bytes` values fit.
        case bytes
    }

    public let name: String
    /// Byte offset inside the `.rodata` section.
    public let offset: Int
    public let size: Int
    public let kind: Kind

    public init(name: String, offset: Int, size: Int, kind: Kind) {
        self.name = name
        self.offset = offset
        self.size = size
        self.kind = kind
    }
}

/// A value for a `.rodata` variable.
public enum BPFRodataValue: Hashable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    /// Raw bytes, zero-padded to the variable's size (for `char[]` and structs).
    case bytes([UInt8])

    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension BPFRodataValue {
    /// The little-endian image of this value for `variable`, or the reason it does not fit.
    func encoded(for variable: BPFRodataVariable) -> Result<[UInt8], BPFError> {
        func failure(_ reason: String) -> Result<[UInt8], BPFError> {
            .failure(BPFError(code: .rodata, operation: "set .rodata", subject: variable.name, reason: reason))
        }
        let size = variable.size
        if case .bytes(let bytes) = self {
            guard bytes.count <= size else { return failure("\(bytes.count) bytes do not fit a \(size)-byte variable") }
            return .success(bytes + [UInt8](repeating: 0, count: size - bytes.count))
        }
        guard variable.kind != .bytes, [1, 2, 4, 8].contains(size) else {
            return failure("an integer or boolean does not fit a \(size)-byte non-integer variable")
        }
        let bits = size * 8
        let pattern: UInt64
        switch (self, variable.kind) {
        case (.bool(let flag), _):
            pattern = flag ? 1 : 0
        case (.int(let value), .signedInteger):
            let limit = bits == 64 ? Int64.max : (Int64(1) << (bits - 1)) - 1
            guard value >= -limit - 1, value <= limit else { return failure("\(value) does not fit a signed \(bits)-bit variable") }
            pattern = UInt64(bitPattern: value)
        case (.int(let value), _):
            guard value >= 0 else { return failure("\(value) is negative but the variable is unsigned") }
            return BPFRodataValue.uint(UInt64(value)).encoded(for: variable)
        case (.uint(let value), .signedInteger):
            guard value <= UInt64(Int64.max) else { return failure("\(value) does not fit a signed \(bits)-bit variable") }
            return BPFRodataValue.int(Int64(value)).encoded(for: variable)
        case (.uint(let value), let kind):
            let limit: UInt64 = kind == .bool ? 1 : (bits == 64 ? .max : (UInt64(1) << bits) - 1)
            guard value <= limit else { return failure("\(value) does not fit an unsigned \(bits)-bit variable") }
            pattern = value
        case (.bytes, _):
            preconditionFailure("handled above")
        }
        return .success((0..<size).map { UInt8(truncatingIfNeeded: pattern >> (8 * $0)) })
    }
}
