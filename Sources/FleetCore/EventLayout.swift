/// The layout of a ring buffer record, from a manifest's `layout`: C-like fields separated by commas,
/// e.g. `"u32 pid, u32 ppid, u64 timestamp_ns, char comm[16], char filename[256]"`.
///
/// Integers (`u8`..`u64`, `s8`..`s64`, also spelled `i32` or `__u32`) sit at their natural alignment, as a C
/// compiler places them; `char name[N]` is a NUL-terminated string and `u8 name[N]` raw bytes shown as hex.
public struct EventLayout: Sendable, Equatable {
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public enum FieldType: Sendable, Equatable {
        case unsigned(bytes: Int)
        case signed(bytes: Int)
        case string(capacity: Int)
        case bytes(count: Int)

        var size: Int {
            switch self {
            case .unsigned(let bytes), .signed(let bytes): bytes
            case .string(let capacity): capacity
            case .bytes(let count): count
            }
        }

        var alignment: Int {
            switch self {
            case .unsigned(let bytes), .signed(let bytes): bytes
            case .string, .bytes: 1
            }
        }
    }

    public struct Field: Sendable, Equatable {
        public let name: String
        public let type: FieldType
        public let offset: Int
    }

    /// At most this many fields: each may become a label, and a point carries at most 32 (one is `program`).
    public static let maximumFields = 30

    public let fields: [Field]
    /// Bytes a record needs to hold every field.
    public let size: Int

    /// - Throws: `Invalid` naming the field at fault.
    public init(parsing text: String) throws {
        var fields: [Field] = []
        var offset = 0
        for (index, raw) in text.split(separator: ",").enumerated() {
            let words = raw.split(whereSeparator: \.isWhitespace)
            guard words.count == 2 else { throw Invalid(description: "field \(index + 1) '\(raw.trimmed)' is not '<type> <name>'") }
            var typeName = String(words[0])
            if typeName.hasPrefix("__") { typeName.removeFirst(2) }
            var name = String(words[1])
            var count: Int?
            if let open = name.firstIndex(of: "[") {
                guard name.hasSuffix("]"), let number = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]),
                      (1...4096).contains(number) else {
                    throw Invalid(description: "field '\(name)' has an unusable array length (1 to 4096)")
                }
                count = number
                name = String(name[..<open])
            }
            guard MetricName.isValidLabelName(name), name != "program" else {
                throw Invalid(description: "field name '\(name)' is not a label name (or is the reserved 'program')")
            }
            guard !fields.contains(where: { $0.name == name }) else { throw Invalid(description: "field '\(name)' appears twice") }
            let type: FieldType
            switch (typeName, count) {
            case ("char", let capacity?): type = .string(capacity: capacity)
            case ("u8", let length?): type = .bytes(count: length)
            case (_, nil):
                guard let width = ["8": 1, "16": 2, "32": 4, "64": 8][String(typeName.dropFirst())] else {
                    throw Invalid(description: "field '\(name)' has unknown type '\(typeName)': use u8..u64, s8..s64, char[N] or u8[N]")
                }
                switch typeName.first {
                case "u": type = .unsigned(bytes: width)
                case "s", "i": type = .signed(bytes: width)
                default: throw Invalid(description: "field '\(name)' has unknown type '\(typeName)'")
                }
            default:
                throw Invalid(description: "field '\(name)': only char and u8 arrays are supported")
            }
            offset = (offset + type.alignment - 1) / type.alignment * type.alignment
            fields.append(Field(name: name, type: type, offset: offset))
            offset += type.size
        }
        guard !fields.isEmpty else { throw Invalid(description: "the layout names no field") }
        guard fields.count <= Self.maximumFields else { throw Invalid(description: "at most \(Self.maximumFields) fields") }
        self.fields = fields
        size = offset
    }

    /// The record's fields as label values; fields the record is too short for are left out.
    /// Strings are cut at their NUL and at 256 characters.
    public func decode(_ record: [UInt8]) -> [String: String] {
        var labels: [String: String] = [:]
        for field in fields where field.offset + field.type.size <= record.count {
            let slice = record[field.offset..<field.offset + field.type.size]
            switch field.type {
            case .unsigned(let bytes):
                labels[field.name] = String(Self.integer(slice, bytes: bytes))
            case .signed(let bytes):
                let raw = Self.integer(slice, bytes: bytes)
                let shift = UInt64(64 - bytes * 8)
                labels[field.name] = String(Int64(bitPattern: raw << shift) >> shift)
            case .string:
                let end = slice.firstIndex(of: 0) ?? slice.endIndex
                labels[field.name] = String(String(decoding: slice[..<end], as: UTF8.self).prefix(256))
            case .bytes:
                labels[field.name] = String(slice.prefix(128).hexString)
            }
        }
        return labels
    }

    /// Little-endian, as the BPF targets Fleet runs on store integers.
    private static func integer(_ bytes: ArraySlice<UInt8>, bytes count: Int) -> UInt64 {
        bytes.prefix(count).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }
}
