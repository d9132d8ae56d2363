import Foundation
import FleetCore
import FleetHTTP
import FleetJSON
import FleetPostgres

extension FleetService {
    /// `{name}` of a policy route, checked.
    func policyName(_ context: RequestContext) throws -> String {
        let name = context.parameter("name")
        guard PolicyName.isValid(name) else {
            throw APIError.badRequest("'\(name)' is not a policy name: 1 to 63 of a-z, 0-9 and '-', starting and ending with a letter or digit")
        }
        return name
    }

    /// `PUT /v1/policies/{name}`: a new revision when the document changed (201 for a new policy), the same
    /// revision with `changed: false` when it did not; the devices it changes are rendered before the answer.
    /// With `?dry_run=true`, what it would do, storing nothing.
    func putPolicy(_ context: RequestContext) throws -> HandlerResult {
        let name = try policyName(context)
        let dryRun = try context.queryBool("dry_run") ?? false
        guard !context.request.body.isEmpty else { throw APIError.badRequest("request body is required: send the policy document") }
        if let type = context.request.header("content-type"), !type.lowercased().contains("json") {
            throw APIError(status: 415, title: "Unsupported Media Type", detail: "send the policy as application/json, not \(type)")
        }
        let document = try PolicyDocument(json: JSON.parse(context.request.body))

        struct Stored { var policy: PolicyStore.Current; var changed: Bool; var created: Bool }
        if dryRun {
            return try pool.transaction { connection -> HandlerResult in
                let existing = try PolicyStore.get(name, on: connection)
                _ = try PolicyReferences.check(document, on: connection)
                let changed = existing.map { $0.document.json != document.json } ?? true
                let revision = changed ? (existing?.revision ?? 0) + 1 : existing!.revision
                let catalogue = try DesiredCatalogue.load(on: connection).replacing(name, with: document, revision: revision, on: connection)
                let outcome = changed
                    ? try DesiredStore.preview(.policy(name, selector: document.selector), catalogue: catalogue, on: connection)
                    : DesiredStore.Outcome()
                return Reply.json([
                    "name": .string(name), "revision": .int(Int64(revision)), "changed": .bool(changed),
                    "devices_affected": .int(Int64(outcome.changed)), "sample": .array(outcome.sample.prefix(10).map(\.json)),
                    "current": existing.map(\.document.json) ?? .null, "document": document.json,
                ])
            }
        }

        let stored = try pool.transaction { connection -> Stored in
            try PolicyStore.lockName(name, on: connection)
            let existing = try PolicyStore.get(name, on: connection, lock: true)
            let references = try PolicyReferences.check(document, on: connection)
            if let existing, existing.document.json == document.json {
                return Stored(policy: existing, changed: false, created: false)
            }
            let revision = (existing?.revision ?? 0) + 1
            let policy = try PolicyStore.store(name, revision: revision, document: document, references: references,
                                               actor: context.principal.actor, on: connection)
            try AuditLog.record(connection, actor: context.principal, action: existing == nil ? "policy.create" : "policy.update",
                                targetType: "policy", targetID: name,
                                details: ["revision": .int(Int64(revision)), "previous_revision": existing.map { .int(Int64($0.revision)) } ?? .null])
            return Stored(policy: policy, changed: true, created: existing == nil)
        }
        var affected = 0
        if stored.changed {
            affected = try desired.renderPolicy(name, selector: document.selector)?.changed ?? 0
            metrics.increment("fleet_policy_revisions_total")
        }
        guard case .object(var members) = stored.policy.json else { throw APIError.unavailable("policy answer") }
        members["changed"] = .bool(stored.changed)
        members["devices_affected"] = .int(Int64(affected))
        return Reply.json(.object(members), status: stored.created ? 201 : 200)
    }

    /// `GET /v1/policies`: by name, paginated.
    func listPolicies(_ context: RequestContext) throws -> HandlerResult {
        let limit = try context.queryInt("limit", range: 1...PageLimit.maximum) ?? PageLimit.default
        let after = try Self.nameCursor(context)
        let rows = try pool.query("""
            SELECT \(PolicyStore.columns) FROM policies WHERE (\(after)::text IS NULL OR name > \(after))
            ORDER BY name LIMIT \(limit + 1)
            """).rows
        let items = try rows.prefix(limit).map { try PolicyStore.current(from: $0).json }
        let next: JSON = rows.count > limit ? .string(Cursor([try rows[limit - 1].decode("name")]).encoded) : .null
        return Reply.json(["items": .array(items), "next_cursor": next])
    }

    private static func nameCursor(_ context: RequestContext) throws -> String? {
        guard let text = context.request.query["cursor"], !text.isEmpty else { return nil }
        guard let cursor = Cursor(encoded: text, arity: 1), PolicyName.isValid(cursor.values[0]) else {
            throw APIError.badRequest("invalid cursor: pass back the next_cursor of a previous page unchanged")
        }
        return cursor.values[0]
    }

    /// `GET /v1/policies/{name}`, or one revision of it with `?revision=N`.
    func getPolicy(_ context: RequestContext) throws -> HandlerResult {
        let name = try policyName(context)
        if let revision = try context.queryInt("revision", range: 1...Int(Int32.max)) {
            guard let row = try pool.query("""
                SELECT r.revision, r.document::text AS document, r.created_at, r.created_by, p.revision AS current
                FROM policy_revisions r JOIN policies p ON p.name = r.policy WHERE r.policy = \(name) AND r.revision = \(revision)
                """).first else {
                throw APIError.notFound("policy \(name) has no revision \(revision)")
            }
            return Reply.json(try Self.revisionJSON(name, row))
        }
        guard let policy = try pool.withConnection({ try PolicyStore.get(name, on: $0) }) else {
            throw APIError.notFound("policy \(name) does not exist")
        }
        return Reply.json(policy.json)
    }

    private static func revisionJSON(_ name: String, _ row: Row) throws -> JSON {
        let revision: Int = try row.decode("revision")
        return [
            "name": .string(name), "revision": .int(Int64(revision)),
            "document": try JSON.parse(Array(try row.decode("document", as: String.self).utf8)),
            "created_at": (try row.decode("created_at", as: Date.self)).json,
            "created_by": (try row.decodeIfPresent("created_by", as: String.self)).json,
            "current": .bool(revision == (try row.decode("current", as: Int.self))),
        ]
    }

    /// `GET /v1/policies/{name}/revisions`: newest first, paginated.
    func listPolicyRevisions(_ context: RequestContext) throws -> HandlerResult {
        let name = try policyName(context)
        let limit = try context.queryInt("limit", range: 1...PageLimit.maximum) ?? PageLimit.default
        var before: Int?
        if let text = context.request.query["cursor"], !text.isEmpty {
            guard let cursor = Cursor(encoded: text, arity: 1), let revision = Int(cursor.values[0]) else {
                throw APIError.badRequest("invalid cursor: pass back the next_cursor of a previous page unchanged")
            }
            before = revision
        }
        let rows = try pool.withConnection { connection -> [Row] in
            guard try PolicyStore.get(name, on: connection) != nil else { throw APIError.notFound("policy \(name) does not exist") }
            return try connection.query("""
                SELECT r.revision, r.document::text AS document, r.created_at, r.created_by, p.revision AS current
                FROM policy_revisions r JOIN policies p ON p.name = r.policy
                WHERE r.policy = \(name) AND (\(before)::integer IS NULL OR r.revision < \(before))
                ORDER BY r.revision DESC LIMIT \(limit + 1)
                """).rows
        }
        let items = try rows.prefix(limit).map { try Self.revisionJSON(name, $0) }
        let next: JSON = rows.count > limit ? .string(Cursor([String(try rows[limit - 1].decode("revision", as: Int.self))]).encoded) : .null
        return Reply.json(["items": .array(items), "next_cursor": next])
    }

    /// `DELETE /v1/policies/{name}`: its revisions go too, and its devices are rendered without it.
    func deletePolicy(_ context: RequestContext) throws -> HandlerResult {
        let name = try policyName(context)
        try pool.transaction { connection in
            try PolicyStore.lockName(name, on: connection)
            guard let existing = try PolicyStore.get(name, on: connection, lock: true) else {
                throw APIError.notFound("policy \(name) does not exist")
            }
            try connection.query("DELETE FROM policies WHERE name = \(name)")
            try connection.query("DELETE FROM policy_revisions WHERE policy = \(name)")
            try PolicyStore.queueRender(name, on: connection)
            try AuditLog.record(connection, actor: context.principal, action: "policy.delete", targetType: "policy", targetID: name,
                                details: ["revision": .int(Int64(existing.revision))])
        }
        _ = try desired.renderPolicy(name, selector: nil)
        return Reply.noContent()
    }

    /// Policy upkeep, every two seconds on every replica, on a thread of its own so that a long rendering never
    /// holds up the heartbeat flush; one at a time. Marks the pending devices offline or online, folds the count
    /// deltas and, with `sweepRenders`, finishes the renderings a replica left half-way (it stopped).
    func maintainPolicies(sweepRenders: Bool) {
        guard policyUpkeep.withLock({ running in defer { running = true }; return !running }) else { return }
        Thread.detachNewThread { [self] in
            defer { policyUpkeep.withLock { $0 = false } }
            do {
                try desired.maintainCounts(offlineAfterSeconds: devices.offlineAfterSeconds)
                if sweepRenders { try desired.finishAbandonedRenders() }
            } catch {
                metrics.increment("fleet_maintenance_failures_total")
            }
        }
    }
}
