import Foundation

/// A Swift value that can be read from a column in PostgreSQL's text output format.
public protocol PostgresDecodable {
    /// Parses the server's text output.
    /// - Throws: `PostgresError` of kind `.decoding` when the text is not a valid value.
    init(postgresText: String) throws
}

extension PostgresError {
    static func invalid<T>(_ type: T.Type) -> PostgresError {
        PostgresError(kind: .decoding, message: "invalid \(T.self) value")
    }
}

/// Also decodes `json`, `jsonb` and any other type as its text.
extension String: PostgresDecodable {
    public init(postgresText: String) { self = postgresText }
}

extension Int: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Int(postgresText) else { throw PostgresError.invalid(Int.self) }
        self = value
    }
}

extension Int64: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Int64(postgresText) else { throw PostgresError.invalid(Int64.self) }
        self = value
    }
}

extension Int32: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Int32(postgresText) else { throw PostgresError.invalid(Int32.self) }
        self = value
    }
}

/// A lone byte decodes from an integer; `[UInt8]` decodes from `bytea`.
extension UInt8: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = UInt8(postgresText) else { throw PostgresError.invalid(UInt8.self) }
        self = value
    }
}

extension Double: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Double(postgresText) else { throw PostgresError.invalid(Double.self) }
        self = value
    }
}

extension Bool: PostgresDecodable {
    public init(postgresText: String) throws {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw PostgresError.invalid(Bool.self)
        }
    }
}

extension UUID: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = UUID(uuidString: postgresText) else { throw PostgresError.invalid(UUID.self) }
        self = value
    }
}

extension Date: PostgresDecodable {
    /// Parses `timestamptz`/`timestamp`/`date` ISO output, e.g. `2026-11-29 07:00:00.123456+00`.
    public init(postgresText: String) throws {
        guard let value = PostgresTimestamp.parse(postgresText) else { throw PostgresError.invalid(Date.self) }
        self = value
    }
}

/// `[UInt8]` decodes from `bytea` hex output; any other array from one-dimensional array output.
extension Array: PostgresDecodable where Element: PostgresDecodable {
    public init(postgresText: String) throws {
        if Element.self == UInt8.self {
            guard let bytes = PostgresBytea.parse(postgresText) else { throw PostgresError.invalid([UInt8].self) }
            self = bytes as! [Element]
            return
        }
        guard let elements = PostgresArrayText.parse(postgresText) else { throw PostgresError.invalid([Element].self) }
        self = try elements.map { text in
            guard let text else {
                throw PostgresError(kind: .decoding, message: "NULL element in array of \(Element.self)")
            }
            return try Element(postgresText: text)
        }
    }
}
