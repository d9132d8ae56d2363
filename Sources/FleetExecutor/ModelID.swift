import FoundationEssentials
import FleetCore

/// Identifies a model in the server's registry (`POST /v1/models` answers it as `id`).
public struct ModelID: UUIDIdentifier {
    public let rawValue: UUID
    public init(rawValue: UUID) { self.rawValue = rawValue }
}
