import FoundationEssentials
import Glibc
import FleetJSON

public enum CommandState: String, Sendable, CaseIterable, JSONDecodable, JSONEncodable {
    case queued, delivered, running, succeeded, failed, rejected, expired, canceled

    public var isTerminal: Bool {
        switch self {
        case .queued, .delivered, .running: false
        case .succeeded, .failed, .rejected, .expired, .canceled: true
        }
    }

    public init(json: JSON, path: String) throws {
        let text = try String(json: json, path: path)
        guard let state = CommandState(rawValue: text) else {
            throw JSONError(path: path, message: "unknown state '\(text)'")
        }
        self = state
    }

    public var json: JSON { .string(rawValue) }
}

/// A command queued for one device.
public struct Command: Sendable, Equatable, JSONEncodable {
    public var id: CommandID
    public var deviceID: DeviceID
    public var type: String
    public var payload: JSON
    public var state: CommandState
    public var result: JSON?
    public var error: String?
    public var idempotencyKey: String?
    public var createdAt: Date
    public var deliveredAt: Date?
    public var finishedAt: Date?
    public var expiresAt: Date

    public init(id: CommandID, deviceID: DeviceID, type: String, payload: JSON, state: CommandState, result: JSON?,
                error: String?, idempotencyKey: String?, createdAt: Date, deliveredAt: Date?, finishedAt: Date?, expiresAt: Date) {
        self.id = id
        self.deviceID = deviceID
        self.type = type
        self.payload = payload
        self.state = state
        self.result = result
        self.error = error
        self.idempotencyKey = idempotencyKey
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
        self.finishedAt = finishedAt
        self.expiresAt = expiresAt
    }

    public var json: JSON {
        [
            "id": id.json, "device_id": deviceID.json, "type": .string(type), "payload": payload,
            "state": state.json, "result": result ?? .null, "error": error.json,
            "idempotency_key": idempotencyKey.json, "created_at": createdAt.json,
            "delivered_at": deliveredAt.json, "finished_at": finishedAt.json, "expires_at": expiresAt.json,
        ]
    }
}

/// The command types executors understand (DESIGN section 4). Others are accepted by the server only when
/// they are well-formed names, and executors reject what they do not know.
public enum CommandType {
    public static let known: Set<String> = [
        "program.load", "program.unload", "program.replace", "model.deploy", "model.remove",
        "inference.run", "telemetry.flush", "executor.ping",
    ]

    /// Lower-case dotted names: `program.load`, `vendor.reboot_now`.
    public static func isWellFormed(_ type: String) -> Bool {
        guard !type.isEmpty, type.utf8.count <= 64, let first = type.utf8.first, first >= 97 && first <= 122 else { return false }
        return type.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }
}
