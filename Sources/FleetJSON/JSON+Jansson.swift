internal import CJansson

extension JSON {
    /// Parses a JSON document of any type. Duplicate object keys and `\u0000` in strings are rejected
    /// (PostgreSQL's text and jsonb cannot hold NUL, and C strings would cut it short).
    /// - Throws: `JSONError` with jansson's line, column and reason.
    public static func parse(_ bytes: [UInt8]) throws -> JSON {
        var error = json_error_t()
        let flags = Int(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)
        let root = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                json_loadb(chars.baseAddress, chars.count, flags, &error)
            }
        }
        guard let root else {
            let reason = withUnsafeBytes(of: &error.text) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if bytes.isEmpty { throw JSONError(path: "", message: "empty document: expected JSON") }
            throw JSONError(path: "", message: "invalid JSON at line \(error.line), column \(error.column): \(reason)")
        }
        defer { json_decref(root) }
        return JSON(borrowing: root)
    }

    public static func parse(_ text: String) throws -> JSON {
        try parse(Array(text.utf8))
    }

    private init(borrowing value: UnsafeMutablePointer<json_t>) {
        switch value.pointee.type {
        case JSON_OBJECT:
            var members: [String: JSON] = [:]
            members.reserveCapacity(json_object_size(value))
            var iterator = json_object_iter(value)
            while let it = iterator {
                let keyPointer = json_object_iter_key(it)!
                let keyLength = json_object_iter_key_len(it)
                let key = keyPointer.withMemoryRebound(to: UInt8.self, capacity: keyLength) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: keyLength), as: UTF8.self)
                }
                members[key] = JSON(borrowing: json_object_iter_value(it)!)
                iterator = json_object_iter_next(value, it)
            }
            self = .object(members)
        case JSON_ARRAY:
            let count = json_array_size(value)
            var items: [JSON] = []
            items.reserveCapacity(count)
            for index in 0..<count { items.append(JSON(borrowing: json_array_get(value, index)!)) }
            self = .array(items)
        case JSON_STRING:
            let length = json_string_length(value)
            let chars = json_string_value(value)!
            self = .string(chars.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            })
        case JSON_INTEGER: self = .int(Int64(json_integer_value(value)))
        case JSON_REAL: self = .double(json_real_value(value))
        case JSON_TRUE: self = .bool(true)
        case JSON_FALSE: self = .bool(false)
        default: self = .null
        }
    }
}
