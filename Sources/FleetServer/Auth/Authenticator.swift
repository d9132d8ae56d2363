import Foundation
import FleetCore
import FleetPostgres
import Synchronization

/// Resolves bearer tokens to principals, with a short-lived cache so hot paths (heartbeats, reads) skip the
/// database. Revocations clear the cache here and, through `fleet_auth` notifications, on every replica.
final class Authenticator: Sendable {
    private struct Entry {
        let principal: Principal
        let validUntil: ContinuousClock.Instant
    }

    private let pool: PostgresPool
    private let cacheLifetime: Duration
    private let cache = Mutex<[[UInt8]: Entry]>([:])

    /// Cached principals stay valid this long unless a revocation arrives first. Revocations reach every
    /// replica through `fleet_auth`, and a lost notification connection clears the cache on reconnect, so the
    /// lifetime only bounds how long a missed revocation could last; it is long enough that an executor's
    /// heartbeats (every minute by default) are served from memory.
    init(pool: PostgresPool, cacheLifetime: Duration = .seconds(300)) {
        self.pool = pool
        self.cacheLifetime = cacheLifetime
    }

    /// Forgets every cached principal; called after any revocation or device status change.
    func invalidate() {
        cache.withLock { $0.removeAll(keepingCapacity: true) }
    }

    func authenticate(authorization: String?) throws -> Principal {
        guard let authorization, !authorization.isEmpty else {
            throw APIError.unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
        }
        let parts = authorization.split(separator: " ")
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("malformed Authorization header: expected 'Bearer <token>'")
        }
        guard let secret = TokenSecret(parsing: String(parts[1])) else {
            throw APIError.unauthorized("invalid token")
        }
        let hash = TokenHash.digest(secret)
        let now = ContinuousClock.now
        if let entry = cache.withLock({ $0[hash] }), entry.validUntil > now {
            return entry.principal
        }
        let (principal, expiresAt) = try lookup(secret.kind, hash: hash)
        var validUntil = now.advanced(by: cacheLifetime)
        if let expiresAt {
            let remaining = expiresAt.timeIntervalSinceNow
            validUntil = min(validUntil, now.advanced(by: .milliseconds(Int64(max(0, remaining) * 1000))))
        }
        cache.withLock { cache in
            if cache.count >= Self.maximumEntries { Self.evict(&cache, now: now) }
            cache[hash] = Entry(principal: principal, validUntil: validUntil)
        }
        return principal
    }

    static let maximumEntries = 2_000_000

    /// Drops expired entries; if that frees too little, every other entry (they are looked up again on use).
    private static func evict(_ cache: inout [[UInt8]: Entry], now: ContinuousClock.Instant) {
        cache = cache.filter { $0.value.validUntil > now }
        guard cache.count >= maximumEntries * 3 / 4 else { return }
        var keep = false
        cache = cache.filter { _ in keep.toggle(); return keep }
    }

    private func lookup(_ kind: TokenKind, hash: [UInt8]) throws -> (Principal, Date?) {
        switch kind {
        case .api:
            guard let row = try pool.query("""
                UPDATE api_tokens SET last_used_at = now() WHERE token_hash = \(hash)
                RETURNING id, name, role, expires_at, revoked_at, expires_at <= now() AS expired
                """).first else { throw APIError.unauthorized("unknown token") }
            if try row.decodeIfPresent("revoked_at", as: Date.self) != nil { throw APIError.unauthorized("token has been revoked") }
            if try row.decodeIfPresent("expired", as: Bool.self) == true { throw APIError.unauthorized("token has expired") }
            guard let role = Role(rawValue: try row.decode("role")) else { throw APIError.unauthorized("unknown token") }
            let principal = Principal.api(id: TokenID(rawValue: try row.decode("id")), name: try row.decode("name"), role: role)
            return (principal, try row.decodeIfPresent("expires_at", as: Date.self))
        case .device:
            guard let row = try pool.query("SELECT id, status FROM devices WHERE token_hash = \(hash)").first,
                  let status = DeviceStatus(rawValue: try row.decode("status"))
            else { throw APIError.unauthorized("unknown or revoked device token") }
            return (.device(id: DeviceID(rawValue: try row.decode("id")), status: status), nil)
        case .enrollment:
            throw APIError.unauthorized("an enrollment token only works in the body of POST /v1/enroll")
        }
    }
}
