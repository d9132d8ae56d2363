import FleetJSON

/// A plain YAML rendering of a JSON value: block style, keys sorted, strings quoted whenever a YAML
/// reader could take them for something else (JSON string syntax is valid double-quoted YAML).
public enum YAMLRenderer {
    /// The document, ending with a newline.
    public static func render(_ value: JSON) -> String {
        var out = ""
        switch value {
        case .object(let members) where !members.isEmpty: appendObject(members, indent: 0, to: &out)
        case .array(let items) where !items.isEmpty: appendArray(items, indent: 0, to: &out)
        default: out = scalar(value) + "\n"
        }
        return out
    }

    private static func appendObject(_ members: [String: JSON], indent: Int, to out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for key in members.keys.sorted() {
            appendEntry(prefix: pad + string(key) + ":", value: members[key]!, indent: indent, to: &out)
        }
    }

    private static func appendArray(_ items: [JSON], indent: Int, to out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for item in items {
            switch item {
            case .object(let members) where !members.isEmpty:
                // The first member shares the line with the dash; the others align under it.
                var nested = ""
                appendObject(members, indent: indent + 2, to: &nested)
                out += pad + "- " + nested.dropFirst(indent + 2)
            case .array(let inner) where !inner.isEmpty:
                out += pad + "-\n"
                appendArray(inner, indent: indent + 2, to: &out)
            default:
                out += pad + "- " + scalar(item) + "\n"
            }
        }
    }

    private static func appendEntry(prefix: String, value: JSON, indent: Int, to out: inout String) {
        switch value {
        case .object(let members) where !members.isEmpty:
            out += prefix + "\n"
            appendObject(members, indent: indent + 2, to: &out)
        case .array(let items) where !items.isEmpty:
            out += prefix + "\n"
            appendArray(items, indent: indent, to: &out)
        default:
            out += prefix + " " + scalar(value) + "\n"
        }
    }

    private static func scalar(_ value: JSON) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int, .double: value.serialized()
        case .string(let s): string(s)
        case .object: "{}"
        case .array: "[]"
        }
    }

    private static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"]

    /// The string bare when that reads back as the same string, else double-quoted.
    static func string(_ text: String) -> String {
        isPlainSafe(text) ? text : JSON.string(text).serialized()
    }

    private static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        guard !reserved.contains(text.lowercased()), Double(text) == nil, Int(text) == nil else { return false }
        func allowed(_ s: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || "-_./:@+=,()".unicodeScalars.contains(s) || s == " "
        }
        guard text.unicodeScalars.allSatisfy(allowed) else { return false }
        // Indicators that start a special token, and sequences that would end a plain scalar early.
        guard !"-:,?@+=().".unicodeScalars.contains(first), !("0"..."9").contains(first), first != " ", last != " ", last != ":" else {
            return false
        }
        return !text.contains(": ") && !text.contains(" #")
    }
}
