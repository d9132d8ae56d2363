import Foundation
import FleetCore
import FleetHTTP
import FleetJSON
import FleetPostgres

extension FleetService {
    /// `GET /v1/executor/desired?known_revision=R&wait=N`: 200 with the state when R is not its revision, else
    /// 204 once N seconds passed without a change. Waiting holds no thread and no database connection; a
    /// `fleet_desired` notification for a rendering that changed this device wakes it.
    func pollDesired(_ context: RequestContext) throws -> HandlerResult {
        let id = try device(context, requireActive: true)
        let wait = try context.queryInt("wait", range: 0...Self.maximumWaitSeconds) ?? 0
        let known = context.request.query["known_revision"] ?? ""
        presence.record(id)
        let waiter = desiredWaiters.register(id)
        let look: @Sendable () throws -> Response? = { [pool] in
            let stored = try pool.withConnection { try DesiredStore.stored(id, on: $0) }
            return stored.state.revision == known ? nil : Reply.response(stored.state.json)
        }
        let first: Response?
        do { first = try look() } catch {
            desiredWaiters.remove(waiter)
            throw error
        }
        if let first {
            desiredWaiters.remove(waiter)
            return .respond(first)
        }
        if wait == 0 {
            desiredWaiters.remove(waiter)
            return .respond(Response(status: 204))
        }
        return .suspend(LongPoll(
            deadline: ContinuousClock.now.advanced(by: .seconds(wait)),
            register: { waiter.attach($0) },
            poll: {
                do { return try look() } catch { return Reply.problem(APIError.from(error)) }
            },
            timeout: { Response(status: 204) },
            finished: { [desiredWaiters] in desiredWaiters.remove(waiter) }))
    }

    /// `PUT /v1/executor/status`: what the executor reports of its policy items. Stored only when it differs
    /// from the last report, with the outcome of each of the device's policies worked out against its desired
    /// state: a quiet fleet's periodic refresh writes nothing.
    func reportDesiredStatus(_ context: RequestContext) throws -> HandlerResult {
        let id = try device(context, requireActive: false)
        var body = try context.body()
        let report = try ReportedStatus(&body)
        let items = JSON.array(report.items.map(\.json)).serialized()
        try pool.transaction { connection in
            let same = try connection.query("""
                SELECT revision = \(report.revision) AND items = \(items)::jsonb AS same FROM device_status WHERE device_id = \(id.rawValue)
                """).first?.decode("same", as: Bool.self) ?? false
            if same { return }
            let stored = try DesiredStore.stored(id, share: true, on: connection)
            try connection.query("""
                INSERT INTO device_status AS s (device_id, revision, items, all_ready)
                VALUES (\(id.rawValue), \(report.revision), \(items)::jsonb, \(report.allReady))
                ON CONFLICT (device_id) DO UPDATE SET revision = EXCLUDED.revision, items = EXCLUDED.items,
                    all_ready = EXCLUDED.all_ready, reported_at = now()
                """)
            guard !stored.policies.isEmpty else { return }
            let outcomes = PolicyOutcome.of(policies: stored.policies, itemPolicies: DeviceRendering.itemPolicies(stored.sources.objectValue ?? [:]),
                                            desiredRevision: stored.state.revision, reportedRevision: report.revision,
                                            reportedStates: report.states)
            let policies = Array(outcomes.keys)
            try connection.query("""
                UPDATE policy_devices pd SET outcome = u.outcome, offline = false
                FROM unnest(\(policies)::text[], \(policies.map { outcomes[$0]!.rawValue })::text[]) AS u(policy, outcome)
                WHERE pd.device_id = \(id.rawValue) AND pd.policy = u.policy AND (pd.outcome <> u.outcome OR pd.offline)
                """)
        }
        metrics.increment("fleet_status_reports_total")
        return Reply.noContent()
    }

    /// `GET /v1/devices/{id}/desired`: the rendered state, where each item came from, and the conflicts.
    func getDeviceDesired(_ context: RequestContext) throws -> HandlerResult {
        let id: DeviceID = try context.id("id")
        let stored = try pool.withConnection { connection -> DesiredStore.Stored in
            guard try connection.query("SELECT 1 FROM devices WHERE id = \(id.rawValue)").first != nil else {
                throw APIError.notFound("device \(id) does not exist")
            }
            return try DesiredStore.stored(id, on: connection)
        }
        guard case .object(var members) = stored.state.json else { return Reply.json(stored.state.json) }
        members["sources"] = stored.sources
        members["conflicts"] = stored.conflicts
        members["policies"] = .array(stored.policies.map(JSON.string))
        return Reply.json(.object(members))
    }

    /// `GET /v1/devices/{id}/status`: what the device last reported of its policy items, and the outcome of each
    /// of its policies.
    func getDeviceStatus(_ context: RequestContext) throws -> HandlerResult {
        let id: DeviceID = try context.id("id")
        let (row, outcomes) = try pool.withConnection { connection -> (Row?, [Row]) in
            guard try connection.query("SELECT 1 FROM devices WHERE id = \(id.rawValue)").first != nil else {
                throw APIError.notFound("device \(id) does not exist")
            }
            let row = try connection.query("""
                SELECT s.revision, s.items::text AS items, s.reported_at, s.all_ready,
                       coalesce(dd.revision, \(DesiredState.empty.revision)) AS desired_revision
                FROM device_status s LEFT JOIN device_desired dd ON dd.device_id = s.device_id WHERE s.device_id = \(id.rawValue)
                """).first
            let outcomes = try connection.query("""
                SELECT policy, outcome FROM policy_devices WHERE device_id = \(id.rawValue) AND outcome <> 'pending' ORDER BY policy
                """).rows
            return (row, outcomes)
        }
        func policies(_ outcome: PolicyOutcome) throws -> JSON {
            .array(try outcomes.filter { try $0.decode("outcome", as: String.self) == outcome.rawValue }.map { .string(try $0.decode("policy")) })
        }
        guard let row else {
            return Reply.json(["revision": .null, "reported_at": .null, "items": [], "converged": false,
                               "converged_policies": [], "failed_policies": []])
        }
        let revision: String = try row.decode("revision")
        let converged = try revision == row.decode("desired_revision", as: String.self) && row.decode("all_ready", as: Bool.self)
        return Reply.json([
            "revision": .string(revision), "reported_at": (try row.decode("reported_at", as: Date.self)).json,
            "items": try JSON.parse(Array(try row.decode("items", as: String.self).utf8)),
            "converged": .bool(converged),
            "converged_policies": try policies(.converged), "failed_policies": try policies(.failed),
        ])
    }

    /// `GET /v1/policies/{name}/status`: how far the devices it matches got, summed in SQL from `policy_counts`
    /// (kept by triggers on `policy_devices`; the offline flag of the pending by a sweep every two seconds), with the
    /// conflicts it is party to and a page of failing devices with their failed items.
    func getPolicyStatus(_ context: RequestContext) throws -> HandlerResult {
        let name = context.parameter("name")
        guard PolicyName.isValid(name) else { throw APIError.badRequest("'\(name)' is not a policy name") }
        let limit = try context.queryInt("limit", range: 1...PageLimit.maximum) ?? PageLimit.default
        let after = try Self.deviceCursor(context)
        return try pool.withConnection { connection in
            guard let policy = try PolicyStore.get(name, on: connection) else { throw APIError.notFound("policy \(name) does not exist") }
            // The counts: a few rows of policy_counts (deltas not yet folded included), not a walk over the devices.
            var matched: Int64 = 0, converged: Int64 = 0, failed: Int64 = 0, offline: Int64 = 0, conflicted: Int64 = 0, held: Int64 = 0
            for row in try connection.query("""
                SELECT held_revision, outcome, conflicted, offline, sum(n)::bigint AS n FROM policy_counts WHERE policy = \(name)
                GROUP BY held_revision, outcome, conflicted, offline HAVING sum(n) <> 0
                """).rows {
                let n: Int64 = try row.decode("n")
                matched += n
                switch try row.decode("outcome", as: String.self) {
                case PolicyOutcome.converged.rawValue: converged += n
                case PolicyOutcome.failed.rawValue: failed += n
                default: if try row.decode("offline", as: Bool.self) { offline += n }
                }
                if try row.decode("conflicted", as: Bool.self) { conflicted += n }
                if let revision = try row.decodeIfPresent("held_revision", as: Int.self), revision != policy.revision { held += n }
            }
            // Each of the next two statements is run only when the counts say it finds something.
            let conflicts = conflicted == 0 ? [] : try connection.query("""
                SELECT DISTINCT c::text AS conflict
                FROM policy_devices pd JOIN device_desired dd ON dd.device_id = pd.device_id, jsonb_array_elements(dd.conflicts) AS c
                WHERE pd.policy = \(name) AND pd.conflicted AND c->'policies' ? \(name)
                LIMIT 100
                """).rows.map { try JSON.parse(Array(try $0.decode("conflict", as: String.self).utf8)) }
            let failing = failed == 0 ? [] : try connection.query("""
                SELECT pd.device_id, d.name, s.items::text AS items, dd.sources::text AS sources
                FROM policy_devices pd JOIN device_status s ON s.device_id = pd.device_id JOIN devices d ON d.id = pd.device_id
                JOIN device_desired dd ON dd.device_id = pd.device_id
                WHERE pd.policy = \(name) AND pd.outcome = 'failed' AND (\(after)::uuid IS NULL OR pd.device_id > \(after))
                ORDER BY pd.device_id LIMIT \(limit + 1)
                """).rows
            let failingJSON: [JSON] = try failing.prefix(limit).map { row in
                let sources = try JSON.parse(Array(try row.decode("sources", as: String.self).utf8)).objectValue ?? [:]
                let items = try JSON.parse(Array(try row.decode("items", as: String.self).utf8)).arrayValue ?? []
                let mine = items.filter { item in
                    let key = "\(item["kind"]?.stringValue ?? "")/\(item["name"]?.stringValue ?? "")"
                    return sources[key]?["policy"]?.stringValue == name && item["state"]?.stringValue == "failed"
                }
                return ["device_id": .string(try row.decode("device_id", as: UUID.self).uuidString.lowercased()),
                        "device_name": .string(try row.decode("name")), "items": .array(mine)]
            }
            let next: JSON = failing.count > limit
                ? .string(Cursor([try failing[limit - 1].decode("device_id", as: UUID.self).uuidString.lowercased()]).encoded) : .null
            return Reply.json([
                "name": .string(name), "revision": .int(Int64(policy.revision)),
                "matched": .int(matched), "converged": .int(converged), "failed": .int(failed), "offline": .int(offline),
                "pending": .int(matched - converged - failed - offline), "conflicted": .int(conflicted),
                "held": .int(held),
                "conflicts": .array(conflicts), "failing": .array(failingJSON), "next_cursor": next,
            ])
        }
    }
}
