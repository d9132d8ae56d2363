import FoundationEssentials
import Glibc
import FleetCore
import FleetJSON

/// An API token as `GET /v1/tokens` lists it; the secret itself is never listed.
public struct APIToken: Sendable, Equatable, JSONEncodable {
    public var id: TokenID
    public var name: String
    public var role: Role
    /// The first characters of the secret, for people to recognise it.
    public var tokenPrefix: String
    public var createdBy: String?
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?
    public var lastUsedAt: Date?

    public var json: JSON {
        [
            "id": id.json, "name": .string(name), "role": role.json, "token_prefix": .string(tokenPrefix),
            "created_by": createdBy.json, "created_at": createdAt.json, "expires_at": expiresAt.json,
            "revoked_at": revokedAt.json, "last_used_at": lastUsedAt.json,
        ]
    }

    init(api object: APIObject) throws {
        id = try object.decode("id")
        name = try object.string("name")
        // Role's decoder refuses `device`, which API tokens never have.
        role = try object.decode("role")
        tokenPrefix = try object.string("token_prefix")
        createdBy = try object.optionalString("created_by")
        createdAt = try object.date("created_at")
        expiresAt = try object.optionalDate("expires_at")
        revokedAt = try object.optionalDate("revoked_at")
        lastUsedAt = try object.optionalDate("last_used_at")
    }
}

/// What to create with `POST /v1/tokens`.
public struct NewAPIToken: Sendable, Equatable {
    public var name: String
    public var role: Role
    public var expiresInSeconds: Int?

    public init(name: String, role: Role, expiresInSeconds: Int? = nil) {
        self.name = name
        self.role = role
        self.expiresInSeconds = expiresInSeconds
    }

    var json: JSON {
        var body: [String: JSON] = ["name": .string(name), "role": role.json]
        if let expiresInSeconds { body["expires_in_seconds"] = expiresInSeconds.json }
        return .object(body)
    }
}
