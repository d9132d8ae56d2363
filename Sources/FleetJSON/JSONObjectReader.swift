/// Reads the members of a JSON object one by one and rejects the ones nobody asked for.
///
/// ```swift
/// var reader = try JSONObjectReader(json, path: "")
/// let name: String = try reader.require("name")
/// let ttl: Int? = try reader.optional("ttl_seconds")
/// try reader.finish()   // throws on unknown fields
/// ```
public struct JSONObjectReader {
    public let path: String
    private let members: [String: JSON]
    private var consumed: Set<String> = []

    public init(_ json: JSON, path: String = "") throws {
        guard case .object(let members) = json else {
            throw JSONError(path: path, message: "expected a JSON object, got \(json.typeName)")
        }
        self.path = path
        self.members = members
    }

    /// The path of member `key` of the object at `path`: `labels` at the top, `gates[0].stat` below.
    public static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// A member that must be present and not null.
    public mutating func require<T: JSONDecodable>(_ key: String, as type: T.Type = T.self) throws -> T {
        consumed.insert(key)
        guard let value = members[key], !value.isNull else {
            throw JSONError(path: Self.join(path, key), message: "required field is missing")
        }
        return try T(json: value, path: Self.join(path, key))
    }

    /// A member that may be absent or null.
    public mutating func optional<T: JSONDecodable>(_ key: String, as type: T.Type = T.self) throws -> T? {
        consumed.insert(key)
        guard let value = members[key], !value.isNull else { return nil }
        return try T(json: value, path: Self.join(path, key))
    }

    /// The raw member, distinguishing absent (`nil`) from an explicit `null` (`.null`), as merge patches need.
    public mutating func raw(_ key: String) -> JSON? {
        consumed.insert(key)
        return members[key]
    }

    /// Throws when the object has members that were not read.
    public func finish() throws {
        let unknown = members.keys.filter { !consumed.contains($0) }.sorted()
        guard unknown.isEmpty else {
            let list = unknown.map { "'\($0)'" }.joined(separator: ", ")
            throw JSONError(path: path, message: "unknown field\(unknown.count > 1 ? "s" : "") \(list)")
        }
    }
}
