import Foundation
import FleetCore
import FleetHTTP
import FleetJSON
import FleetPostgres

extension FleetService {
    static let tokenColumns: Query = "id, name, role, token_prefix, created_by, created_at, expires_at, revoked_at, last_used_at"

    static func tokenJSON(_ row: Row) throws -> JSON {
        [
            "id": .string(try row.decode("id", as: UUID.self).uuidString.lowercased()),
            "name": .string(try row.decode("name")), "role": .string(try row.decode("role")),
            "token_prefix": .string(try row.decode("token_prefix")),
            "created_by": (try row.decodeIfPresent("created_by", as: String.self)).json,
            "created_at": (try row.decode("created_at", as: Date.self)).json,
            "expires_at": (try row.decodeIfPresent("expires_at", as: Date.self)).json,
            "revoked_at": (try row.decodeIfPresent("revoked_at", as: Date.self)).json,
            "last_used_at": (try row.decodeIfPresent("last_used_at", as: Date.self)).json,
        ]
    }

    func createToken(_ context: RequestContext) throws -> HandlerResult {
        var body = try context.body()
        let name: String = try body.require("name")
        let role: Role = try body.require("role")
        let expiresIn = try Seconds.check(try body.optional("expires_in_seconds"), field: "expires_in_seconds", range: 1...(10 * 365 * 86400))
        try body.finish()
        guard !name.isEmpty, name.count <= 200 else { throw JSONError(path: "name", message: "must be 1 to 200 characters") }
        let (secret, json) = try Self.insertToken(pool: pool, name: name, role: role, expiresIn: expiresIn, createdBy: context.principal.actor) { connection, id in
            try AuditLog.record(connection, actor: context.principal, action: "token.create", targetType: "token",
                                targetID: id.description, details: ["name": .string(name), "role": .string(role.rawValue)])
        }
        guard case .object(var members) = json else { return Reply.json(json, status: 201) }
        members["token"] = .string(secret.text)
        return Reply.json(.object(members), status: 201)
    }

    /// Inserts an API token; also used offline by `fleet-server token create` and for the first admin token.
    static func insertToken(pool: PostgresPool, name: String, role: Role, expiresIn: Int?, createdBy: String,
                            audit: (PostgresConnection, TokenID) throws -> Void) throws -> (TokenSecret, JSON) {
        let secret = TokenSecret.generate(.api)
        let id = TokenID.random()
        let expiresAt = expiresIn.map { Date().addingTimeInterval(Double($0)) }
        let row = try pool.transaction { connection -> Row in
            let row = try connection.query("""
                INSERT INTO api_tokens (id, name, role, token_hash, token_prefix, created_by, expires_at)
                VALUES (\(id.rawValue), \(name), \(role.rawValue), \(TokenHash.digest(secret)), \(secret.displayPrefix), \(createdBy), \(expiresAt))
                RETURNING \(tokenColumns)
                """).first!
            try audit(connection, id)
            return row
        }
        return (secret, try tokenJSON(row))
    }

    func listTokens(_ context: RequestContext) throws -> HandlerResult {
        let (limit, cursor) = try context.pagination(cursorArity: 2)
        let after: Query = cursor.flatMap { c in UUID(uuidString: c.values[1]).map { "WHERE (created_at, id) > (\(c.values[0])::timestamptz, \($0))" } } ?? ""
        let rows = try pool.query("SELECT \(Self.tokenColumns) FROM api_tokens \(after) ORDER BY created_at, id LIMIT \(limit + 1)").rows
        return try Self.page(rows, limit: limit, render: Self.tokenJSON)
    }

    func revokeToken(_ context: RequestContext) throws -> HandlerResult {
        let id: TokenID = try context.id("id")
        try pool.transaction { connection in
            guard let row = try connection.query("SELECT revoked_at FROM api_tokens WHERE id = \(id.rawValue) FOR UPDATE").first else {
                throw APIError.notFound("token \(id) does not exist")
            }
            guard try row.decodeIfPresent("revoked_at", as: Date.self) == nil else { return }
            try connection.query("UPDATE api_tokens SET revoked_at = now() WHERE id = \(id.rawValue)")
            try AuditLog.record(connection, actor: context.principal, action: "token.revoke", targetType: "token", targetID: id.description)
            try invalidateCredentials(on: connection)
        }
        return Reply.noContent()
    }

    /// A page of rows ordered by (created_at, id), with the cursor of the last one.
    static func page(_ rows: [Row], limit: Int, render: (Row) throws -> JSON) throws -> HandlerResult {
        let items = try rows.prefix(limit).map(render)
        var next: JSON = .null
        if rows.count > limit, let last = rows.prefix(limit).last {
            next = .string(Cursor([Timestamp.format(try last.decode("created_at")), try last.decode("id", as: UUID.self).uuidString]).encoded)
        }
        return Reply.json(["items": .array(items), "next_cursor": next])
    }
}
