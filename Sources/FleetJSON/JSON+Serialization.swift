internal import CJansson

extension JSON {
    /// Compact serialisation with sorted object keys.
    public func serialized() -> String {
        String(decoding: serializedBytes(), as: UTF8.self)
    }

    /// Compact UTF-8 serialisation with sorted object keys.
    public func serializedBytes() -> [UInt8] {
        dump(flags: Int(JSON_COMPACT | JSON_SORT_KEYS))
    }

    /// Indented serialisation for people (two spaces, sorted keys).
    public func prettyPrinted() -> String {
        String(decoding: dump(flags: JSON.indent(2) | Int(JSON_SORT_KEYS)), as: UTF8.self)
    }

    /// jansson's JSON_INDENT(n) and JSON_REAL_PRECISION(n) are function-like macros Swift cannot import.
    private static func indent(_ n: Int) -> Int { n & 0x1F }
    private static let realPrecision17 = (17 & 0x1F) << 11

    /// jansson writes every real with one fixed precision (17 digits, so that each reads back exactly), which
    /// turns 0.1 into 0.10000000000000001. When the value holds reals, its output is rewritten with the
    /// shortest text that reads back as the same double (`RealText`).
    private func dump(flags: Int) -> [UInt8] {
        let value = makeJansson()
        defer { json_decref(value) }
        let allFlags = flags | Int(JSON_ENCODE_ANY) | JSON.realPrecision17
        let size = json_dumpb(value, nil, 0, allFlags)
        var out = [UInt8](repeating: 0, count: size)
        _ = out.withUnsafeMutableBytes { raw in
            json_dumpb(value, raw.baseAddress?.assumingMemoryBound(to: CChar.self), size, allFlags)
        }
        return containsReal ? RealText.shortenReals(in: out) : out
    }

    /// True when a finite double occurs anywhere in the value.
    private var containsReal: Bool {
        switch self {
        case .double(let d): return d.isFinite
        case .array(let items): return items.contains { $0.containsReal }
        case .object(let members): return members.values.contains { $0.containsReal }
        case .null, .bool, .int, .string: return false
        }
    }

    /// A new jansson value owning one reference; the caller releases it.
    private func makeJansson() -> UnsafeMutablePointer<json_t> {
        switch self {
        case .null: return json_null()
        case .bool(let b): return b ? json_true() : json_false()
        case .int(let i): return json_integer(json_int_t(i))
        case .double(let d): return d.isFinite ? json_real(d) : json_null()
        case .string(let s):
            var s = s
            return s.withUTF8 { utf8 in
                utf8.withMemoryRebound(to: CChar.self) { json_stringn_nocheck($0.baseAddress, $0.count) }
            }
        case .array(let items):
            let array = json_array()!
            for item in items { json_array_append_new(array, item.makeJansson()) }
            return array
        case .object(let members):
            let object = json_object()!
            for (key, member) in members {
                var key = key
                key.withUTF8 { utf8 in
                    utf8.withMemoryRebound(to: CChar.self) {
                        _ = json_object_setn_new_nocheck(object, $0.baseAddress, $0.count, member.makeJansson())
                    }
                }
            }
            return object
        }
    }
}
