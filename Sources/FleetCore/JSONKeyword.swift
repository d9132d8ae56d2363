import FleetJSON

/// One of a closed set of words that a document spells as a JSON string (`"on_failure": "rollback"`).
///
/// Conforming enums get reading and writing for free; an unknown word is refused with the list of the known
/// ones, so a client learns the vocabulary from the error.
public protocol JSONKeyword: RawRepresentable<String>, CaseIterable, Sendable, JSONDecodable, JSONEncodable {
    /// What the word names, for messages: "unknown stat 'p90': use avg, p50, ...".
    static var noun: String { get }
}

extension JSONKeyword {
    public init(json: JSON, path: String) throws {
        let text = try String(json: json, path: path)
        guard let value = Self(rawValue: text) else {
            let known = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw JSONError(path: path, message: "unknown \(Self.noun) '\(text)': use \(known)")
        }
        self = value
    }

    public var json: JSON { .string(rawValue) }
}
