import Foundation
import FleetCore
import FleetHTTP
import FleetJSON
import FleetPostgres

extension FleetService {
    func listDevices(_ context: RequestContext) throws -> HandlerResult {
        let (limit, cursor) = try context.pagination(cursorArity: 1)
        var filter = DeviceStore.Filter()
        if let text = context.request.query["selector"] {
            do { filter.selector = try LabelSelector(parsing: text) } catch let error as LabelSelectorError {
                throw APIError.badRequest(error.description)
            }
        }
        if let text = context.request.query["status"], !text.isEmpty {
            guard let status = DeviceStatus(rawValue: text) else {
                throw APIError.badRequest("unknown status '\(text)': use active, pending, rejected or decommissioned")
            }
            filter.status = status
        }
        filter.online = try context.queryBool("online")
        if let name = context.request.query["name"], !name.isEmpty { filter.name = name }
        return Reply.json(try devices.list(filter, limit: limit, after: cursor).json)
    }

    func getDevice(_ context: RequestContext) throws -> HandlerResult {
        let id: DeviceID = try context.id("id")
        guard let device = try devices.get(id) else { throw APIError.notFound("device \(id) does not exist") }
        return Reply.json(device.json)
    }

    /// Merge patch of `name` and `labels`; a label set to null is removed.
    func patchDevice(_ context: RequestContext) throws -> HandlerResult {
        let id: DeviceID = try context.id("id")
        var body = try context.body()
        let name: String? = try body.optional("name")
        var setLabels: [String: String] = [:]
        var removeLabels: [String] = []
        if let labels = body.raw("labels"), !labels.isNull {
            guard case .object(let members) = labels else { throw JSONError.typeMismatch("labels", expected: "object", got: labels) }
            for (key, value) in members {
                switch value {
                case .null: removeLabels.append(key)
                case .string(let text): setLabels[key] = text
                default: throw JSONError.typeMismatch("labels.\(key)", expected: "string or null", got: value)
                }
            }
            try Labels.validate(setLabels, path: "labels")
            if let bad = removeLabels.first(where: { !Labels.isValidKey($0) }) {
                throw JSONError(path: "labels", message: "invalid label key '\(bad)'")
            }
        }
        try body.finish()
        if let name, name.isEmpty || name.count > 200 { throw JSONError(path: "name", message: "must be 1 to 200 characters") }
        let device = try pool.transaction { connection -> Device in
            _ = try devices.lock(id, on: connection)
            try connection.query("""
                UPDATE devices SET name = coalesce(\(name), name),
                    labels = (labels || \(setLabels.json.serialized())::jsonb) - \(removeLabels)::text[], updated_at = now()
                WHERE id = \(id.rawValue)
                """)
            try AuditLog.record(connection, actor: context.principal, action: "device.update", targetType: "device", targetID: id.description,
                                details: ["name": name.json, "labels_set": setLabels.json, "labels_removed": removeLabels.json])
            if !setLabels.isEmpty || !removeLabels.isEmpty { try DesiredStore.renderDevice(id, on: connection) }
            return try devices.get(id, on: connection)!
        }
        return Reply.json(device.json)
    }

    /// Decommissions: the device keeps its history but loses its credential and its unfinished commands.
    func decommissionDevice(_ context: RequestContext) throws -> HandlerResult {
        try changeStatus(context, to: .decommissioned, action: "device.decommission", allowedFrom: [.active, .pending, .rejected, .decommissioned])
        return Reply.noContent()
    }

    func approveDevice(_ context: RequestContext) throws -> HandlerResult {
        Reply.json(try changeStatus(context, to: .active, action: "device.approve", allowedFrom: [.pending, .rejected, .active]).json)
    }

    func rejectDevice(_ context: RequestContext) throws -> HandlerResult {
        Reply.json(try changeStatus(context, to: .rejected, action: "device.reject", allowedFrom: [.pending, .active, .rejected]).json)
    }

    @discardableResult
    private func changeStatus(_ context: RequestContext, to status: DeviceStatus, action: String,
                              allowedFrom: Set<DeviceStatus>) throws -> Device {
        let id: DeviceID = try context.id("id")
        return try pool.transaction { connection -> Device in
            let previous = try devices.lock(id, on: connection)
            guard allowedFrom.contains(previous) else {
                throw APIError.conflict("device \(id) is \(previous.rawValue) and cannot become \(status.rawValue)")
            }
            if previous != status {
                let revoke = status == .decommissioned || status == .rejected
                try connection.query("""
                    UPDATE devices SET status = \(status.rawValue), updated_at = now(),
                        token_hash = CASE WHEN \(revoke) THEN NULL ELSE token_hash END
                    WHERE id = \(id.rawValue)
                    """)
                if revoke {
                    try CommandStore.cancelUnfinished(of: id, reason: "device \(status.rawValue)", on: connection)
                }
                try AuditLog.record(connection, actor: context.principal, action: action, targetType: "device", targetID: id.description,
                                    details: ["from": .string(previous.rawValue), "to": .string(status.rawValue)])
                try invalidateCredentials(on: connection)
                try Self.notifyDevice(id, on: connection)
                try DesiredStore.renderDevice(id, on: connection)
            }
            return try devices.get(id, on: connection)!
        }
    }
}
