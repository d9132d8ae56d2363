import Foundation
import FleetCore
import FleetHTTP
import FleetJSON
import FleetPostgres

/// Holds: one device kept on an earlier revision of one policy while the rest of its devices move on. A held
/// device sees the policy as it was at that revision, selector included, until the hold is released.
extension FleetService {
    private static let holdColumns: Query = "h.policy, h.device_id, d.name AS device_name, h.revision, h.created_at, h.created_by"

    private static func holdJSON(_ row: Row) throws -> JSON {
        [
            "policy": .string(try row.decode("policy")),
            "device_id": .string(try row.decode("device_id", as: UUID.self).uuidString.lowercased()),
            "device_name": .string(try row.decode("device_name")),
            "revision": .int(Int64(try row.decode("revision", as: Int.self))),
            "created_at": (try row.decode("created_at", as: Date.self)).json,
            "created_by": (try row.decodeIfPresent("created_by", as: String.self)).json,
        ]
    }

    /// The device id a page of a policy's devices continues after (`?cursor=`), if any.
    static func deviceCursor(_ context: RequestContext) throws -> UUID? {
        guard let text = context.request.query["cursor"], !text.isEmpty else { return nil }
        guard let cursor = Cursor(encoded: text, arity: 1), let id = UUID(uuidString: cursor.values[0]) else {
            throw APIError.badRequest("invalid cursor: pass back the next_cursor of a previous page unchanged")
        }
        return id
    }

    /// `GET /v1/policies/{name}/holds`: by device id, paginated.
    func listPolicyHolds(_ context: RequestContext) throws -> HandlerResult {
        let name = try policyName(context)
        let limit = try context.queryInt("limit", range: 1...PageLimit.maximum) ?? PageLimit.default
        let after = try Self.deviceCursor(context)
        let rows = try pool.withConnection { connection -> [Row] in
            guard try PolicyStore.get(name, on: connection) != nil else { throw APIError.notFound("policy \(name) does not exist") }
            return try connection.query("""
                SELECT \(Self.holdColumns) FROM policy_holds h JOIN devices d ON d.id = h.device_id
                WHERE h.policy = \(name) AND (\(after)::uuid IS NULL OR h.device_id > \(after))
                ORDER BY h.device_id LIMIT \(limit + 1)
                """).rows
        }
        let next: JSON = rows.count > limit
            ? .string(Cursor([try rows[limit - 1].decode("device_id", as: UUID.self).uuidString.lowercased()]).encoded) : .null
        return Reply.json(["items": .array(try rows.prefix(limit).map(Self.holdJSON)), "next_cursor": next])
    }

    /// `PUT /v1/policies/{name}/holds/{device_id}` with `{"revision": N}`: holds the device on revision N (which
    /// may be the current one, so that it stays there when the next revision comes) and renders it again.
    func putPolicyHold(_ context: RequestContext) throws -> HandlerResult {
        let name = try policyName(context)
        let device: DeviceID = try context.id("device_id")
        var body = try context.body()
        let revision: Int = try body.require("revision")
        try body.finish()
        guard revision >= 1 else { throw APIError.unprocessable("revision: must be a revision number (1 or more), got \(revision)") }
        let (row, created) = try pool.transaction { connection -> (Row, Bool) in
            // Serialised with bulk renderings, which would otherwise store a rendering made before the hold.
            try connection.query("SELECT pg_advisory_xact_lock(\(DesiredStore.renderLockKey))")
            guard try PolicyStore.get(name, on: connection) != nil else { throw APIError.notFound("policy \(name) does not exist") }
            guard try connection.query("SELECT 1 FROM devices WHERE id = \(device.rawValue)").first != nil else {
                throw APIError.notFound("device \(device) does not exist")
            }
            guard try connection.query("SELECT 1 FROM policy_revisions WHERE policy = \(name) AND revision = \(revision)").first != nil else {
                throw APIError.unprocessable("revision: policy \(name) has no revision \(revision)")
            }
            let previous: Int? = try connection.query("""
                SELECT revision FROM policy_holds WHERE policy = \(name) AND device_id = \(device.rawValue) FOR UPDATE
                """).first?.decode("revision")
            if previous != revision {
                try connection.query("""
                    INSERT INTO policy_holds (policy, device_id, revision, created_by)
                    VALUES (\(name), \(device.rawValue), \(revision), \(context.principal.actor))
                    ON CONFLICT (policy, device_id) DO UPDATE SET revision = EXCLUDED.revision, created_at = now(), created_by = EXCLUDED.created_by
                    """)
                try AuditLog.record(connection, actor: context.principal, action: "policy.hold", targetType: "policy", targetID: name,
                                    details: ["device_id": device.json, "revision": .int(Int64(revision)),
                                              "previous_revision": previous.map { .int(Int64($0)) } ?? .null])
                try DesiredStore.renderDevice(device, on: connection)
            }
            let row = try connection.query("""
                SELECT \(Self.holdColumns) FROM policy_holds h JOIN devices d ON d.id = h.device_id
                WHERE h.policy = \(name) AND h.device_id = \(device.rawValue)
                """).first!
            return (row, previous == nil)
        }
        return Reply.json(try Self.holdJSON(row), status: created ? 201 : 200)
    }

    /// `DELETE /v1/policies/{name}/holds/{device_id}`: the device moves to the policy's current revision.
    func deletePolicyHold(_ context: RequestContext) throws -> HandlerResult {
        let name = try policyName(context)
        let device: DeviceID = try context.id("device_id")
        try pool.transaction { connection in
            try connection.query("SELECT pg_advisory_xact_lock(\(DesiredStore.renderLockKey))")
            guard let revision: Int = try connection.query("""
                DELETE FROM policy_holds WHERE policy = \(name) AND device_id = \(device.rawValue) RETURNING revision
                """).first?.decode("revision") else {
                throw APIError.notFound("device \(device) is not held on policy \(name)")
            }
            try AuditLog.record(connection, actor: context.principal, action: "policy.release", targetType: "policy", targetID: name,
                                details: ["device_id": device.json, "revision": .int(Int64(revision))])
            try DesiredStore.renderDevice(device, on: connection)
        }
        return Reply.noContent()
    }
}
