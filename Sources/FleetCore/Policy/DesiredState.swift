import Crypto
import FleetJSON

/// What an executor is told to converge on: each item as the payload of the command that would apply it
/// (`program.load` for programs, `model.deploy` for models, artifacts resolved), and the telemetry interval.
/// Its `revision` is a hash of its canonical JSON, so the same state always has the same revision whatever
/// order its keys were built in.
public struct DesiredState: Sendable, Equatable {
    public let programs: [String: JSON]
    public let models: [String: JSON]
    public let telemetryIntervalSeconds: Int?
    public let revision: String

    /// The state of a device no policy matches.
    public static let empty = DesiredState(programs: [:], models: [:], telemetryIntervalSeconds: nil)

    public init(programs: [String: JSON], models: [String: JSON], telemetryIntervalSeconds: Int?) {
        self.programs = programs
        self.models = models
        self.telemetryIntervalSeconds = telemetryIntervalSeconds
        revision = Self.revision(of: Self.content(programs: programs, models: models, telemetry: telemetryIntervalSeconds))
    }

    /// Reads a state as `json` writes it; the revision is computed again, never trusted.
    /// - Throws: `JSONError` naming the member at fault.
    public init(json: JSON) throws {
        var reader = try JSONObjectReader(json)
        let programs: [String: JSON] = try reader.require("programs")
        let models: [String: JSON] = try reader.require("models")
        let telemetry: JSON? = try reader.optional("telemetry")
        _ = reader.raw("revision")
        try reader.finish()
        var interval: Int?
        if let telemetry {
            var settings = try JSONObjectReader(telemetry, path: "telemetry")
            interval = try settings.require("interval_seconds")
            try settings.finish()
        }
        self.init(programs: programs, models: models, telemetryIntervalSeconds: interval)
    }

    /// `{"revision", "programs": {name: payload}, "models": {name: payload}, "telemetry"?}`
    public var json: JSON {
        guard case .object(var members) = Self.content(programs: programs, models: models, telemetry: telemetryIntervalSeconds) else {
            return .null
        }
        members["revision"] = .string(revision)
        return .object(members)
    }

    private static func content(programs: [String: JSON], models: [String: JSON], telemetry: Int?) -> JSON {
        var members: [String: JSON] = ["programs": .object(programs), "models": .object(models)]
        if let telemetry { members["telemetry"] = ["interval_seconds": .int(Int64(telemetry))] }
        return .object(members)
    }

    /// The first 128 bits of the SHA-256 of the canonical serialisation (sorted keys, shortest numbers), in hex.
    static func revision(of content: JSON) -> String {
        SHA256.hash(data: content.serializedBytes()).prefix(16).hexString
    }
}
