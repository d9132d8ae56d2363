import Foundation
import FleetCore
import FleetPostgres
import Synchronization

/// Coalesces heartbeats in memory and writes them to `device_presence` in one statement per flush.
final class PresenceTracker: Sendable {
    private let pool: PostgresPool
    private let pending = Mutex<[DeviceID: Date]>([:])
    private let metrics: Metrics

    init(pool: PostgresPool, metrics: Metrics) {
        self.pool = pool
        self.metrics = metrics
    }

    func record(_ device: DeviceID, at time: Date = Date()) {
        pending.withLock { $0[device] = time }
    }

    /// A heartbeat seen here but not flushed yet, newer than what the database holds.
    func unflushed(_ device: DeviceID) -> Date? {
        pending.withLock { $0[device] }
    }

    /// Writes what accumulated since the last flush. On failure the entries go back so nothing is lost.
    func flush() {
        let batch = pending.withLock { pending -> [DeviceID: Date] in
            let taken = pending
            pending.removeAll(keepingCapacity: true)
            return taken
        }
        guard !batch.isEmpty else { return }
        let ids = batch.keys.map(\.rawValue)
        let times = ids.map { batch[DeviceID(rawValue: $0)]! }
        do {
            // Presence is advisory: a flush lost in a database crash costs one heartbeat, so skip the WAL wait.
            try pool.transaction { connection in
                try connection.query("SET LOCAL synchronous_commit TO off")
                try connection.query("""
                    INSERT INTO device_presence (device_id, last_seen_at)
                    SELECT p.id, p.seen FROM unnest(\(ids)::uuid[], \(times)::timestamptz[]) AS p(id, seen)
                    JOIN devices d ON d.id = p.id
                    ON CONFLICT (device_id) DO UPDATE SET last_seen_at = GREATEST(device_presence.last_seen_at, EXCLUDED.last_seen_at)
                    """)
            }
            metrics.increment("fleet_presence_rows_flushed_total", by: Double(batch.count))
        } catch {
            pending.withLock { pending in
                for (device, time) in batch where (pending[device] ?? .distantPast) < time { pending[device] = time }
            }
            metrics.increment("fleet_presence_flush_failures_total")
        }
    }
}
