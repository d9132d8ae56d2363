import Glibc
import FleetCore

/// The credential sent as `Authorization: Bearer …`. Never printed.
public struct BearerToken: Sendable, Equatable, CustomStringConvertible {
    public let text: String

    /// Nil for an empty or blank string.
    public init?(_ text: String) {
        let trimmed = text.trimmed
        guard !trimmed.isEmpty else { return nil }
        self.text = trimmed
    }

    public var description: String { "<redacted token>" }
}
