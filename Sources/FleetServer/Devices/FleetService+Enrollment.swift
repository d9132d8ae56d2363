import Foundation
import FleetCore
import FleetHTTP
import FleetJSON
import FleetPostgres

extension FleetService {
    static let enrollmentTokenColumns: Query = "id, name, token_prefix, labels, max_uses, uses, auto_approve, created_by, created_at, expires_at, revoked_at"

    static func enrollmentTokenJSON(_ row: Row) throws -> JSON {
        [
            "id": .string(try row.decode("id", as: UUID.self).uuidString.lowercased()),
            "name": .string(try row.decode("name")), "token_prefix": .string(try row.decode("token_prefix")),
            "labels": try JSON.parse(try row.decode("labels", as: String.self)),
            "max_uses": (try row.decodeIfPresent("max_uses", as: Int.self)).map { .int(Int64($0)) } ?? .null,
            "uses": .int(Int64(try row.decode("uses", as: Int.self))),
            "auto_approve": .bool(try row.decode("auto_approve")),
            "created_by": (try row.decodeIfPresent("created_by", as: String.self)).json,
            "created_at": (try row.decode("created_at", as: Date.self)).json,
            "expires_at": (try row.decodeIfPresent("expires_at", as: Date.self)).json,
            "revoked_at": (try row.decodeIfPresent("revoked_at", as: Date.self)).json,
        ]
    }

    func createEnrollmentToken(_ context: RequestContext) throws -> HandlerResult {
        var body = try context.optionalBody()
        let name: String = try body.optional("name") ?? "enrollment"
        let labels = try body.raw("labels").flatMap { $0.isNull ? nil : try Labels.decode($0, path: "labels") } ?? [:]
        let maxUses: Int? = try body.optional("max_uses")
        let expiresIn = try Seconds.check(try body.optional("expires_in_seconds"), field: "expires_in_seconds", range: 1...(10 * 365 * 86400))
        let autoApprove: Bool = try body.optional("auto_approve") ?? false
        try body.finish()
        if let maxUses, !(1...Int(Int32.max)).contains(maxUses) { throw JSONError(path: "max_uses", message: "must be between 1 and \(Int32.max)") }
        guard !name.isEmpty, name.count <= 200 else { throw JSONError(path: "name", message: "must be 1 to 200 characters") }

        let secret = TokenSecret.generate(.enrollment)
        let id = EnrollmentTokenID.random()
        let expiresAt = expiresIn.map { Date().addingTimeInterval(Double($0)) }
        let row = try pool.transaction { connection -> Row in
            let row = try connection.query("""
                INSERT INTO enrollment_tokens (id, name, token_hash, token_prefix, labels, max_uses, auto_approve, created_by, expires_at)
                VALUES (\(id.rawValue), \(name), \(TokenHash.digest(secret)), \(secret.displayPrefix), \(labels.json.serialized())::jsonb,
                        \(maxUses), \(autoApprove), \(context.principal.actor), \(expiresAt))
                RETURNING \(Self.enrollmentTokenColumns)
                """).first!
            try AuditLog.record(connection, actor: context.principal, action: "enrollment_token.create", targetType: "enrollment_token",
                                targetID: id.description, details: ["name": .string(name), "auto_approve": .bool(autoApprove)])
            return row
        }
        guard case .object(var members) = try Self.enrollmentTokenJSON(row) else { throw APIError.badRequest("unreachable") }
        members["token"] = .string(secret.text)
        return Reply.json(.object(members), status: 201)
    }

    func listEnrollmentTokens(_ context: RequestContext) throws -> HandlerResult {
        let (limit, cursor) = try context.pagination(cursorArity: 2)
        let after: Query = cursor.flatMap { c in UUID(uuidString: c.values[1]).map { "WHERE (created_at, id) > (\(c.values[0])::timestamptz, \($0))" } } ?? ""
        let rows = try pool.query("SELECT \(Self.enrollmentTokenColumns) FROM enrollment_tokens \(after) ORDER BY created_at, id LIMIT \(limit + 1)").rows
        return try Self.page(rows, limit: limit, render: Self.enrollmentTokenJSON)
    }

    func revokeEnrollmentToken(_ context: RequestContext) throws -> HandlerResult {
        let id: EnrollmentTokenID = try context.id("id")
        try pool.transaction { connection in
            guard let row = try connection.query("SELECT revoked_at FROM enrollment_tokens WHERE id = \(id.rawValue) FOR UPDATE").first else {
                throw APIError.notFound("enrollment token \(id) does not exist")
            }
            guard try row.decodeIfPresent("revoked_at", as: Date.self) == nil else { return }
            try connection.query("UPDATE enrollment_tokens SET revoked_at = now() WHERE id = \(id.rawValue)")
            try AuditLog.record(connection, actor: context.principal, action: "enrollment_token.revoke",
                                targetType: "enrollment_token", targetID: id.description)
        }
        return Reply.noContent()
    }

    /// `POST /v1/enroll`: the enrolment token travels in the body. The same hardware id again rotates the
    /// device credential and keeps the device id.
    func enroll(_ request: Request) throws -> HandlerResult {
        var body = try RequestContext.body(of: request)
        let presented: String = try body.require("enrollment_token")
        let hardwareID: String = try body.require("hardware_id")
        let requestedName: String? = try body.optional("name")
        let inventory = try body.raw("inventory") ?? [:]
        try body.finish()
        guard case .object = inventory else { throw JSONError(path: "inventory", message: "expected object, got \(inventory.typeName)") }
        guard !hardwareID.isEmpty, hardwareID.count <= 256 else { throw JSONError(path: "hardware_id", message: "must be 1 to 256 characters") }
        if let requestedName, requestedName.isEmpty || requestedName.count > 200 {
            throw JSONError(path: "name", message: "must be 1 to 200 characters")
        }
        guard let secret = TokenSecret(parsing: presented), secret.kind == .enrollment else {
            throw APIError.unauthorized("invalid enrollment token")
        }
        let deviceSecret = TokenSecret.generate(.device)
        let (id, status, created) = try pool.transaction { connection -> (DeviceID, DeviceStatus, Bool) in
            guard let token = try connection.query("""
                SELECT id, labels, max_uses, uses, auto_approve, revoked_at, expires_at <= now() AS expired
                FROM enrollment_tokens WHERE token_hash = \(TokenHash.digest(secret)) FOR UPDATE
                """).first else { throw APIError.unauthorized("unknown enrollment token") }
            if try token.decodeIfPresent("revoked_at", as: Date.self) != nil { throw APIError.unauthorized("enrollment token has been revoked") }
            if try token.decodeIfPresent("expired", as: Bool.self) == true { throw APIError.unauthorized("enrollment token has expired") }
            if let max = try token.decodeIfPresent("max_uses", as: Int.self), try token.decode("uses", as: Int.self) >= max {
                throw APIError.unauthorized("enrollment token has been used up (\(max) uses)")
            }
            let tokenID: UUID = try token.decode("id")
            let autoApprove: Bool = try token.decode("auto_approve")
            let labels: String = try token.decode("labels")
            try connection.query("UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = \(tokenID)")

            let existing = try connection.query("SELECT id, status FROM devices WHERE hardware_id = \(hardwareID) FOR UPDATE").first
            let id: DeviceID
            let status: DeviceStatus
            if let existing {
                id = DeviceID(rawValue: try existing.decode("id"))
                let previous = DeviceStatus(rawValue: try existing.decode("status")) ?? .pending
                switch previous {
                case .rejected: throw APIError.forbidden("device with hardware id '\(hardwareID)' was rejected; an operator must approve it first")
                case .active: status = .active
                case .pending, .decommissioned: status = autoApprove ? .active : .pending
                }
                try connection.query("""
                    UPDATE devices SET token_hash = \(TokenHash.digest(deviceSecret)), status = \(status.rawValue),
                        name = coalesce(\(requestedName), name), inventory = \(inventory.serialized())::jsonb,
                        labels = \(labels)::jsonb || labels,
                        enrollment_token_id = \(tokenID), updated_at = now()
                    WHERE id = \(id.rawValue)
                    """)
            } else {
                id = DeviceID.random()
                status = autoApprove ? .active : .pending
                try connection.query("""
                    INSERT INTO devices (id, name, hardware_id, labels, status, inventory, token_hash, enrollment_token_id)
                    VALUES (\(id.rawValue), \(requestedName ?? hardwareID), \(hardwareID), \(labels)::jsonb, \(status.rawValue),
                            \(inventory.serialized())::jsonb, \(TokenHash.digest(deviceSecret)), \(tokenID))
                    """)
            }
            try AuditLog.record(connection, actorName: "enrollment_token:\(tokenID.uuidString.lowercased())", role: "enrollment",
                                action: existing == nil ? "device.enroll" : "device.reenroll", targetType: "device",
                                targetID: id.description, details: ["hardware_id": .string(hardwareID), "status": .string(status.rawValue)])
            if existing != nil { try invalidateCredentials(on: connection) }
            if existing == nil { try DesiredStore.renderDevice(id, on: connection) }
            return (id, status, existing == nil)
        }
        return Reply.json(["device_id": id.json, "device_token": .string(deviceSecret.text), "status": status.json],
                          status: created ? 201 : 200)
    }
}
