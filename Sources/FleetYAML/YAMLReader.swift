import FleetJSON
import Yams

/// Reads YAML into JSON values with the YAML 1.2 core schema: `null`, `~` and nothing are null; `true` and `false`
/// (also `True`, `TRUE`, ...) are booleans; `12`, `0o14`, `0xC` are integers; `1.5`, `1e3` are numbers; everything
/// else, `yes`, `on` and `1.0.0` among them, is a string. Quoted scalars are always strings.
///
/// Refused, with the line: keys that are not strings (`1: x`, `true: x`, `[a]: x`), merge keys (`<<`), tags other
/// than the core ones (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!seq`, `!!map`), `.inf` and `.nan` (JSON
/// has neither), integers beyond 64 bits, nesting deeper than `maximumDepth`, and documents that expand to more
/// than `maximumValues` values, which is how an alias bomb (anchors repeated by aliases, level upon level) shows.
public enum YAMLReader {
    public static let maximumValues = 100_000
    public static let maximumDepth = 100

    /// Every non-empty document of a stream, split at `---` and `...` lines; documents holding only comments,
    /// directives or nothing are left out. Each is read on its own, so a malformed one leaves the others readable.
    public static func documents(in text: String) -> [YAMLDocument] {
        var documents: [YAMLDocument] = []
        for chunk in StreamChunk.split(text) where chunk.hasContent {
            let content: Result<JSON, YAMLError>
            do {
                content = .success(try parse(chunk.text, lineOffset: chunk.firstLine - 1))
            } catch {
                content = .failure(error)
            }
            documents.append(YAMLDocument(index: documents.count + 1, line: chunk.firstLine, content: content))
        }
        return documents
    }

    /// One document; a stream of several is refused.
    /// - Throws: `YAMLError` with the line and column of the problem.
    public static func parse(_ text: String) throws(YAMLError) -> JSON {
        try parse(text, lineOffset: 0)
    }

    /// - Parameters:
    ///   - lineOffset: lines of the whole text above `text`, added to the lines errors name.
    static func parse(_ text: String, lineOffset: Int) throws(YAMLError) -> JSON {
        if let key = ComplexKeyScan.firstComplexKey(in: text) {
            throw YAMLError(line: key.line + lineOffset, column: key.column,
                            message: "keys must be strings, not explicit keys (?), collections or aliases")
        }
        do {
            // The parser must outlive the conversion: nodes hold their anchors weakly.
            let parser = try Parser(yaml: text, resolver: coreSchema)
            guard let root = try parser.singleRoot() else { return .null }
            var converter = NodeConverter()
            return try converter.json(root, depth: 0)
        } catch let error as YAMLError {
            throw error.shifted(by: lineOffset)
        } catch let error as YamlError {
            throw YAMLError(error, lineOffset: lineOffset)
        } catch {
            throw YAMLError(line: nil, column: nil, message: "\(error)")
        }
    }

    /// YAML 1.2's core schema (10.3.2), in place of Yams' default, which also reads `yes`, `on` and `2026-01-01` as
    /// something other than strings. Yams resolves tags lazily, so the resolver is passed to the parser.
    static let coreSchema: Resolver = {
        do {
            return try Resolver.basic
                .appending(.null, "^(?:null|Null|NULL|~|)$")
                .appending(.bool, "^(?:true|True|TRUE|false|False|FALSE)$")
                .appending(.int, "^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
                .appending(.float, "^(?:[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$")
        } catch {
            preconditionFailure("the core schema's patterns are valid: \(error)")
        }
    }()
}

/// Turns composed nodes into JSON, counting values so that aliases cannot multiply the work unboundedly.
private struct NodeConverter {
    var remaining = YAMLReader.maximumValues

    mutating func json(_ node: Node, depth: Int) throws(YAMLError) -> JSON {
        remaining -= 1
        guard remaining >= 0 else {
            throw Self.error(at: node, "the document expands to more than \(YAMLReader.maximumValues) values (aliases repeating large parts?)")
        }
        guard depth <= YAMLReader.maximumDepth else {
            throw Self.error(at: node, "nested deeper than \(YAMLReader.maximumDepth) levels")
        }
        switch node {
        case .scalar(let scalar):
            return try Self.scalar(scalar, node: node)
        case .sequence(let sequence):
            guard node.tag.rawValue == Tag.Name.seq.rawValue else { throw Self.error(at: node, "unsupported tag \(node.tag.rawValue)") }
            var items: [JSON] = []
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(try json(item, depth: depth + 1)) }
            return .array(items)
        case .mapping(let mapping):
            guard node.tag.rawValue == Tag.Name.map.rawValue else { throw Self.error(at: node, "unsupported tag \(node.tag.rawValue)") }
            var members: [String: JSON] = [:]
            for (key, value) in mapping {
                let name = try Self.key(key)
                guard members[name] == nil else { throw Self.error(at: key, "duplicate key '\(name)'") }
                members[name] = try json(value, depth: depth + 1)
            }
            return .object(members)
        case .alias:
            // The parser replaces aliases with the nodes they name; only emitters see this case.
            throw Self.error(at: node, "unresolved alias")
        }
    }

    private static func key(_ node: Node) throws(YAMLError) -> String {
        guard case .scalar(let scalar) = node else {
            throw error(at: node, "keys must be strings, not \(node.isSequence ? "sequences" : "mappings")")
        }
        if scalar.style == .plain && scalar.string == "<<" {
            throw error(at: node, "merge keys (<<) are not supported: write the members out")
        }
        // `Node.tag` is the resolved tag (the scalar's own is empty until resolved).
        let tag = node.tag.rawValue
        guard tag == Tag.Name.str.rawValue else {
            let kind = typeName(ofTag: tag) ?? "tagged \(tag)"
            throw error(at: node, "keys must be strings: '\(scalar.string)' reads as \(kind); quote it")
        }
        return scalar.string
    }

    private static func scalar(_ scalar: Node.Scalar, node: Node) throws(YAMLError) -> JSON {
        let text = scalar.string
        switch node.tag.rawValue {
        case Tag.Name.str.rawValue:
            return .string(text)
        case Tag.Name.null.rawValue:
            guard ["", "~", "null", "Null", "NULL"].contains(text) else { throw error(at: node, "'\(text)' is not null") }
            return .null
        case Tag.Name.bool.rawValue:
            if ["true", "True", "TRUE"].contains(text) { return .bool(true) }
            if ["false", "False", "FALSE"].contains(text) { return .bool(false) }
            throw error(at: node, "'\(text)' is not a boolean")
        case Tag.Name.int.rawValue:
            guard let value = integer(text) else { throw error(at: node, "'\(text)' is not an integer of at most 64 bits") }
            return .int(value)
        case Tag.Name.float.rawValue:
            if let value = integer(text) { return .double(Double(value)) }
            let lower = text.lowercased()
            if lower.hasSuffix(".inf") || lower == ".nan" {
                throw error(at: node, "'\(text)' cannot be written as JSON, which has no infinity or NaN")
            }
            guard let value = Double(text.hasPrefix("+") ? String(text.dropFirst()) : text), value.isFinite else {
                throw error(at: node, "'\(text)' is not a number")
            }
            return .double(value)
        default:
            throw error(at: node, "unsupported tag \(node.tag.rawValue) (use !!str, !!int, !!float, !!bool or !!null, or none)")
        }
    }

    /// Decimal with an optional sign, `0o` octal or `0x` hexadecimal; nil beyond 64 bits.
    private static func integer(_ text: String) -> Int64? {
        if text.hasPrefix("0o") { return Int64(text.dropFirst(2), radix: 8) }
        if text.hasPrefix("0x") { return Int64(text.dropFirst(2), radix: 16) }
        guard !text.isEmpty, text.dropFirst(text.hasPrefix("-") || text.hasPrefix("+") ? 1 : 0).allSatisfy(\.isASCIIDigit) else { return nil }
        return Int64(text)
    }

    private static func typeName(ofTag tag: String) -> String? {
        switch tag {
        case Tag.Name.null.rawValue: "null"
        case Tag.Name.bool.rawValue: "a boolean"
        case Tag.Name.int.rawValue: "an integer"
        case Tag.Name.float.rawValue: "a number"
        default: nil
        }
    }

    private static func error(at node: Node, _ message: String) -> YAMLError {
        YAMLError(line: node.mark?.line, column: node.mark?.column, message: message)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Node {
    fileprivate var isSequence: Bool { if case .sequence = self { return true }; return false }
}

extension YAMLError {
    /// Yams' error as one line: its problem, where it is, and what the parser was doing.
    init(_ error: YamlError, lineOffset: Int) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let doing = context.map { " (\($0.text) at line \($0.mark.line + lineOffset))" } ?? ""
            self.init(line: mark.line + lineOffset, column: mark.column, message: problem + doing)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            self.init(line: context.mark.line + lineOffset, column: context.mark.column, message: "duplicate key \(names)")
        case .reader(let problem, _, _, _):
            self.init(line: nil, column: nil, message: problem)
        default:
            self.init(line: nil, column: nil, message: "\(error)")
        }
    }
}

/// A piece of a YAML stream that holds at most one document, with the line it starts on.
struct StreamChunk {
    var firstLine: Int
    var lines: [Substring] = []
    /// False while the chunk holds only blank lines, comments, directives and markers.
    var hasContent = false

    var text: String { lines.joined(separator: "\n") }

    /// Cuts before every `---` line that follows content, before a directive (`%YAML`) that follows content, and after
    /// every `...` line. `---` is a document marker only at the start of a line, where no scalar's content can be:
    /// quoted scalars may not hold it and block scalars are indented.
    static func split(_ text: String) -> [StreamChunk] {
        var chunks: [StreamChunk] = []
        var current = StreamChunk(firstLine: 1)
        var sawStart = false
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            let lineNumber = offset + 1
            if line.hasPrefix("%") || isMarker(line, "---") {
                if current.hasContent || sawStart && isMarker(line, "---") || sawStart && line.hasPrefix("%") {
                    chunks.append(current)
                    current = StreamChunk(firstLine: lineNumber)
                    sawStart = false
                }
                if isMarker(line, "---") {
                    // Comments before the first marker belong to no document: the document starts at its marker.
                    if !current.hasContent && !sawStart && !current.lines.contains(where: { $0.hasPrefix("%") }) {
                        current = StreamChunk(firstLine: lineNumber)
                    }
                    sawStart = true
                    let rest = line.dropFirst(3).drop { $0 == " " || $0 == "\t" }
                    if !rest.isEmpty && !rest.hasPrefix("#") { current.hasContent = true }
                }
                current.lines.append(line)
            } else if isMarker(line, "...") {
                current.lines.append(line)
                chunks.append(current)
                current = StreamChunk(firstLine: lineNumber + 1)
                sawStart = false
            } else {
                current.lines.append(line)
                let trimmed = line.drop { $0 == " " || $0 == "\t" }
                if !trimmed.isEmpty && !trimmed.hasPrefix("#") { current.hasContent = true }
            }
        }
        chunks.append(current)
        return chunks
    }

    private static func isMarker(_ line: Substring, _ marker: String) -> Bool {
        guard line.hasPrefix(marker) else { return false }
        let next = line.dropFirst(3).first
        return next == nil || next == " " || next == "\t"
    }
}
