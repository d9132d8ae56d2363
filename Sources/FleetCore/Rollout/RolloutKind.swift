import FleetJSON

/// What a rollout delivers, which decides what rolling back means.
public enum RolloutKind: Sendable, Equatable, JSONDecodable, JSONEncodable {
    /// A policy's newest revision: rolling back puts the devices it reached back on the previous revision.
    case policy
    /// A command (a fleet job): rolling back sends the `rollback_command`, when there is one, to the devices
    /// where the command succeeded.
    case command(hasRollbackCommand: Bool)

    /// `{"type": "policy"}` or `{"type": "command", "rollback_command": true}` (false when left out).
    public init(json: JSON, path: String) throws {
        var reader = try JSONObjectReader(json, path: path)
        let type: String = try reader.require("type")
        let rollback: Bool? = try reader.optional("rollback_command")
        try reader.finish()
        switch (type, rollback) {
        case ("policy", nil): self = .policy
        case ("policy", _?): throw JSONError(path: JSONObjectReader.join(path, "rollback_command"), message: "only a command rollout has one")
        case ("command", let rollback): self = .command(hasRollbackCommand: rollback ?? false)
        default: throw JSONError(path: JSONObjectReader.join(path, "type"), message: "unknown rollout kind '\(type)': use command or policy")
        }
    }

    public var json: JSON {
        switch self {
        case .policy: ["type": "policy"]
        case .command(let rollback): ["type": "command", "rollback_command": .bool(rollback)]
        }
    }
}
