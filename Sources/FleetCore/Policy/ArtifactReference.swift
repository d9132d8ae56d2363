import FleetJSON

/// `name@version` of a registered program or model, as policies name them.
public struct ArtifactReference: Sendable, Hashable, CustomStringConvertible, JSONDecodable, JSONEncodable {
    public let name: String
    public let version: String

    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }

    /// Parses `name@version`: both parts non-empty, at most 128 characters each, no whitespace or second `@`.
    public init?(_ text: String) {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[0].count <= 128, parts[1].count <= 128,
              !text.contains(where: \.isWhitespace) else { return nil }
        name = String(parts[0])
        version = String(parts[1])
    }

    public init(json: JSON, path: String) throws {
        let text = try String(json: json, path: path)
        guard let reference = ArtifactReference(text) else {
            throw JSONError(path: path, message: "'\(text)' is not name@version")
        }
        self = reference
    }

    public var description: String { "\(name)@\(version)" }
    public var json: JSON { .string(description) }
}
