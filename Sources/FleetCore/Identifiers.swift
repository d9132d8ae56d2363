import FoundationEssentials
import Glibc
import FleetJSON

/// A UUID-backed identifier with its own type, so a `DeviceID` is never passed where a `CommandID` belongs.
public protocol UUIDIdentifier: Hashable, Sendable, Comparable, CustomStringConvertible, JSONDecodable, JSONEncodable {
    var rawValue: UUID { get }
    init(rawValue: UUID)
}

extension UUIDIdentifier {
    public static func random() -> Self { Self(rawValue: UUID()) }

    /// Parses the canonical textual form; nil when it is not a UUID.
    public init?(_ text: String) {
        guard let uuid = UUID(uuidString: text) else { return nil }
        self.init(rawValue: uuid)
    }

    /// Lower-case canonical form, as the API prints it.
    public var description: String { rawValue.uuidString.lowercased() }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }

    public init(json: JSON, path: String) throws {
        let text = try String(json: json, path: path)
        guard let uuid = UUID(uuidString: text) else {
            throw JSONError(path: path, message: "'\(text)' is not a UUID")
        }
        self.init(rawValue: uuid)
    }

    public var json: JSON { .string(description) }
}

public struct DeviceID: UUIDIdentifier { public let rawValue: UUID; public init(rawValue: UUID) { self.rawValue = rawValue } }
public struct CommandID: UUIDIdentifier { public let rawValue: UUID; public init(rawValue: UUID) { self.rawValue = rawValue } }
public struct TokenID: UUIDIdentifier { public let rawValue: UUID; public init(rawValue: UUID) { self.rawValue = rawValue } }
public struct EnrollmentTokenID: UUIDIdentifier { public let rawValue: UUID; public init(rawValue: UUID) { self.rawValue = rawValue } }
