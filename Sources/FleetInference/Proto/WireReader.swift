/// How a field's value is encoded on the wire.
enum WireType: UInt8 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// A field key: the field number and the wire type of the value that follows.
struct WireField {
    let number: Int
    let wireType: WireType
}

/// Reads protobuf messages from bytes it does not trust.
///
/// Every value is checked against the end of the message that holds it, varints are at most ten
/// bytes, messages and groups nest at most `maxDepth` deep, and nothing is allocated for a declared
/// length before the bytes are known to be there. `bytes` values are slices sharing the input's
/// storage. A field read with a wire type its schema does not use is skipped, as protobuf parsers do.
struct WireReader {
    /// The deepest nesting of messages and groups accepted.
    static let maxDepth = 100

    private let input: [UInt8]
    private var position: Int
    /// The end of the message being read: the end of the input at the top level.
    private var end: Int
    private var depth = 0

    init(_ bytes: [UInt8]) {
        self.input = bytes
        self.position = 0
        self.end = bytes.count
    }

    /// Decodes the fields from here to the end of the current message into `message`.
    mutating func decodeFields<M: WireMessage>(into message: inout M) throws(WireError) {
        while let field = try nextField() {
            try message.decodeField(field, from: &self)
        }
    }

    /// The key of the next field of the current message, nil at its end.
    mutating func nextField() throws(WireError) -> WireField? {
        guard position < end else { return nil }
        return try key()
    }

    private mutating func key() throws(WireError) -> WireField {
        let key = try varint()
        guard key <= UInt64(UInt32.max) else { throw .malformed("a field key is out of range") }
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else {
            throw .malformed("unknown wire type \(key & 7)")
        }
        let number = Int(key >> 3)
        guard number != 0 else { throw .malformed("field number 0") }
        return WireField(number: number, wireType: wireType)
    }

    // MARK: Raw values

    /// A base-128 varint of at most ten bytes whose value fits 64 bits.
    private mutating func varint() throws(WireError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw .truncated }
            let byte = input[position]
            position += 1
            if shift == 63, byte > 1 { throw .malformed("a varint does not fit 64 bits") }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    private mutating func fixed32() throws(WireError) -> UInt32 {
        guard end - position >= 4 else { throw .truncated }
        var value: UInt32 = 0
        for offset in 0..<4 { value |= UInt32(input[position + offset]) << (8 * offset) }
        position += 4
        return value
    }

    private mutating func fixed64() throws(WireError) -> UInt64 {
        guard end - position >= 8 else { throw .truncated }
        var value: UInt64 = 0
        for offset in 0..<8 { value |= UInt64(input[position + offset]) << (8 * offset) }
        position += 8
        return value
    }

    /// The range of a length-delimited value, checked to lie inside the current message.
    private mutating func lengthDelimited() throws(WireError) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - position) else { throw .truncated }
        let start = position
        position += Int(length)
        return start..<position
    }

    // MARK: Skipping

    /// Skips a field's value; an unknown group is skipped to its matching end.
    mutating func skip(_ field: WireField) throws(WireError) {
        switch field.wireType {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .fixed32: _ = try fixed32()
        case .lengthDelimited: _ = try lengthDelimited()
        case .startGroup: try skipGroup(field.number)
        case .endGroup: throw .malformed("field \(field.number) ends a group that was not started")
        }
    }

    private mutating func skipGroup(_ number: Int) throws(WireError) {
        guard depth < Self.maxDepth else { throw .tooDeep }
        depth += 1
        while true {
            guard position < end else { throw .truncated }
            let field = try key()
            if field.wireType == .endGroup {
                guard field.number == number else {
                    throw .malformed("group \(number) is ended by field \(field.number)")
                }
                break
            }
            try skip(field)
        }
        depth -= 1
    }

    /// Skips an embedded message whose presence is all this runtime reads; false (and the value
    /// skipped) when the field holds something else.
    mutating func skipMessage(_ field: WireField) throws(WireError) -> Bool {
        try skip(field)
        return field.wireType == .lengthDelimited
    }

    // MARK: Singular fields

    /// An `int32`, `int64`, `uint64` or enum value; nil when the field is not a varint.
    mutating func varint(_ field: WireField) throws(WireError) -> UInt64? {
        guard field.wireType == .varint else { try skip(field); return nil }
        return try varint()
    }

    mutating func int64(_ field: WireField) throws(WireError) -> Int64? {
        try varint(field).map { Int64(bitPattern: $0) }
    }

    /// An `int32` or enum value: negative ones are sign-extended ten-byte varints, truncated here.
    mutating func int32(_ field: WireField) throws(WireError) -> Int32? {
        try varint(field).map { Int32(truncatingIfNeeded: $0) }
    }

    mutating func float(_ field: WireField) throws(WireError) -> Float? {
        guard field.wireType == .fixed32 else { try skip(field); return nil }
        return Float(bitPattern: try fixed32())
    }

    /// A `bytes` value, sharing the input's storage.
    mutating func bytes(_ field: WireField) throws(WireError) -> ArraySlice<UInt8>? {
        guard field.wireType == .lengthDelimited else { try skip(field); return nil }
        return input[try lengthDelimited()]
    }

    /// A `string` value.
    ///
    /// - Throws: `WireError.invalidUTF8` when the bytes are not UTF-8.
    mutating func string(_ field: WireField) throws(WireError) -> String? {
        guard let slice = try bytes(field) else { return nil }
        guard let text = String(validating: slice, as: UTF8.self) else { throw .invalidUTF8 }
        return text
    }

    /// Merges an embedded message into `message`, starting from an empty one when it is absent:
    /// protobuf merges the occurrences of a singular message field.
    mutating func message<M: WireMessage>(_ field: WireField, into message: inout M?) throws(WireError) {
        guard field.wireType == .lengthDelimited else { try skip(field); return }
        var value = message ?? M()
        message = nil  // `value` holds the only reference to its arrays while they grow.
        try embedded(into: &value)
        message = value
    }

    // MARK: Repeated fields

    /// Appends an occurrence of a repeated message field.
    mutating func message<M: WireMessage>(_ field: WireField, appendingTo messages: inout [M]) throws(WireError) {
        guard field.wireType == .lengthDelimited else { try skip(field); return }
        var value = M()
        try embedded(into: &value)
        messages.append(value)
    }

    mutating func string(_ field: WireField, appendingTo strings: inout [String]) throws(WireError) {
        if let text = try string(field) { strings.append(text) }
    }

    mutating func bytes(_ field: WireField, appendingTo values: inout [ArraySlice<UInt8>]) throws(WireError) {
        if let slice = try bytes(field) { values.append(slice) }
    }

    /// Appends a repeated varint field's values, one unpacked value or a packed run.
    mutating func varints<T>(_ field: WireField, appendingTo values: inout [T],
                             _ convert: (UInt64) -> T) throws(WireError) {
        switch field.wireType {
        case .varint:
            values.append(convert(try varint()))
        case .lengthDelimited:
            let run = try lengthDelimited()
            let outerEnd = end
            position = run.lowerBound
            end = run.upperBound
            while position < end { values.append(convert(try varint())) }
            end = outerEnd
        default:
            try skip(field)
        }
    }

    /// Appends a repeated `float` (fixed32) field's values, one unpacked value or a packed run.
    mutating func fixed32s<T>(_ field: WireField, appendingTo values: inout [T],
                              _ convert: (UInt32) -> T) throws(WireError) {
        switch field.wireType {
        case .fixed32:
            values.append(convert(try fixed32()))
        case .lengthDelimited:
            let run = try lengthDelimited()
            guard run.count % 4 == 0 else { throw .malformed("a packed run of 4-byte values is \(run.count) bytes long") }
            values.reserveCapacity(values.count + run.count / 4)
            input.withUnsafeBytes { raw in
                for offset in stride(from: run.lowerBound, to: run.upperBound, by: 4) {
                    values.append(convert(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))))
                }
            }
        default:
            try skip(field)
        }
    }

    /// Appends a repeated `double` (fixed64) field's values, one unpacked value or a packed run.
    mutating func fixed64s<T>(_ field: WireField, appendingTo values: inout [T],
                              _ convert: (UInt64) -> T) throws(WireError) {
        switch field.wireType {
        case .fixed64:
            values.append(convert(try fixed64()))
        case .lengthDelimited:
            let run = try lengthDelimited()
            guard run.count % 8 == 0 else { throw .malformed("a packed run of 8-byte values is \(run.count) bytes long") }
            values.reserveCapacity(values.count + run.count / 8)
            input.withUnsafeBytes { raw in
                for offset in stride(from: run.lowerBound, to: run.upperBound, by: 8) {
                    values.append(convert(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))))
                }
            }
        default:
            try skip(field)
        }
    }

    // MARK: Nesting

    /// Decodes the embedded message at the current position into `message`, one level deeper.
    private mutating func embedded<M: WireMessage>(into message: inout M) throws(WireError) {
        let range = try lengthDelimited()
        guard depth < Self.maxDepth else { throw .tooDeep }
        let outerEnd = end
        position = range.lowerBound
        end = range.upperBound
        depth += 1
        try decodeFields(into: &message)
        depth -= 1
        end = outerEnd
    }
}
