import FleetCore
import FleetJSON

extension FleetClient {
    /// Creates an API token (admin only); the answer holds its secret, shown only this once.
    public func createAPIToken(_ token: NewAPIToken) throws -> IssuedToken<APIToken> {
        try fetch(.post, "/v1/tokens", body: token.json) { try IssuedToken.decode($0, record: APIToken.init(api:)) }
    }

    /// One page of API tokens, oldest first, revoked ones included.
    public func apiTokens(limit: Int? = nil, cursor: String? = nil) throws -> ListPage<APIToken> {
        try fetchPage("/v1/tokens", query: [("limit", limit.map(String.init)), ("cursor", cursor)], decode: APIToken.init(api:))
    }

    public func allAPITokens(limit: Int? = nil, from cursor: String? = nil) throws -> [APIToken] {
        try ListPage.collect(from: cursor) { try apiTokens(limit: limit, cursor: $0) }
    }

    /// Revokes an API token; revoking it again is a no-op.
    public func revokeAPIToken(_ id: TokenID) throws {
        _ = try exchange(.delete, "/v1/tokens/\(id)")
    }

    /// Creates an enrolment token; the answer holds its secret, shown only this once.
    public func createEnrollmentToken(_ token: NewEnrollmentToken) throws -> IssuedToken<EnrollmentToken> {
        try fetch(.post, "/v1/enrollment-tokens", body: token.json) { try IssuedToken.decode($0, record: EnrollmentToken.init(api:)) }
    }

    /// One page of enrolment tokens, oldest first, revoked ones included.
    public func enrollmentTokens(limit: Int? = nil, cursor: String? = nil) throws -> ListPage<EnrollmentToken> {
        try fetchPage("/v1/enrollment-tokens", query: [("limit", limit.map(String.init)), ("cursor", cursor)],
                      decode: EnrollmentToken.init(api:))
    }

    public func allEnrollmentTokens(limit: Int? = nil, from cursor: String? = nil) throws -> [EnrollmentToken] {
        try ListPage.collect(from: cursor) { try enrollmentTokens(limit: limit, cursor: $0) }
    }

    /// Revokes an enrolment token; devices already enrolled keep their credentials.
    public func revokeEnrollmentToken(_ id: EnrollmentTokenID) throws {
        _ = try exchange(.delete, "/v1/enrollment-tokens/\(id)")
    }
}
