import FoundationEssentials
import Glibc
import FleetCore
import FleetJSON

/// Reads the members of one JSON object of an API answer. Unknown members are ignored, so that a
/// newer server that adds fields still works with this client.
struct APIObject {
    let members: [String: JSON]
    let path: String

    init(_ json: JSON, path: String = "") throws {
        guard case .object(let members) = json else { throw JSONError(path: path, message: "expected object, got \(json.typeName)") }
        self.members = members
        self.path = path
    }

    /// Decodes an answer, turning shape errors into `FleetClientError.invalidResponse`.
    static func decode<T>(_ json: JSON?, what: String, _ body: (APIObject) throws -> T) throws -> T {
        guard let json else { throw FleetClientError.invalidResponse(what, "the answer has no body") }
        do {
            return try body(try APIObject(json))
        } catch let error as JSONError {
            throw FleetClientError.invalidResponse(what, error.description)
        }
    }

    private func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member as it is; `.null` when absent.
    func value(_ key: String) -> JSON { members[key] ?? .null }

    func decode<T: JSONDecodable>(_ key: String, as type: T.Type = T.self) throws -> T {
        guard let value = members[key], !value.isNull else { throw JSONError(path: at(key), message: "required field is missing") }
        return try T(json: value, path: at(key))
    }

    func decodeIfPresent<T: JSONDecodable>(_ key: String, as type: T.Type = T.self) throws -> T? {
        guard let value = members[key], !value.isNull else { return nil }
        return try T(json: value, path: at(key))
    }

    func string(_ key: String) throws -> String { try decode(key) }
    func optionalString(_ key: String) throws -> String? { try decodeIfPresent(key) }

    func date(_ key: String) throws -> Date {
        guard let date = try optionalDate(key) else { throw JSONError(path: at(key), message: "required field is missing") }
        return date
    }

    func optionalDate(_ key: String) throws -> Date? {
        guard let text: String = try decodeIfPresent(key) else { return nil }
        guard let date = Timestamp.parse(text) else { throw JSONError(path: at(key), message: "'\(text)' is not an RFC 3339 timestamp") }
        return date
    }

    func array(_ key: String) throws -> [APIObject] {
        let items: [JSON] = try decode(key)
        return try items.enumerated().map { try APIObject($1, path: "\(at(key))[\($0)]") }
    }
}

extension Device {
    init(api object: APIObject) throws {
        self.init(id: try object.decode("id"), name: try object.string("name"), hardwareID: try object.string("hardware_id"),
                  labels: try object.decodeIfPresent("labels") ?? [:], status: try object.decode("status"),
                  online: try object.decodeIfPresent("online") ?? false, lastSeenAt: try object.optionalDate("last_seen_at"),
                  inventory: object.value("inventory"), createdAt: try object.date("created_at"), updatedAt: try object.date("updated_at"),
                  desiredRevision: try object.optionalString("desired_revision"), reportedRevision: try object.optionalString("reported_revision"),
                  reportedReady: try object.decodeIfPresent("converged") ?? false)
    }
}

extension Command {
    init(api object: APIObject) throws {
        // Spelled out: `JSON` is ExpressibleByNilLiteral, so a bare `nil` here would be the JSON value null.
        let value = object.value("result")
        let result: JSON? = value.isNull ? Optional<JSON>.none : value
        self.init(id: try object.decode("id"), deviceID: try object.decode("device_id"), type: try object.string("type"),
                  payload: object.value("payload"), state: try object.decode("state"), result: result,
                  error: try object.optionalString("error"), idempotencyKey: try object.optionalString("idempotency_key"),
                  createdAt: try object.date("created_at"), deliveredAt: try object.optionalDate("delivered_at"),
                  finishedAt: try object.optionalDate("finished_at"), expiresAt: try object.date("expires_at"))
    }
}
