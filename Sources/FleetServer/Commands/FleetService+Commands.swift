import Foundation
import FleetCore
import FleetHTTP
import FleetJSON
import FleetPostgres

extension FleetService {
    static let defaultCommandTTL = 3600
    static let maximumCommandTTL = 30 * 86400

    func createCommand(_ context: RequestContext) throws -> HandlerResult {
        let deviceID: DeviceID = try context.id("id")
        var body = try context.body()
        let type: String = try body.require("type")
        let payload = try body.raw("payload") ?? [:]
        let ttl = try Seconds.check(try body.optional("ttl_seconds"), field: "ttl_seconds", range: 1...Self.maximumCommandTTL) ?? Self.defaultCommandTTL
        let key: String? = try body.optional("idempotency_key")
        try body.finish()
        guard CommandType.isWellFormed(type) else {
            throw JSONError(path: "type", message: "'\(type)' is not a command type: use lower-case dotted names such as program.load")
        }
        if let key, key.isEmpty || key.count > 200 { throw JSONError(path: "idempotency_key", message: "must be 1 to 200 characters") }

        let (command, created) = try pool.transaction { connection -> (Command, Bool) in
            let payload = try Self.resolveModelCommand(type: type, payload: try Self.resolveProgramReference(type: type, payload: payload, on: connection),
                                                       device: deviceID, on: connection)
            let status = try devices.lock(deviceID, on: connection)
            guard status == .active || status == .pending else {
                throw APIError.conflict("device \(deviceID) is \(status.rawValue) and takes no commands")
            }
            if let key, let row = try connection.query("SELECT \(CommandStore.columns) FROM commands WHERE device_id = \(deviceID.rawValue) AND idempotency_key = \(key)").first {
                let existing = try CommandStore.command(from: row)
                guard existing.type == type, existing.payload == payload else {
                    throw APIError.conflict("idempotency key '\(key)' was already used for a different command")
                }
                return (existing, false)
            }
            let id = CommandID.random()
            let row = try connection.query("""
                INSERT INTO commands (id, device_id, type, payload, state, idempotency_key, created_by, expires_at)
                VALUES (\(id.rawValue), \(deviceID.rawValue), \(type), \(payload.serialized())::jsonb, 'queued', \(key),
                        \(context.principal.actor), now() + make_interval(secs => \(ttl)))
                RETURNING \(CommandStore.columns)
                """).first!
            try AuditLog.record(connection, actor: context.principal, action: "command.create", targetType: "command", targetID: id.description,
                                details: ["device_id": deviceID.json, "type": .string(type)])
            try Self.notifyDevice(deviceID, on: connection)
            return (try CommandStore.command(from: row), true)
        }
        if created { metrics.increment("fleet_commands_created_total") }
        return Reply.json(command.json, status: created ? 201 : 200)
    }

    /// `program.load` and `program.replace` name a registered program by `program_id`; the executor, which
    /// holds only a device token, also needs its digest, manifest and signature, so they are filled in here
    /// from the registry (values the operator set explicitly are kept).
    static func resolveProgramReference(type: String, payload: JSON, on connection: PostgresConnection) throws -> JSON {
        guard type == "program.load" || type == "program.replace" else { return payload }
        guard case .object(var members) = payload else {
            throw JSONError(path: "payload", message: "\(type) takes an object with program_id")
        }
        guard let text = members["program_id"]?.stringValue else {
            throw JSONError(path: "payload.program_id", message: "required field is missing")
        }
        guard let id = ProgramID(text) else { throw JSONError(path: "payload.program_id", message: "'\(text)' is not a UUID") }
        guard let row = try ProgramStore.registry.get(id, on: connection) else {
            throw APIError.unprocessable("program \(id) does not exist")
        }
        fillMissing(&members, from: try ProgramStore.registry.json(row), ["sha256", "manifest", "signature", "name"])
        return .object(members)
    }

    /// `GET /v1/commands/{id}?wait=N`: answers at once when the command is terminal or N is 0, otherwise holds
    /// the connection suspended (no thread, no database connection) until a `fleet_command` notification finds
    /// it terminal, or until N seconds have passed, then answers with the command as it is.
    func getCommand(_ context: RequestContext) throws -> HandlerResult {
        let id: CommandID = try context.id("id")
        let wait = try context.queryInt("wait", range: 0...Self.maximumWaitSeconds) ?? 0
        let load: @Sendable () throws -> Command = { [pool] in
            guard let command = try pool.withConnection({ try CommandStore.get(id, on: $0) }) else {
                throw APIError.notFound("command \(id) does not exist")
            }
            return command
        }
        guard wait > 0 else { return Reply.json(try load().json) }
        let waiter = commandWaiters.register(id)
        let command: Command
        do { command = try load() } catch {
            commandWaiters.remove(waiter)
            throw error
        }
        if command.state.isTerminal {
            commandWaiters.remove(waiter)
            return Reply.json(command.json)
        }
        return .suspend(LongPoll(
            deadline: ContinuousClock.now.advanced(by: .seconds(wait)),
            register: { waiter.attach($0) },
            poll: {
                do {
                    let command = try load()
                    return command.state.isTerminal ? Reply.response(command.json) : nil
                } catch {
                    return Reply.problem(APIError.from(error))
                }
            },
            timeout: {
                do { return Reply.response(try load().json) } catch { return Reply.problem(APIError.from(error)) }
            },
            finished: { [commandWaiters] in commandWaiters.remove(waiter) }))
    }

    func listDeviceCommands(_ context: RequestContext) throws -> HandlerResult {
        let deviceID: DeviceID = try context.id("id")
        let (limit, cursor) = try context.pagination(cursorArity: 2)
        var conditions: [Query] = ["device_id = \(deviceID.rawValue)"]
        if let text = context.request.query["state"], !text.isEmpty {
            guard let state = CommandState(rawValue: text) else { throw APIError.badRequest("unknown command state '\(text)'") }
            conditions.append("state = \(state.rawValue)")
        }
        if let cursor, let id = UUID(uuidString: cursor.values[1]) {
            conditions.append("(created_at, id) < (\(cursor.values[0])::timestamptz, \(id))")
        }
        let rows = try pool.withConnection { connection -> [Row] in
            guard try connection.query("SELECT 1 FROM devices WHERE id = \(deviceID.rawValue)").first != nil else {
                throw APIError.notFound("device \(deviceID) does not exist")
            }
            return try connection.query("""
                SELECT \(CommandStore.columns) FROM commands WHERE \(Query.joined(conditions, separator: " AND "))
                ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)
                """).rows
        }
        return try Self.page(rows, limit: limit) { try CommandStore.command(from: $0).json }
    }

    func cancelCommand(_ context: RequestContext) throws -> HandlerResult {
        let id: CommandID = try context.id("id")
        let command = try pool.transaction { connection -> Command in
            guard let command = try CommandStore.get(id, on: connection, lock: true) else {
                throw APIError.notFound("command \(id) does not exist")
            }
            let (updated, changed) = try CommandStore.apply(.cancel, to: command, error: "canceled by \(context.principal.actor)", on: connection)
            if changed {
                try AuditLog.record(connection, actor: context.principal, action: "command.cancel", targetType: "command", targetID: id.description)
                try Self.notifyDevice(command.deviceID, on: connection)
            }
            return updated
        }
        return Reply.json(command.json)
    }

    /// Expires overdue commands; runs every second on every replica (the update is idempotent).
    func expireCommands() {
        do {
            let count = try pool.withConnection { try CommandStore.expireOverdue(on: $0) }
            if count > 0 { metrics.increment("fleet_commands_expired_total", by: Double(count)) }
        } catch {
            metrics.increment("fleet_maintenance_failures_total")
        }
    }
}
