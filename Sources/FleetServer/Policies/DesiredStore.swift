import Foundation
import FleetCore
import FleetJSON
import FleetPostgres

/// Devices' rendered desired state in `device_desired`: rendering in chunks, storing only what changed, and
/// one `fleet_desired` notification per rendering that changed a revision, carrying its generation.
///
/// Bulk renderings (a policy PUT or DELETE) run one at a time across every replica, under an advisory lock,
/// each reading the policies after taking it. A device whose row changed while a bulk rendering had it in
/// hand (a label change) is rendered again on its own, so neither can overwrite the other with stale input.
struct DesiredStore: Sendable {
    let pool: PostgresPool
    /// Devices read and written per statement.
    static let chunkSize = 4000
    /// `pg_advisory_lock` key that serialises bulk renderings ("fleetdes").
    static let renderLockKey: Int64 = 0x666c_6565_7464_6573

    /// What to render.
    enum Scope: Sendable {
        /// The devices a policy rendered before (it is in their `policies`) and those its current selector matches.
        case policy(String, selector: LabelSelector?)
        case device(DeviceID)
    }

    struct Outcome: Sendable, Equatable {
        /// Devices whose desired revision changed.
        var changed = 0
        /// Devices rendered.
        var rendered = 0
        /// Up to ten devices whose revision changed.
        var sample: [DeviceID] = []
    }

    /// The stored state of one device, or the empty state when nothing was ever rendered for it.
    struct Stored: Sendable {
        var state: DesiredState
        var sources: JSON
        var conflicts: JSON
        var policies: [String]
    }

    /// - Parameter share: lock the row `FOR SHARE` until the transaction ends, so that no rendering of the
    ///   device commits in between (a status report is judged against the state it read).
    static func stored(_ device: DeviceID, share: Bool = false, on connection: PostgresConnection) throws -> Stored {
        guard let row = try connection.query("""
            SELECT state::text AS state, sources::text AS sources, conflicts::text AS conflicts, policies
            FROM device_desired WHERE device_id = \(device.rawValue)\(share ? " FOR SHARE" as Query : "")
            """).first else {
            return Stored(state: .empty, sources: [:], conflicts: [], policies: [])
        }
        return Stored(state: try DesiredState(json: JSON.parse(Array(try row.decode("state", as: String.self).utf8))),
                      sources: try JSON.parse(Array(try row.decode("sources", as: String.self).utf8)),
                      conflicts: try JSON.parse(Array(try row.decode("conflicts", as: String.self).utf8)),
                      policies: try row.decode("policies"))
    }

    /// The desired revision of `device` (the empty state's when nothing was rendered for it).
    static func revision(of device: DeviceID, on connection: PostgresConnection) throws -> String {
        try connection.query("SELECT revision FROM device_desired WHERE device_id = \(device.rawValue)").first?.decode("revision")
            ?? DesiredState.empty.revision
    }

    // MARK: - Rendering

    /// Renders a policy's devices with the current policies, under the bulk lock, and stores what changed.
    /// - Parameter waitForLock: false to give up (nil) when another rendering holds the lock.
    @discardableResult
    func renderPolicy(_ name: String, selector: LabelSelector?, waitForLock: Bool = true) throws -> Outcome? {
        try pool.withConnection { connection in
            if waitForLock {
                try connection.query("SELECT pg_advisory_lock(\(Self.renderLockKey))")
            } else {
                guard try connection.query("SELECT pg_try_advisory_lock(\(Self.renderLockKey)) AS locked").first?.decode("locked", as: Bool.self) == true
                else { return nil }
            }
            defer { _ = try? connection.query("SELECT pg_advisory_unlock(\(Self.renderLockKey))") }
            let catalogue = try DesiredCatalogue.load(on: connection)
            var generation: Int64?
            var outcome = try Self.render(.policy(name, selector: selector), catalogue: catalogue, store: true,
                                          generation: &generation, pool: pool, on: connection)
            try connection.query("DELETE FROM policy_renders WHERE policy = \(name)")
            if let generation { try Self.notify(generation, on: connection) }
            outcome.sample = Array(outcome.sample.prefix(10))
            return outcome
        }
    }

    /// What rendering `scope` with `catalogue` would change, storing nothing (a dry run).
    static func preview(_ scope: Scope, catalogue: DesiredCatalogue, on connection: PostgresConnection) throws -> Outcome {
        var generation: Int64?
        return try render(scope, catalogue: catalogue, store: false, generation: &generation, on: connection)
    }

    /// Renders one device inside the caller's transaction (after a label change, approval or decommission),
    /// notifying when its revision changed.
    static func renderDevice(_ device: DeviceID, on connection: PostgresConnection) throws {
        let catalogue = try DesiredCatalogue.load(on: connection)
        var generation: Int64?
        _ = try render(.device(device), catalogue: catalogue, store: true, generation: &generation, on: connection)
        if let generation { try notify(generation, on: connection) }
    }

    static func notify(_ generation: Int64, on connection: PostgresConnection) throws {
        try connection.query("SELECT pg_notify('fleet_desired', \(String(generation)))")
    }

    /// - Parameter pool: for a policy scope that stores, where a writer of its own is connected from the second
    ///   chunk on, so that writing a chunk overlaps reading and rendering the next.
    private static func render(_ scope: Scope, catalogue: DesiredCatalogue, store: Bool, generation: inout Int64?,
                               pool: PostgresPool? = nil, on connection: PostgresConnection) throws -> Outcome {
        var outcome = Outcome()
        var after = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!
        var retry: [DeviceID] = []
        var memo = RenderingMemo(catalogue: catalogue)
        var writer: ChunkWriter?
        defer { _ = try? writer?.finish() }  // when reading or rendering failed: let the writer stop
        var chunks = 0
        while true {
            let condition: Query
            switch scope {
            case .device(let id): condition = "d.id = \(id.rawValue)"
            case .policy(let name, let selector):
                let matches: Query = selector.map { $0.sql(on: "d.labels") } ?? "false"
                // dd.policies holds the same policies as the device's policy_devices rows; as a filter on the row
                // the join brings it costs nothing, where an EXISTS beside an OR is planned as a hash of every
                // device of the policy, built again for every chunk.
                condition = "(dd.policies @> ARRAY[\(name)]::text[] OR \(matches))"
            }
            let rows = try connection.query("""
                SELECT d.id, d.labels::text AS labels, d.status, d.updated_at, dd.revision, dd.sources::text AS sources,
                       dd.conflicts::text AS conflicts,
                       (SELECT jsonb_object_agg(pd.policy, coalesce(pd.held_revision, 0)) FROM policy_devices pd WHERE pd.device_id = d.id)::text AS matched,
                       (SELECT jsonb_object_agg(h.policy, h.revision) FROM policy_holds h WHERE h.device_id = d.id)::text AS holds
                FROM devices d LEFT JOIN device_desired dd ON dd.device_id = d.id AND dd.device_id > \(after)
                WHERE \(condition) AND d.id > \(after) ORDER BY d.id LIMIT \(chunkSize)
                """).rows
            // The bound on dd.device_id is implied by the join, but PostgreSQL does not derive it: without it
            // the merge join reads device_desired from its first row at every chunk (quadratic in the devices).
            guard let last = rows.last else { break }
            after = try last.decode("id", as: UUID.self)

            var changed: [(row: Row, rendering: DeviceRendering, revisionChanged: Bool, holds: [String: Int])] = []
            for row in rows {
                let labels = try [String: String](json: JSON.parse(Array(try row.decode("labels", as: String.self).utf8)), path: "labels")
                let status = DeviceStatus(rawValue: try row.decode("status")) ?? .pending
                let holds = try revisions(row, "holds")
                let rendering = memo.rendering(labels: labels, status: status, holds: holds)
                let oldRevision = try row.decodeIfPresent("revision", as: String.self)
                // Each matched policy with the revision the device is held on (0: it follows the current one).
                let matched = Dictionary(rendering.matched.map { ($0.policy, holds[$0.policy] ?? 0) }) { first, _ in first }
                // The stored documents are parsed only when the revision did not already tell them apart.
                let same = try oldRevision == rendering.state.revision && revisions(row, "matched") == matched
                    && row.decodeIfPresent("sources", as: String.self).map { try JSON.parse(Array($0.utf8)) } == .object(rendering.sources)
                    && row.decodeIfPresent("conflicts", as: String.self).map { try JSON.parse(Array($0.utf8)) } == rendering.conflictsJSON
                outcome.rendered += 1
                if same { continue }
                let revisionChanged = (oldRevision ?? DesiredState.empty.revision) != rendering.state.revision
                if revisionChanged {
                    outcome.changed += 1
                    if outcome.sample.count < 10 { outcome.sample.append(DeviceID(rawValue: try row.decode("id", as: UUID.self))) }
                }
                changed.append((row, rendering, revisionChanged, holds))
            }
            if store, !changed.isEmpty {
                if generation == nil, changed.contains(where: \.revisionChanged) {
                    generation = try connection.query("SELECT nextval('desired_generation') AS g").first!.decode("g", as: Int64.self)
                }
                let ids = try changed.map { try $0.row.decode("id", as: UUID.self) }
                let updatedAt = try changed.map { try $0.row.decode("updated_at", as: Date.self) }
                let chunkGeneration = generation ?? 0
                let renderings = changed.map(\.rendering)
                let holds = changed.map(\.holds)
                // The devices changed meanwhile (not written), to render again on their own.
                let write: ChunkWriter.Work = { connection in
                    let written = try Self.write(renderings, ids: ids, updatedAt: updatedAt, generation: chunkGeneration, on: connection)
                    try Self.writePolicyDevices(zip(ids, zip(renderings, holds)).filter { written.contains($0.0) }.map { ($0.0, $0.1.0, $0.1.1) },
                                                on: connection)
                    return ids.filter { !written.contains($0) }.map(DeviceID.init(rawValue:))
                }
                // A device scope runs inside the transaction that changed the device, so its row cannot move
                // under it; in a policy scope, each chunk is a transaction of its own.
                if case .policy = scope {
                    chunks += 1
                    if writer == nil, chunks > 1, let pool { writer = ChunkWriter(pool: pool) }
                    if let writer { try writer.submit(write) } else { retry += try connection.transaction(write) }
                } else {
                    _ = try write(connection)
                }
            }
            if case .device = scope { break }
        }
        if let writer { retry += try writer.finish() }
        for device in retry { try connection.transaction { try renderDevice(device, on: $0) } }
        return outcome
    }

    /// A `{policy: revision}` object column of the chunk query.
    private static func revisions(_ row: Row, _ column: String) throws -> [String: Int] {
        guard let text = try row.decodeIfPresent(column, as: String.self) else { return [:] }
        var result: [String: Int] = [:]
        for (policy, revision) in try JSON.parse(Array(text.utf8)).objectValue ?? [:] {
            if let revision = revision.int64Value { result[policy] = Int(revision) }
        }
        return result
    }

    /// Upserts renderings whose device row is unchanged since it was read; returns the ids written.
    private static func write(_ renderings: [DeviceRendering], ids: [UUID], updatedAt: [Date], generation: Int64,
                              on connection: PostgresConnection) throws -> Set<UUID> {
        // The JSON goes as one jsonb array of [state, sources, conflicts, policies] per device, serialised once by
        // jansson: as text[] elements, every character of every document went through the array-literal escaping.
        let payload = JSON.array(renderings.map { rendering in
            JSON.array([rendering.state.json, .object(rendering.sources), rendering.conflictsJSON, .array(rendering.policies.map(JSON.string))])
        }).serialized()
        let rows = try connection.query("""
            INSERT INTO device_desired AS dd (device_id, revision, state, sources, conflicts, policies, generation, rendered_at)
            SELECT u.id, u.revision, j.item->0, j.item->1, j.item->2,
                   ARRAY(SELECT jsonb_array_elements_text(j.item->3)), \(generation), now()
            FROM unnest(\(ids)::uuid[], \(updatedAt)::timestamptz[], \(renderings.map(\.state.revision))::text[])
                 WITH ORDINALITY AS u(id, updated_at, revision, n)
            JOIN jsonb_array_elements(\(payload)::jsonb) WITH ORDINALITY AS j(item, n) ON j.n = u.n
            JOIN devices d ON d.id = u.id AND d.updated_at = u.updated_at
            ON CONFLICT (device_id) DO UPDATE SET revision = EXCLUDED.revision, state = EXCLUDED.state, sources = EXCLUDED.sources,
                conflicts = EXCLUDED.conflicts, policies = EXCLUDED.policies, rendered_at = now(),
                generation = CASE WHEN dd.revision = EXCLUDED.revision THEN dd.generation ELSE EXCLUDED.generation END
            RETURNING device_id
            """).rows
        return Set(try rows.map { try $0.decode("device_id", as: UUID.self) })
    }

    /// Brings `policy_devices` in line with the renderings just written: a row per matched policy with the
    /// revision the device is held on and the outcome of its last report against the new state, none for the rest.
    ///
    /// Runs after the `device_desired` rows were written and locked, so the reports it reads are the latest: a
    /// report that was being stored meanwhile held its device's row (`FOR SHARE`) until it committed.
    private static func writePolicyDevices(_ rendered: [(UUID, DeviceRendering, [String: Int])], on connection: PostgresConnection) throws {
        guard !rendered.isEmpty else { return }
        let ids = rendered.map(\.0)
        var reports: [UUID: (revision: String, states: [String: String])] = [:]
        for row in try connection.query("""
            SELECT device_id, revision, items::text AS items FROM device_status WHERE device_id = ANY(\(ids)::uuid[])
            """).rows {
            reports[try row.decode("device_id", as: UUID.self)] = (try row.decode("revision"), try ReportedStatus.states(itemsText: try row.decode("items")))
        }
        var policies: [String] = [], devices: [UUID] = [], held: [Int?] = [], outcomes: [String] = [], conflicted: [Bool] = []
        for (id, rendering, holds) in rendered {
            let report = reports[id]
            let outcome = PolicyOutcome.of(policies: rendering.policies, itemPolicies: rendering.itemPolicies,
                                           desiredRevision: rendering.state.revision, reportedRevision: report?.revision,
                                           reportedStates: report?.states ?? [:])
            let parties = rendering.conflicted
            for source in rendering.matched {
                policies.append(source.policy)
                devices.append(id)
                held.append(holds[source.policy])
                outcomes.append((outcome[source.policy] ?? .pending).rawValue)
                conflicted.append(parties.contains(source.policy))
            }
        }
        try connection.query("""
            WITH wanted AS (
                SELECT * FROM unnest(\(policies)::text[], \(devices)::uuid[], \(held)::int[], \(outcomes)::text[], \(conflicted)::bool[])
                    AS w(policy, device_id, held_revision, outcome, conflicted)
            ), gone AS (
                DELETE FROM policy_devices pd WHERE pd.device_id = ANY(\(ids)::uuid[])
                    AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.policy = pd.policy AND w.device_id = pd.device_id)
            )
            INSERT INTO policy_devices AS pd (policy, device_id, held_revision, outcome, conflicted)
            SELECT policy, device_id, held_revision, outcome, conflicted FROM wanted
            ON CONFLICT (policy, device_id) DO UPDATE SET held_revision = EXCLUDED.held_revision, outcome = EXCLUDED.outcome,
                conflicted = EXCLUDED.conflicted
            WHERE (pd.held_revision, pd.outcome, pd.conflicted) IS DISTINCT FROM (EXCLUDED.held_revision, EXCLUDED.outcome, EXCLUDED.conflicted)
            """)
    }

    /// `pg_advisory_xact_lock` key of the count upkeep, which one replica at a time does ("fleetcnt").
    static let upkeepLockKey: Int64 = 0x666c_6565_7463_6e74

    /// Marks the pending `policy_devices` rows offline or online from the devices' presence (offline: no heartbeat
    /// within `offlineAfterSeconds`), writing only the rows that changed, O(pending); then folds the delta rows
    /// the triggers appended into one row per key (none for a key whose sum is zero). Every two seconds, by
    /// whichever replica gets the lock first; the others skip that round.
    ///
    /// Folding is safe alongside the triggers: the DELETE takes only rows committed before it started.
    func maintainCounts(offlineAfterSeconds: Double) throws {
        try pool.transaction { connection in
            guard try connection.query("SELECT pg_try_advisory_xact_lock(\(Self.upkeepLockKey)) AS locked").first?
                .decode("locked", as: Bool.self) == true else { return }
            try connection.query("""
                UPDATE policy_devices pd SET offline = flip.offline
                FROM (SELECT c.policy, c.device_id,
                             NOT coalesce(p.last_seen_at >= now() - make_interval(secs => \(offlineAfterSeconds)), false) AS offline
                      FROM policy_devices c LEFT JOIN device_presence p ON p.device_id = c.device_id
                      WHERE c.outcome = 'pending') AS flip
                WHERE pd.policy = flip.policy AND pd.device_id = flip.device_id AND pd.outcome = 'pending' AND pd.offline <> flip.offline
                """)
            try connection.query("""
                WITH folded AS (DELETE FROM policy_counts RETURNING policy, held_revision, outcome, conflicted, offline, n)
                INSERT INTO policy_counts (policy, held_revision, outcome, conflicted, offline, n)
                SELECT policy, held_revision, outcome, conflicted, offline, sum(n) FROM folded GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0
                """)
        }
    }

    /// Renders the policies whose rendering a replica started and did not finish (it stopped half-way); leaves
    /// them for a later sweep while another rendering holds the lock.
    func finishAbandonedRenders(olderThan seconds: Double = 120) throws {
        let names: [String] = try pool.query("""
            SELECT policy FROM policy_renders WHERE requested_at < now() - make_interval(secs => \(seconds)) ORDER BY policy
            """).rows.map { try $0.decode("policy") }
        for name in names {
            let selector = try pool.query("SELECT document->>'selector' AS selector FROM policies WHERE name = \(name)").first
                .flatMap { try $0.decodeIfPresent("selector", as: String.self) }
                .map { try LabelSelector(parsing: $0) }
            guard try renderPolicy(name, selector: selector, waitForLock: false) != nil else { return }
        }
    }
}

/// Renderings by the policy revisions that matched: a device's rendering depends on its labels only through which
/// policies match, so the devices of a rendering that match the same ones share one merge, payload and hash.
struct RenderingMemo {
    let catalogue: DesiredCatalogue
    private var renderings: [[PolicySource]: DeviceRendering] = [:]

    init(catalogue: DesiredCatalogue) { self.catalogue = catalogue }

    mutating func rendering(labels: [String: String], status: DeviceStatus, holds: [String: Int]) -> DeviceRendering {
        guard status == .active else { return catalogue.render(labels: labels, status: status, holds: holds) }
        let matching = catalogue.matching(labels: labels, holds: holds)
        let key = matching.map { PolicySource(policy: $0.name, revision: $0.revision) }
        if let known = renderings[key] { return known }
        let rendering = catalogue.render(labels: labels, matching: matching)
        if renderings.count < 4096 { renderings[key] = rendering }
        return rendering
    }
}
