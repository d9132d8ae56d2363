import Foundation
import FleetCore
import FleetPostgres

/// API tokens made outside the API: the first admin token and `fleet-server token create`.
public enum AdminToken {
    /// Creates a token directly in the database and returns its secret.
    public static func create(conninfo: String, role: Role, name: String, expiresIn: Int? = nil) throws -> String {
        let pool = PostgresPool(conninfo: conninfo, size: 1)
        defer { pool.close() }
        let (secret, _) = try FleetService.insertToken(pool: pool, name: name, role: role, expiresIn: expiresIn, createdBy: "fleet-server") { connection, id in
            try AuditLog.record(connection, actorName: "fleet-server (local)", role: "admin", action: "token.create",
                                targetType: "token", targetID: id.description, details: ["name": .string(name), "role": .string(role.rawValue)])
        }
        return secret.text
    }

    /// On a database without any API token, creates an admin token and writes it to `file` (mode 0600).
    /// Returns the secret when one was made. Replicas starting together make at most one.
    public static func bootstrapIfNeeded(conninfo: String, file: URL) throws -> String? {
        let connection = try PostgresConnection(conninfo: conninfo)
        defer { connection.close() }
        let secret = try connection.transaction { connection -> TokenSecret? in
            try connection.query("SELECT pg_advisory_xact_lock(7243001)")
            guard try connection.query("SELECT 1 FROM api_tokens LIMIT 1").first == nil else { return nil }
            let secret = TokenSecret.generate(.api)
            let id = TokenID.random()
            try connection.query("""
                INSERT INTO api_tokens (id, name, role, token_hash, token_prefix, created_by)
                VALUES (\(id.rawValue), 'admin', 'admin', \(TokenHash.digest(secret)), \(secret.displayPrefix), 'fleet-server (first start)')
                """)
            try AuditLog.record(connection, actorName: "fleet-server (first start)", role: "admin", action: "token.create",
                                targetType: "token", targetID: id.description, details: ["name": "admin", "role": "admin"])
            try write(secret.text + "\n", to: file)
            return secret
        }
        return secret?.text
    }

    private static func write(_ text: String, to file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(file.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: file.path]) }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let bytes = Array(text.utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
    }
}
