import Foundation
import FleetCore
import FleetJSON
import FleetPostgres

/// Commands in PostgreSQL. Every state change goes through `CommandLifecycle`.
enum CommandStore {
    static let columns: Query = "id, device_id, type, payload, state, result, error, idempotency_key, created_at, delivered_at, finished_at, expires_at"

    /// How long a delivered command may stay unacknowledged before it is handed out again (at-least-once).
    static let redeliveryAfterSeconds = 60

    static func command(from row: Row) throws -> Command {
        Command(
            id: CommandID(rawValue: try row.decode("id")), deviceID: DeviceID(rawValue: try row.decode("device_id")),
            type: try row.decode("type"), payload: try JSON.parse(try row.decode("payload", as: String.self)),
            state: CommandState(rawValue: try row.decode("state")) ?? .queued,
            result: try row.decodeIfPresent("result", as: String.self).map { try JSON.parse($0) },
            error: try row.decodeIfPresent("error"), idempotencyKey: try row.decodeIfPresent("idempotency_key"),
            createdAt: try row.decode("created_at"), deliveredAt: try row.decodeIfPresent("delivered_at"),
            finishedAt: try row.decodeIfPresent("finished_at"), expiresAt: try row.decode("expires_at"))
    }

    static func get(_ id: CommandID, on connection: PostgresConnection, lock: Bool = false) throws -> Command? {
        try connection.query("SELECT \(columns) FROM commands WHERE id = \(id.rawValue) \(unsafeSQL: lock ? "FOR UPDATE" : "")")
            .first.map(command(from:))
    }

    /// Hands out queued commands (and delivered ones nobody acknowledged in time) and marks them delivered.
    ///
    /// The commit does not wait for the WAL flush: should PostgreSQL lose the `delivered` mark in a crash,
    /// the command is simply handed out again, which at-least-once delivery allows (executors deduplicate).
    /// That keeps an fsync out of every delivery's latency.
    static func claim(for device: DeviceID, limit: Int, on connection: PostgresConnection) throws -> [Command] {
        try connection.transaction { connection in
            try connection.query("SET LOCAL synchronous_commit TO off")
            return try claimStatement(for: device, limit: limit, on: connection)
        }
    }

    private static func claimStatement(for device: DeviceID, limit: Int, on connection: PostgresConnection) throws -> [Command] {
        try connection.query("""
            UPDATE commands SET state = 'delivered', delivered_at = now()
            WHERE id IN (
                SELECT id FROM commands
                WHERE device_id = \(device.rawValue) AND expires_at > now()
                  AND (state = 'queued' OR (state = 'delivered' AND delivered_at < now() - make_interval(secs => \(redeliveryAfterSeconds))))
                ORDER BY created_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING \(columns)
            """).rows.map(command(from:)).sorted { $0.createdAt < $1.createdAt }
    }

    /// Moves every queued or delivered command past its TTL to `expired`, notifying each. Returns how many.
    static func expireOverdue(on connection: PostgresConnection) throws -> Int {
        try connection.query("""
            WITH expired AS (
                UPDATE commands SET state = 'expired', finished_at = now(), error = 'not delivered and started before its TTL ran out'
                WHERE state IN ('queued', 'delivered') AND expires_at <= now()
                RETURNING id)
            SELECT pg_notify('fleet_command', id::text) FROM expired
            """).rows.count
    }

    /// Cancels a device's unfinished commands (it was rejected or decommissioned), notifying each.
    static func cancelUnfinished(of device: DeviceID, reason: String, on connection: PostgresConnection) throws {
        try connection.query("""
            WITH canceled AS (
                UPDATE commands SET state = 'canceled', finished_at = now(), error = \(reason)
                WHERE device_id = \(device.rawValue) AND state IN ('queued', 'delivered', 'running')
                RETURNING id)
            SELECT pg_notify('fleet_command', id::text) FROM canceled
            """)
    }

    /// Tells every replica (this one included), at commit, that a command became terminal: its waiting
    /// `GET /v1/commands/{id}?wait=` calls look again.
    static func notifyFinished(_ id: CommandID, on connection: PostgresConnection) throws {
        try connection.query("SELECT pg_notify('fleet_command', \(id.description))")
    }

    /// Applies a lifecycle event to a locked command; returns the command as it now is. A transition to a
    /// terminal state notifies `fleet_command`.
    static func apply(_ event: CommandLifecycle.Event, to command: Command, result: JSON? = nil, error: String? = nil,
                      on connection: PostgresConnection) throws -> (Command, changed: Bool) {
        switch CommandLifecycle.next(command.state, on: event) {
        case .unchanged:
            return (command, false)
        case .refused(let reason):
            throw APIError.conflict(reason)
        case .transition(let state):
            let finished = state.isTerminal
            let row = try connection.query("""
                UPDATE commands SET state = \(state.rawValue),
                    result = coalesce(\(result?.serialized())::jsonb, result), error = coalesce(\(error), error),
                    finished_at = CASE WHEN \(finished) THEN now() ELSE finished_at END
                WHERE id = \(command.id.rawValue) RETURNING \(columns)
                """).first!
            if finished { try notifyFinished(command.id, on: connection) }
            return (try Self.command(from: row), true)
        }
    }
}
