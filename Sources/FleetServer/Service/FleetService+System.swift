import Foundation
import FleetCore
import FleetHTTP
import FleetJSON
import FleetPostgres

extension FleetService {
    func readiness() -> Response {
        do {
            try pool.query("SELECT 1")
            return Reply.response(["status": "ready"])
        } catch {
            var problem = APIError.unavailable("the database is unreachable")
            problem.headers = [("Retry-After", "1")]
            return Reply.problem(problem)
        }
    }

    func metricsText(heldLongPolls: Int) -> Response {
        let stats = pool.stats
        let text = metrics.render(gauges: [
            ("fleet_longpolls_held", "long-polls currently suspended", Double(heldLongPolls)),
            ("fleet_longpoll_waiters", "executors registered for wake-ups", Double(waiters.count)),
            ("fleet_db_connections_open", "database connections open", Double(stats.open)),
            ("fleet_db_connections_idle", "database connections idle", Double(stats.idle)),
            ("fleet_db_waiting_requests", "requests waiting for a database connection", Double(stats.waiting)),
            ("fleet_uptime_seconds", "seconds since start", Date().timeIntervalSince(startedAt)),
        ])
        return Response(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4")], body: Array(text.utf8))
    }

    func openAPI() -> Response {
        Response(status: 200, headers: [("Content-Type", "application/yaml")], body: openAPIDocument)
    }

    func listAudit(_ context: RequestContext) throws -> HandlerResult {
        let limit = try context.queryInt("limit", range: 1...PageLimit.maximum) ?? PageLimit.default
        var conditions: [Query] = ["true"]
        if let text = context.request.query["cursor"], !text.isEmpty {
            guard let cursor = Cursor(encoded: text, arity: 1), let before = Int64(cursor.values[0]) else {
                throw APIError.badRequest("invalid cursor: pass back the next_cursor of a previous page unchanged")
            }
            conditions.append("id < \(before)")
        }
        for (parameter, column) in [("action", "action"), ("target_id", "target_id"), ("target_type", "target_type"), ("actor", "actor")] {
            if let value = context.request.query[parameter], !value.isEmpty { conditions.append("\(unsafeSQL: column) = \(value)") }
        }
        let rows = try pool.query("""
            SELECT id, at, actor, actor_role, action, target_type, target_id, details FROM audit_log
            WHERE \(Query.joined(conditions, separator: " AND ")) ORDER BY id DESC LIMIT \(limit + 1)
            """).rows
        let items: [JSON] = try rows.prefix(limit).map { row in
            [
                "id": .int(try row.decode("id")), "at": (try row.decode("at", as: Date.self)).json,
                "actor": .string(try row.decode("actor")), "actor_role": .string(try row.decode("actor_role")),
                "action": .string(try row.decode("action")), "target_type": .string(try row.decode("target_type")),
                "target_id": (try row.decodeIfPresent("target_id", as: String.self)).json,
                "details": try JSON.parse(try row.decode("details", as: String.self)),
            ]
        }
        let next: JSON = rows.count > limit ? .string(Cursor([String(items.last!["id"]!.int64Value!)]).encoded) : .null
        return Reply.json(["items": .array(items), "next_cursor": next])
    }
}
