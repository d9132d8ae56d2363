import Foundation
import FleetCore
import FleetJSON
import FleetPostgres
import Synchronization

/// Telemetry in PostgreSQL: day partitions, idempotent batch ingest, bucketed queries and retention.
///
/// Every replica may run all of it at once: partition DDL is serialised by a transaction-scoped advisory
/// lock and is idempotent (`IF NOT EXISTS` / `IF EXISTS`), and a batch id is claimed by its primary key.
final class TelemetryStore: Sendable {
    /// The `pg_advisory_xact_lock` key that serialises partition DDL across replicas ("fleettlm").
    static let partitionLockKey: Int64 = 0x666c_6565_7474_6c6d
    /// DDL waits at most this long for the lock on `telemetry`, so a long query cannot stall ingest behind it.
    static let ddlLockTimeout = "5s"
    /// Partitions the maintenance job keeps ready after today's.
    static let partitionsAhead: Int64 = 2
    static let maintenanceInterval: Duration = .seconds(60)
    /// Batch ids are kept this much longer than the points, so a late retry of a batch stamped up to an hour
    /// ahead cannot slip in twice.
    static let batchIDGrace: TimeInterval = 86_400
    /// How far before `from` `agg=rate` looks for the sample preceding a series' first one in range.
    static let minimumRateLookback: TimeInterval = 600

    let pool: PostgresPool
    let retentionDays: Int
    private let lastMaintenance = Mutex<ContinuousClock.Instant?>(nil)
    /// Partitions seen to exist, so ingest does not ask again for every batch. Cleared when an insert finds
    /// a partition gone (retention on another replica) and when this replica drops partitions.
    private let knownPartitions = Mutex<Set<TelemetryPartition>>([])

    init(pool: PostgresPool, retentionDays: Int) {
        self.pool = pool
        self.retentionDays = retentionDays
    }

    /// Points stamped before this are outside the retention window.
    func cutoff(now: Date) -> Date { now.addingTimeInterval(-Double(retentionDays) * 86_400) }

    // MARK: - Ingest

    struct IngestResult: Sendable, Equatable {
        var accepted: Int
        var dropped: Int
        var duplicate: Bool
    }

    /// Stores a batch once: claims `(device, batch id)` and inserts the points in one transaction, after making
    /// sure the day partitions they need exist. Points older than the retention window are dropped (counted).
    /// - Throws: `PostgresError`; a retry after a concurrent retention drop happens here, once.
    ///
    /// - Parameter document: the request body the batch was read from. Once the batch has been checked, the
    ///   points go to PostgreSQL as that one JSON document (`jsonb_to_recordset`), which its C parser reads
    ///   faster than Swift can format four parameter arrays.
    func ingest(_ batch: TelemetryBatch, document: [UInt8], from device: DeviceID, now: Date = Date()) throws -> IngestResult {
        do {
            return try ingestOnce(batch, document: document, from: device, now: now)
        } catch let error as PostgresError where error.sqlState == "23514" {
            // "no partition of relation found": a replica dropped an expired day between our check and the
            // insert. The transaction rolled back; a second pass drops those points by the moved cutoff.
            knownPartitions.withLock { $0.removeAll() }
            return try ingestOnce(batch, document: document, from: device, now: Date())
        }
    }

    private func ingestOnce(_ batch: TelemetryBatch, document: [UInt8], from device: DeviceID, now: Date) throws -> IngestResult {
        let cutoff = cutoff(now: now)
        let kept = batch.points.filter { $0.ts >= cutoff }
        let needed = Set(kept.map { TelemetryPartition(containing: $0.ts) })
        if !needed.isSubset(of: knownPartitions.withLock({ $0 })) {
            try ensurePartitions(needed)
            knownPartitions.withLock { $0.formUnion(needed) }
        }
        let text = String(decoding: document, as: UTF8.self)
        return try pool.transaction { connection in
            let claimed = try connection.query("""
                INSERT INTO telemetry_batches (device_id, batch_id) VALUES (\(device.rawValue), \(batch.batchID))
                ON CONFLICT (device_id, batch_id) DO NOTHING
                """).affectedRows
            guard claimed == 1 else { return IngestResult(accepted: 0, dropped: 0, duplicate: true) }
            guard !kept.isEmpty else { return IngestResult(accepted: 0, dropped: batch.points.count, duplicate: false) }
            // One statement stores the points and brings the device's metric catalogue up to date, so the
            // document is parsed once. The catalogue's row of a metric is only rewritten when it learns something.
            let inserted: Int64 = try connection.query("""
                WITH doc AS (SELECT \(text)::jsonb AS d),
                points AS (
                    SELECT p.metric, coalesce(p.labels, '{}'::jsonb) AS labels, p.ts, p.value
                    FROM doc, jsonb_to_recordset(doc.d -> 'points') AS p(metric text, labels jsonb, ts timestamptz, value float8)
                    WHERE p.ts >= \(cutoff)
                ),
                stored AS (
                    INSERT INTO telemetry (device_id, metric, labels, ts, value)
                    SELECT \(device.rawValue), metric, labels, ts, value FROM points RETURNING 1
                ),
                seen AS (
                    SELECT p.metric, min(p.ts) AS first_ts, max(p.ts) AS last_ts,
                           coalesce(array_agg(DISTINCT k ORDER BY k) FILTER (WHERE k IS NOT NULL), '{}') AS label_keys,
                           coalesce(min(doc.d -> 'kinds' ->> p.metric), 'gauge') AS kind
                    FROM doc, points p LEFT JOIN LATERAL jsonb_object_keys(p.labels) AS k ON true
                    GROUP BY p.metric
                ),
                catalogued AS (
                    INSERT INTO telemetry_metrics AS m (device_id, metric, kind, label_keys, first_ts, last_ts)
                    SELECT \(device.rawValue), metric, kind, label_keys, first_ts, last_ts FROM seen
                    ON CONFLICT (device_id, metric) DO UPDATE SET
                        kind = EXCLUDED.kind,
                        first_ts = least(m.first_ts, EXCLUDED.first_ts),
                        last_ts = greatest(m.last_ts, EXCLUDED.last_ts),
                        label_keys = CASE WHEN EXCLUDED.label_keys <@ m.label_keys THEN m.label_keys
                            ELSE ARRAY(SELECT DISTINCT k FROM unnest(m.label_keys || EXCLUDED.label_keys) AS k ORDER BY k) END
                    WHERE m.kind <> EXCLUDED.kind OR m.last_ts < EXCLUDED.last_ts OR m.first_ts > EXCLUDED.first_ts
                       OR NOT EXCLUDED.label_keys <@ m.label_keys
                    RETURNING 1
                )
                SELECT (SELECT count(*) FROM stored) AS inserted, (SELECT count(*) FROM catalogued) AS catalogued
                """).first?.decode("inserted") ?? 0
            return IngestResult(accepted: Int(inserted), dropped: batch.points.count - kept.count, duplicate: false)
        }
    }

    // MARK: - Partitions

    /// Creates the partitions that do not exist yet. Safe against other replicas creating the same ones.
    func ensurePartitions(_ partitions: Set<TelemetryPartition>) throws {
        guard !partitions.isEmpty else { return }
        let names = partitions.map(\.name)
        let missing = try pool.query("SELECT n FROM unnest(\(names)::text[]) AS n WHERE to_regclass(n) IS NULL").rows
            .compactMap { TelemetryPartition(name: try $0.decode("n")) }
        guard !missing.isEmpty else { return }
        try pool.transaction { connection in
            try lockPartitions(on: connection)
            for partition in missing.sorted() { try connection.execute(unsafeSQL: partition.createStatement) }
        }
    }

    /// The partitions of `telemetry` this code made (others, attached by hand, are left alone).
    func existingPartitions(on connection: PostgresConnection) throws -> [TelemetryPartition] {
        try connection.query("""
            SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'telemetry'::regclass
            """).rows.compactMap { TelemetryPartition(name: try $0.decode("name")) }.sorted()
    }

    private func lockPartitions(on connection: PostgresConnection) throws {
        try connection.execute(unsafeSQL: "SET LOCAL lock_timeout = '\(Self.ddlLockTimeout)'")
        try connection.query("SELECT pg_advisory_xact_lock(\(Self.partitionLockKey))")
    }

    // MARK: - Retention

    struct MaintenanceReport: Sendable, Equatable {
        var created: [TelemetryPartition] = []
        var dropped: [TelemetryPartition] = []
        var prunedBatches = 0
    }

    /// Once a minute (or now, when `force`): creates today's partition and the next two, drops partitions
    /// entirely older than the retention window, and forgets batch ids a day after that.
    /// - Returns: what changed, or nil when it was not yet time.
    @discardableResult
    func maintain(now: Date = Date(), force: Bool = false) throws -> MaintenanceReport? {
        let due = lastMaintenance.withLock { last -> Bool in
            let clock = ContinuousClock.now
            guard force || last.map({ clock - $0 >= Self.maintenanceInterval }) ?? true else { return false }
            last = clock
            return true
        }
        guard due else { return nil }
        let cutoff = cutoff(now: now)
        let today = TelemetryPartition(containing: now)
        var report = try pool.transaction { connection -> MaintenanceReport in
            try lockPartitions(on: connection)
            let existing = try existingPartitions(on: connection)
            var report = MaintenanceReport()
            for partition in existing where partition.isEntirelyBefore(cutoff) {
                try connection.execute(unsafeSQL: partition.dropStatement)
                report.dropped.append(partition)
            }
            if !report.dropped.isEmpty { knownPartitions.withLock { $0.subtract(report.dropped) } }
            for day in today.day...(today.day + Self.partitionsAhead) where !existing.contains(TelemetryPartition(day: day)) {
                let partition = TelemetryPartition(day: day)
                try connection.execute(unsafeSQL: partition.createStatement)
                report.created.append(partition)
            }
            return report
        }
        _ = try pool.query("DELETE FROM telemetry_metrics WHERE last_ts < \(cutoff)")
        report.prunedBatches = try pool.query("""
            DELETE FROM telemetry_batches WHERE received_at < \(cutoff.addingTimeInterval(-Self.batchIDGrace))
            """).affectedRows
        return report
    }

    // MARK: - Queries

    /// One series: the points of one distinct label set, bucketed.
    struct Series: Sendable {
        let labels: JSON
        var points: [(Date, Double)]
    }

    /// The buckets of every series matching `query`, series ordered by labels, points by time.
    /// - Returns: nil when the answer would exceed `maximumPoints`.
    func series(for query: TelemetryQuery, maximumPoints: Int) throws -> [Series]? {
        let bucket: Query = "date_bin(make_interval(secs => \(query.step)), ts, timestamptz '1970-01-01 00:00:00+00')"
        func matching(since: Date) -> Query {
            """
            device_id = \(query.device.rawValue) AND metric = \(query.metric) AND ts >= \(since) AND ts <= \(query.to)
            AND \(query.selector.sql(on: "labels"))
            """
        }
        let sql: Query
        switch query.aggregation {
        case .rate:
            // Increase between consecutive samples of a series; a drop is a reset, so the new value is the increase.
            let lookback = max(Double(query.step), Self.minimumRateLookback)
            sql = """
                WITH samples AS (
                    SELECT labels, ts, value, lag(value) OVER (PARTITION BY labels ORDER BY ts) AS previous
                    FROM telemetry WHERE \(matching(since: query.from.addingTimeInterval(-lookback)))
                )
                SELECT labels::text AS labels_text, \(bucket) AS bucket,
                       sum(CASE WHEN value >= previous THEN value - previous ELSE value END) / \(Double(query.step)) AS value
                FROM samples WHERE previous IS NOT NULL AND ts >= \(query.from)
                GROUP BY labels, bucket ORDER BY labels, bucket LIMIT \(maximumPoints + 1)
                """
        case .avg, .min, .max, .sum, .last:
            let aggregate: Query = switch query.aggregation {
            case .avg: "avg(value)"
            case .min: "min(value)"
            case .max: "max(value)"
            case .sum: "sum(value)"
            default: "(array_agg(value ORDER BY ts DESC))[1]"
            }
            sql = """
                SELECT labels::text AS labels_text, \(bucket) AS bucket, \(aggregate) AS value
                FROM telemetry WHERE \(matching(since: query.from))
                GROUP BY labels, bucket ORDER BY labels, bucket LIMIT \(maximumPoints + 1)
                """
        }
        let rows = try pool.query(sql).rows
        guard rows.count <= maximumPoints else { return nil }
        var series: [Series] = []
        var currentLabels: String?
        for row in rows {
            guard let value = try row.decodeIfPresent("value", as: Double.self) else { continue }
            let labels: String = try row.decode("labels_text")
            if labels != currentLabels {
                series.append(Series(labels: try JSON.parse(labels), points: []))
                currentLabels = labels
            }
            series[series.count - 1].points.append((try row.decode("bucket", as: Date.self), value))
        }
        return series
    }
}
