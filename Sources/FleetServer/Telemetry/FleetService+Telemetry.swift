import Foundation
import FleetCore
import FleetHTTP
import FleetJSON
import FleetPostgres

extension FleetService {
    /// Points one `GET /v1/telemetry` answer may carry over all its series.
    static let maximumTelemetryPointsPerAnswer = 100_000

    /// `POST /v1/executor/telemetry`: stores a batch of the calling (active) device's points, once per
    /// `batch_id`, and answers only after the commit.
    ///
    /// Not audited: telemetry is data the device reports, not a change to configuration, and one audit row per
    /// batch would outgrow the telemetry itself. Metrics count batches, points, duplicates and drops instead.
    func ingestTelemetry(_ context: RequestContext) throws -> HandlerResult {
        let device = try device(context, requireActive: true)
        var body = try context.body()
        let batch = try TelemetryBatch(&body, now: Date())
        let result: TelemetryStore.IngestResult
        do {
            result = try telemetry.ingest(batch, document: context.request.body, from: device)
        } catch let error as PostgresError where error.sqlState == "55P03" {
            // lock_timeout while creating a partition behind a long-running statement: worth a retry.
            var answer = APIError.unavailable("telemetry storage is busy creating a partition; retry later")
            answer.headers = [("Retry-After", "1")]
            throw answer
        }
        if result.duplicate {
            metrics.increment("fleet_telemetry_duplicate_batches_total")
        } else {
            metrics.increment("fleet_telemetry_batches_total")
            metrics.increment("fleet_telemetry_points_total", by: Double(result.accepted))
            if result.dropped > 0 { metrics.increment("fleet_telemetry_points_dropped_total", by: Double(result.dropped)) }
        }
        return Reply.json([
            "accepted": .int(Int64(result.accepted)), "dropped": .int(Int64(result.dropped)), "duplicate": .bool(result.duplicate),
        ])
    }

    /// `GET /v1/telemetry`: one device's metric, bucketed by `step` and combined by `agg`, one series per label set.
    func queryTelemetry(_ context: RequestContext) throws -> HandlerResult {
        var query = try TelemetryQuery(context.request.query, now: Date())
        let found = try pool.withConnection { connection in
            try connection.query("""
                SELECT (SELECT kind FROM telemetry_metrics WHERE device_id = d.id AND metric = \(query.metric)) AS kind
                FROM devices d WHERE d.id = \(query.device.rawValue)
                """).first
        }
        guard let found else { throw APIError.notFound("device \(query.device) does not exist") }
        let kind = try found.decodeIfPresent("kind", as: String.self).flatMap(MetricKind.init(rawValue:))
        query.applyDefault(for: kind)
        guard let series = try telemetry.series(for: query, maximumPoints: Self.maximumTelemetryPointsPerAnswer) else {
            throw APIError.badRequest("the answer would hold more than \(Self.maximumTelemetryPointsPerAnswer) points: shorten the range, raise step or narrow labels")
        }
        let items: [JSON] = series.map { series in
            [
                "device_id": query.device.json, "metric": .string(query.metric), "labels": series.labels,
                "points": .array(series.points.map { .array([.string(Timestamp.format($0.0)), .double($0.1)]) }),
            ]
        }
        return Reply.json([
            "series": .array(items), "agg": .string(query.aggregation.rawValue), "step": .int(Int64(query.step)),
            "from": .string(Timestamp.format(query.from)), "to": .string(Timestamp.format(query.to)),
            "kind": kind.map { .string($0.rawValue) } ?? .null,
        ])
    }

    /// `GET /v1/telemetry/metrics?device_id=`: the metrics a device reports, by name, with their kind, label keys
    /// and first and last point time, from the catalogue ingest keeps (points older than retention are gone).
    func listDeviceMetrics(_ context: RequestContext) throws -> HandlerResult {
        let parameters = context.request.query
        guard let text = parameters["device_id"], !text.isEmpty else { throw APIError.badRequest("query parameter 'device_id' is required") }
        guard let device = DeviceID(text) else { throw APIError.badRequest("device_id: '\(text)' is not a valid UUID") }
        let limit = try context.queryInt("limit", range: 1...PageLimit.maximum) ?? PageLimit.default
        var after: String?
        if let text = parameters["cursor"], !text.isEmpty {
            guard let cursor = Cursor(encoded: text, arity: 1), MetricName.isValid(cursor.values[0]) else {
                throw APIError.badRequest("invalid cursor: pass back the next_cursor of a previous page unchanged")
            }
            after = cursor.values[0]
        }
        let prefix = parameters["prefix"] ?? ""
        let cutoff = telemetry.cutoff(now: Date())
        let rows = try pool.withConnection { connection -> [Row]? in
            guard try connection.query("SELECT 1 FROM devices WHERE id = \(device.rawValue)").first != nil else { return nil }
            return try connection.query("""
                SELECT metric, kind, label_keys, first_ts, last_ts FROM telemetry_metrics
                WHERE device_id = \(device.rawValue) AND last_ts >= \(cutoff)
                  AND (\(after)::text IS NULL OR metric > \(after)) AND starts_with(metric, \(prefix))
                ORDER BY metric LIMIT \(limit + 1)
                """).rows
        }
        guard let rows else { throw APIError.notFound("device \(device) does not exist") }
        let items: [JSON] = try rows.prefix(limit).map { row in
            [
                "metric": .string(try row.decode("metric")), "kind": .string(try row.decode("kind")),
                "label_keys": .array(try row.decode("label_keys", as: [String].self).map(JSON.string)),
                "first_point_at": .string(Timestamp.format(try row.decode("first_ts", as: Date.self))),
                "last_point_at": .string(Timestamp.format(try row.decode("last_ts", as: Date.self))),
            ]
        }
        let next: JSON = rows.count > limit ? .string(Cursor([try rows[limit - 1].decode("metric")]).encoded) : .null
        return Reply.json(["items": .array(items), "next_cursor": next])
    }

    /// Partition upkeep and retention, at most once a minute; runs on every replica (see `TelemetryStore`).
    func maintainTelemetry() {
        do {
            guard let report = try telemetry.maintain() else { return }
            if !report.dropped.isEmpty {
                metrics.increment("fleet_telemetry_partitions_dropped_total", by: Double(report.dropped.count))
            }
        } catch {
            metrics.increment("fleet_maintenance_failures_total")
        }
    }
}
