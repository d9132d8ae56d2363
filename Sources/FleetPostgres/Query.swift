/// SQL built by string interpolation: every interpolated value becomes `$n` and a bound parameter.
///
/// `"SELECT * FROM devices WHERE id = \(id)"` binds `id`; raw SQL text only enters through
/// `unsafeSQL:`. Fragments can be spliced and joined; their placeholders are renumbered.
public struct Query: Sendable, ExpressibleByStringInterpolation {
    /// A piece of SQL: literal text, or the placeholder for `binds[index]`.
    enum Segment: Sendable, Equatable {
        case text(String)
        case parameter(Int)
    }

    /// The SQL text with `$1`, `$2`, ... placeholders.
    public private(set) var sql: String
    /// The parameter values in text format, nil for NULL; `binds[0]` is `$1`.
    public private(set) var binds: [String?]
    private(set) var segments: [Segment]

    /// Raw SQL with no parameters. Never build `unsafeSQL` from untrusted input.
    public init(unsafeSQL: String) {
        sql = unsafeSQL
        binds = []
        segments = unsafeSQL.isEmpty ? [] : [.text(unsafeSQL)]
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self = stringInterpolation.query
    }

    mutating func appendText(_ text: String) {
        guard !text.isEmpty else { return }
        sql += text
        segments.append(.text(text))
    }

    mutating func appendBind(_ value: String?) {
        binds.append(value)
        sql += "$\(binds.count)"
        segments.append(.parameter(binds.count - 1))
    }

    /// Appends `other`, renumbering its placeholders to follow this query's parameters.
    public mutating func append(_ other: Query) {
        let offset = binds.count
        for segment in other.segments {
            switch segment {
            case .text(let text): appendText(text)
            case .parameter(let index):
                binds.append(other.binds[index])
                sql += "$\(offset + index + 1)"
                segments.append(.parameter(offset + index))
            }
        }
    }

    public static func + (lhs: Query, rhs: Query) -> Query {
        var result = lhs
        result.append(rhs)
        return result
    }

    /// Joins fragments with a raw SQL separator such as `", "` or `" AND "`.
    public static func joined(_ parts: [Query], separator: String) -> Query {
        var result = Query(unsafeSQL: "")
        for (index, part) in parts.enumerated() {
            if index > 0 { result.appendText(separator) }
            result.append(part)
        }
        return result
    }
}
