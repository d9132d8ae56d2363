import FleetCore
import FleetJSON

/// A token just created, with its secret: the only time the server reveals it.
public struct IssuedToken<Record: JSONEncodable & Sendable>: Sendable, JSONEncodable {
    public var record: Record
    /// `description` hides the secret; print `secret.text` deliberately.
    public var secret: TokenSecret

    /// The record's JSON plus `token`, as the server answered.
    public var json: JSON {
        guard case .object(var members) = record.json else { return record.json }
        members["token"] = .string(secret.text)
        return .object(members)
    }

    static func decode(_ object: APIObject, record: (APIObject) throws -> Record) throws -> IssuedToken {
        let text = try object.string("token")
        guard let secret = TokenSecret(parsing: text) else {
            throw JSONError(path: "token", message: "not a Fleet token secret")
        }
        return IssuedToken(record: try record(object), secret: secret)
    }
}
