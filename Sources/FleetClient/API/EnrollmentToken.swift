import FoundationEssentials
import Glibc
import FleetCore
import FleetJSON

/// An enrolment token as `GET /v1/enrollment-tokens` lists it.
public struct EnrollmentToken: Sendable, Equatable, JSONEncodable {
    public var id: EnrollmentTokenID
    public var name: String
    public var tokenPrefix: String
    /// Labels every device enrolled with this token starts with.
    public var labels: [String: String]
    public var maxUses: Int?
    public var uses: Int
    public var autoApprove: Bool
    public var createdBy: String?
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?

    public var json: JSON {
        [
            "id": id.json, "name": .string(name), "token_prefix": .string(tokenPrefix), "labels": labels.json,
            "max_uses": maxUses.json, "uses": uses.json, "auto_approve": .bool(autoApprove),
            "created_by": createdBy.json, "created_at": createdAt.json, "expires_at": expiresAt.json,
            "revoked_at": revokedAt.json,
        ]
    }

    init(api object: APIObject) throws {
        id = try object.decode("id")
        name = try object.string("name")
        tokenPrefix = try object.string("token_prefix")
        labels = try object.decodeIfPresent("labels") ?? [:]
        maxUses = try object.decodeIfPresent("max_uses")
        uses = try object.decodeIfPresent("uses") ?? 0
        autoApprove = try object.decodeIfPresent("auto_approve") ?? false
        createdBy = try object.optionalString("created_by")
        createdAt = try object.date("created_at")
        expiresAt = try object.optionalDate("expires_at")
        revokedAt = try object.optionalDate("revoked_at")
    }
}

/// What to create with `POST /v1/enrollment-tokens`.
public struct NewEnrollmentToken: Sendable, Equatable {
    /// The server names it `enrollment` when nil.
    public var name: String?
    public var labels: [String: String]
    public var maxUses: Int?
    public var expiresInSeconds: Int?
    /// Devices enrolled with it become `active` at once instead of `pending`.
    public var autoApprove: Bool

    public init(name: String? = nil, labels: [String: String] = [:], maxUses: Int? = nil,
                expiresInSeconds: Int? = nil, autoApprove: Bool = false) {
        self.name = name
        self.labels = labels
        self.maxUses = maxUses
        self.expiresInSeconds = expiresInSeconds
        self.autoApprove = autoApprove
    }

    var json: JSON {
        var body: [String: JSON] = ["labels": labels.json, "auto_approve": .bool(autoApprove)]
        if let name { body["name"] = .string(name) }
        if let maxUses { body["max_uses"] = maxUses.json }
        if let expiresInSeconds { body["expires_in_seconds"] = expiresInSeconds.json }
        return .object(body)
    }
}
