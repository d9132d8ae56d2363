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
        let query = try TelemetryQuery(context.request.query, now: Date())
        let found = try pool.withConnection { connection in
            try connection.query("SELECT 1 FROM devices WHERE id = \(query.device.rawValue)").first != nil
        }
        guard found else { throw APIError.notFound("device \(query.device) does not exist") }
        guard let series = try telemetry.series(for: query, maximumPoints: Self.maximumTelemetryPointsPerAnswer) else {
            throw APIError.badRequest("the answer would hold more than \(Self.maximumTelemetryPointsPerAnswer) points: shorten the range, raise step or narrow labels")
        }
        let items: [JSON] = series.map { series in
            [
                "device_id": query.device.json, "metric": .string(query.metric), "labels": series.labels,
                "points": .array(series.points.map { .array([.string(Timestamp.format($0.0)), .double($0.1)]) }),
            ]
        }
        return Reply.json(["series": .array(items)])
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
