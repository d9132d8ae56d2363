import Foundation

/// A Swift value that can be sent as a text-format query parameter.
public protocol PostgresBindable {
    /// The PostgreSQL text representation, or nil for SQL NULL.
    var postgresText: String? { get }
}

extension String: PostgresBindable {
    public var postgresText: String? { self }
}

extension Int: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresBindable {
    public var postgresText: String? { String(self) }
}

/// A lone byte binds as an integer; `[UInt8]` binds as `bytea`.
extension UInt8: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Double: PostgresBindable {
    /// Shortest round-tripping text; `inf`, `-inf` and `nan` are accepted by `float8`.
    public var postgresText: String? { description }
}

extension Bool: PostgresBindable {
    public var postgresText: String? { self ? "true" : "false" }
}

extension UUID: PostgresBindable {
    public var postgresText: String? { uuidString.lowercased() }
}

extension Date: PostgresBindable {
    /// RFC 3339 in UTC with microseconds, e.g. `2026-11-29T07:00:00.123456Z`.
    public var postgresText: String? { PostgresTimestamp.format(self) }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    public var postgresText: String? { self?.postgresText }
}

/// `[UInt8]` binds as `bytea` (hex format); any other array binds as an array literal.
extension Array: PostgresBindable where Element: PostgresBindable {
    public var postgresText: String? {
        if Element.self == UInt8.self, let bytes = self as? [UInt8] { return PostgresBytea.format(bytes) }
        return PostgresArrayText.format(map(\.postgresText))
    }
}
