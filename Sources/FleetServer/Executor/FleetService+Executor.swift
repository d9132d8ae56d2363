import Foundation
import FleetCore
import FleetHTTP
import FleetJSON
import FleetPostgres

extension FleetService {
    static let maximumWaitSeconds = 60
    static let commandsPerPoll = 100

    /// The calling device; pending devices may only heartbeat and report.
    func device(_ context: RequestContext, requireActive: Bool) throws -> DeviceID {
        guard case .device(let id, let status) = context.principal else {
            throw APIError.forbidden("executor endpoints take a device token")
        }
        if requireActive && status != .active {
            throw APIError.forbidden("device \(id) is \(status.rawValue); an operator must approve it first")
        }
        return id
    }

    func heartbeat(_ context: RequestContext) throws -> HandlerResult {
        let id = try device(context, requireActive: false)
        var body = try context.optionalBody()
        let inventory = body.raw("inventory")
        try body.finish()
        if let inventory, !inventory.isNull {
            guard case .object = inventory else { throw JSONError.typeMismatch("inventory", expected: "object", got: inventory) }
            try pool.query("""
                UPDATE devices SET inventory = \(inventory.serialized())::jsonb, updated_at = now()
                WHERE id = \(id.rawValue) AND inventory IS DISTINCT FROM \(inventory.serialized())::jsonb
                """)
        }
        presence.record(id)
        metrics.increment("fleet_heartbeats_total")
        guard case .device(_, let status) = context.principal else { throw APIError.forbidden("device token required") }
        let revision = try desiredRevisions.revision(of: id) { try pool.withConnection { try DesiredStore.revision(of: id, on: $0) } }
        return Reply.json([
            "server_time": Date().json, "heartbeat_interval_seconds": .int(Int64(heartbeatInterval)), "status": status.json,
            "desired_revision": .string(revision),
        ])
    }

    /// `GET /v1/executor/commands?wait=N`: answers at once when commands are queued, otherwise holds the
    /// connection suspended (no thread, no database connection) until a notification or the deadline.
    func pollCommands(_ context: RequestContext) throws -> HandlerResult {
        let id = try device(context, requireActive: true)
        let wait = try context.queryInt("wait", range: 0...Self.maximumWaitSeconds) ?? 0
        presence.record(id)
        let waiter = waiters.register(id, supersede: wait > 0)
        let claim: @Sendable () throws -> [Command] = { [pool] in
            try pool.withConnection { try CommandStore.claim(for: id, limit: Self.commandsPerPoll, on: $0) }
        }
        let items: [Command]
        do { items = try claim() } catch {
            waiters.remove(waiter)
            throw error
        }
        if !items.isEmpty || wait == 0 {
            waiters.remove(waiter)
            return .respond(Self.commandList(items))
        }
        let deadline = ContinuousClock.now.advanced(by: .seconds(wait))
        return .suspend(LongPoll(
            deadline: deadline,
            register: { waiter.attach($0) },
            poll: {
                if waiter.isSuperseded { return Self.commandList([]) }
                do {
                    let items = try claim()
                    guard !items.isEmpty else { return nil }
                    return Self.commandList(items)
                } catch {
                    return Reply.problem(APIError.from(error))
                }
            },
            timeout: { Self.commandList([]) },
            finished: { [waiters] in waiters.remove(waiter) }))
    }

    private static func commandList(_ commands: [Command]) -> Response {
        Reply.response(["items": .array(commands.map(\.json))])
    }

    func reportCommandStatus(_ context: RequestContext) throws -> HandlerResult {
        let deviceID = try device(context, requireActive: false)
        let commandID: CommandID = try context.id("id")
        var body = try context.body()
        let state: CommandState = try body.require("state")
        guard [.running, .succeeded, .failed, .rejected].contains(state) else {
            throw JSONError(path: "state", message: "an executor reports running, succeeded, failed or rejected, not \(state.rawValue)")
        }
        let result = body.raw("result")
        let error: String? = try body.optional("error")
        try body.finish()
        let command = try pool.transaction { connection -> Command in
            guard let command = try CommandStore.get(commandID, on: connection, lock: true), command.deviceID == deviceID else {
                throw APIError.notFound("command \(commandID) does not exist")
            }
            let (updated, changed) = try CommandStore.apply(.report(state), to: command, result: result.flatMap { $0.isNull ? nil : $0 },
                                                           error: error, on: connection)
            if changed {
                try AuditLog.record(connection, actor: context.principal, action: "command.\(state.rawValue)", targetType: "command",
                                    targetID: commandID.description)
            }
            return updated
        }
        return Reply.json(command.json)
    }
}
