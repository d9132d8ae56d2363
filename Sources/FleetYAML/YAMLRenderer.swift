import FleetJSON
import Yams

/// JSON as block-style YAML, written by Yams: keys sorted, sequences in mappings not indented, empty objects and
/// arrays as `{}` and `[]`, and strings double-quoted whenever a YAML 1.1 or 1.2 reader could take them for
/// something else (`"yes"`, `"1.0"`, `"null"`, `"2026-01-01"`), so that the output reads back as the same JSON.
public enum YAMLRenderer {
    /// The document, ending with a newline.
    public static func render(_ value: JSON) -> String {
        do {
            var text = try serialize(node: node(value), width: -1, allowUnicode: true, sortKeys: true)
            // libyaml closes a document whose root is a plain scalar with `...`; one document needs no end marker.
            if text.hasSuffix("\n...\n") { text.removeLast(4) }
            return text
        } catch {
            // Yams fails only on events out of order or an emitter out of memory; neither comes from a JSON value.
            preconditionFailure("Yams cannot write a JSON value: \(error)")
        }
    }

    /// One string as a YAML scalar: bare when that reads back as the same string, else double-quoted.
    public static func string(_ text: String) -> String {
        var rendered = render(.string(text))
        if rendered.hasSuffix("\n") { rendered.removeLast() }
        return rendered
    }

    static func node(_ value: JSON) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null), .plain)
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool), .plain)
        case .int: return Node(value.serialized(), Tag(.int), .plain)
        case .double(let number):
            // JSON has no infinity or NaN; FleetJSON writes them as null, and so does this.
            return number.isFinite ? Node(value.serialized(), Tag(.float), .plain) : Node("null", Tag(.null), .plain)
        case .string(let text): return Node(text, Tag(.str), isPlainSafe(text) ? .plain : .doubleQuoted)
        case .array(let items):
            return .sequence(Node.Sequence(items.map(node), Tag(.seq), items.isEmpty ? .flow : .block))
        case .object(let members):
            let pairs = members.keys.sorted().map { (Node($0, Tag(.str), isPlainSafe($0) ? .plain : .doubleQuoted), node(members[$0]!)) }
            return .mapping(Node.Mapping(pairs, Tag(.map), members.isEmpty ? .flow : .block))
        }
    }

    /// Words YAML 1.1 readers take for booleans or null; 1.2 takes fewer, but output should read the same in both.
    private static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"]

    /// True when `text` can be written bare: a conservative set of characters, nothing that starts a special token or
    /// ends a plain scalar early, and nothing a resolver would read as a number, boolean, null or timestamp.
    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        guard !reserved.contains(text.lowercased()), Double(text) == nil, Int(text) == nil else { return false }
        func allowed(_ s: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || "-_./:@+=,()".unicodeScalars.contains(s) || s == " "
        }
        guard text.unicodeScalars.allSatisfy(allowed) else { return false }
        // Indicators that start a special token, digits (numbers, timestamps, sexagesimals), and what ends a scalar.
        guard !"-:,?@+=().".unicodeScalars.contains(first), !("0"..."9").contains(first), first != " ", last != " ", last != ":" else {
            return false
        }
        return !text.contains(": ") && !text.contains(" #")
    }
}
