@testable import FleetInference

/// Writes the protobuf wire format, to build models and malformed inputs in tests: the runtime itself
/// only reads it.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    /// Bytes as they are, for inputs no encoder would write.
    mutating func raw(_ more: [UInt8]) { bytes += more }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func key(_ number: Int, _ wireType: WireType) {
        varint(UInt64(number) << 3 | UInt64(wireType.rawValue))
    }

    mutating func varint(_ number: Int, _ value: UInt64) {
        key(number, .varint)
        varint(value)
    }

    mutating func int64(_ number: Int, _ value: Int64) { varint(number, UInt64(bitPattern: value)) }

    /// Negative values take ten bytes, sign-extended to 64 bits as protobuf writes them.
    mutating func int32(_ number: Int, _ value: Int32) { varint(number, UInt64(bitPattern: Int64(value))) }

    mutating func fixed32(_ number: Int, _ value: UInt32) {
        key(number, .fixed32)
        littleEndian(UInt64(value), width: 4)
    }

    mutating func fixed64(_ number: Int, _ value: UInt64) {
        key(number, .fixed64)
        littleEndian(value, width: 8)
    }

    mutating func float(_ number: Int, _ value: Float) { fixed32(number, value.bitPattern) }

    mutating func lengthDelimited(_ number: Int, _ value: some Collection<UInt8>) {
        key(number, .lengthDelimited)
        varint(UInt64(value.count))
        bytes += value
    }

    mutating func string(_ number: Int, _ value: String) { lengthDelimited(number, Array(value.utf8)) }

    mutating func message(_ number: Int, _ body: (inout WireWriter) -> Void) {
        var inner = WireWriter()
        body(&inner)
        lengthDelimited(number, inner.bytes)
    }

    mutating func message(_ number: Int, _ value: some WireEncodable) {
        message(number) { value.encode(to: &$0) }
    }

    mutating func packedVarints(_ number: Int, _ values: [UInt64]) {
        message(number) { writer in for value in values { writer.varint(value) } }
    }

    mutating func packedFixed32(_ number: Int, _ values: [UInt32]) {
        message(number) { writer in for value in values { writer.littleEndian(UInt64(value), width: 4) } }
    }

    mutating func packedFixed64(_ number: Int, _ values: [UInt64]) {
        message(number) { writer in for value in values { writer.littleEndian(value, width: 8) } }
    }

    private mutating func littleEndian(_ value: UInt64, width: Int) {
        for index in 0..<width { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
    }
}

/// A message the tests can serialize.
protocol WireEncodable {
    func encode(to writer: inout WireWriter)
}

extension WireEncodable {
    var serialized: [UInt8] {
        var writer = WireWriter()
        encode(to: &writer)
        return writer.bytes
    }
}
