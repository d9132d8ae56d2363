/// A type read from a JSON value. `path` names the value in error messages (`labels.env`).
public protocol JSONDecodable {
    init(json: JSON, path: String) throws
}

/// A type that renders itself as JSON.
public protocol JSONEncodable {
    var json: JSON { get }
}

extension JSONError {
    /// "expected string, got number" at `path`.
    public static func typeMismatch(_ path: String, expected: String, got value: JSON) -> JSONError {
        JSONError(path: path, message: "expected \(expected), got \(value.typeName)")
    }
}

extension JSON: JSONDecodable, JSONEncodable {
    public init(json: JSON, path: String) { self = json }
    public var json: JSON { self }
}

extension String: JSONDecodable, JSONEncodable {
    public init(json: JSON, path: String) throws {
        guard case .string(let s) = json else { throw JSONError.typeMismatch(path, expected: "string", got: json) }
        self = s
    }
    public var json: JSON { .string(self) }
}

extension Bool: JSONDecodable, JSONEncodable {
    public init(json: JSON, path: String) throws {
        guard case .bool(let b) = json else { throw JSONError.typeMismatch(path, expected: "boolean", got: json) }
        self = b
    }
    public var json: JSON { .bool(self) }
}

extension Int: JSONDecodable, JSONEncodable {
    public init(json: JSON, path: String) throws {
        guard let i = json.int64Value, let value = Int(exactly: i) else {
            throw JSONError.typeMismatch(path, expected: "integer", got: json)
        }
        self = value
    }
    public var json: JSON { .int(Int64(self)) }
}

extension Int64: JSONDecodable, JSONEncodable {
    public init(json: JSON, path: String) throws {
        guard let i = json.int64Value else { throw JSONError.typeMismatch(path, expected: "integer", got: json) }
        self = i
    }
    public var json: JSON { .int(self) }
}

extension Double: JSONDecodable, JSONEncodable {
    public init(json: JSON, path: String) throws {
        guard let d = json.doubleValue else { throw JSONError.typeMismatch(path, expected: "number", got: json) }
        self = d
    }
    public var json: JSON { .double(self) }
}

extension Array: JSONDecodable where Element: JSONDecodable {
    public init(json: JSON, path: String) throws {
        guard case .array(let items) = json else { throw JSONError.typeMismatch(path, expected: "array", got: json) }
        self = try items.enumerated().map { try Element(json: $1, path: "\(path)[\($0)]") }
    }
}

extension Array: JSONEncodable where Element: JSONEncodable {
    public var json: JSON { .array(map { $0.json }) }
}

extension Dictionary: JSONDecodable where Key == String, Value: JSONDecodable {
    public init(json: JSON, path: String) throws {
        guard case .object(let members) = json else { throw JSONError.typeMismatch(path, expected: "object", got: json) }
        self = try members.reduce(into: [:]) { result, member in
            result[member.key] = try Value(json: member.value, path: JSONObjectReader.join(path, member.key))
        }
    }
}

extension Dictionary: JSONEncodable where Key == String, Value: JSONEncodable {
    public var json: JSON { .object(mapValues { $0.json }) }
}

extension Optional: JSONEncodable where Wrapped: JSONEncodable {
    public var json: JSON { self?.json ?? .null }
}
