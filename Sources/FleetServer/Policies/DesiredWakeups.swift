import Foundation
import FleetCore
import FleetPostgres
import Synchronization

/// Wakes the executors waiting on `GET /v1/executor/desired` on this replica when a rendering changed their
/// state, without one notification per device: a rendering sends one `fleet_desired` notification carrying
/// its generation, and this replica asks once, for all the devices waiting here, which of them that
/// generation changed. Notifications arriving meanwhile are handled together by the next look.
final class DesiredWakeups: Sendable {
    private let pool: PostgresPool
    private let waiters: WaiterRegistry<DeviceID>
    private let pending = Mutex<(generations: Set<Int64>, all: Bool, stopped: Bool)>(([], false, false))
    private let signal = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    /// Called with the number of waiters each look woke, for metrics.
    private let woke: @Sendable (Int) -> Void

    init(pool: PostgresPool, waiters: WaiterRegistry<DeviceID>, woke: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.pool = pool
        self.waiters = waiters
        self.woke = woke
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "fleet-desired-wakeups"
        thread.start()
    }

    func stop() {
        pending.withLock { $0.stopped = true }
        signal.signal()
        done.wait()
    }

    /// A rendering with `generation` changed some devices' state.
    func rendered(generation: Int64) {
        pending.withLock { _ = $0.generations.insert(generation) }
        signal.signal()
    }

    /// Anything may have changed (the notification connection was lost): every waiter looks again.
    func wakeAll() {
        pending.withLock { $0.all = true }
        signal.signal()
    }

    private func run() {
        while true {
            signal.wait()
            let (generations, all, stopped) = pending.withLock { state in
                defer { state.generations = []; state.all = false }
                return (state.generations, state.all, state.stopped)
            }
            if stopped { break }
            if all {
                waiters.notifyAll()
                continue
            }
            guard !generations.isEmpty else { continue }
            let waiting = waiters.keys
            guard !waiting.isEmpty else { continue }
            do {
                let changed = try pool.query("""
                    SELECT device_id FROM device_desired
                    WHERE device_id = ANY(\(waiting.map(\.rawValue))::uuid[]) AND generation = ANY(\(Array(generations))::bigint[])
                    """).rows.map { DeviceID(rawValue: try $0.decode("device_id", as: UUID.self)) }
                for device in changed { waiters.notify(device) }
                woke(changed.count)
            } catch {
                // The database is away: let every waiter look for itself once it can.
                waiters.notifyAll()
            }
        }
        done.signal()
    }
}

/// Each device's desired revision for heartbeat answers, so that a heartbeat costs no query while nothing is
/// rendered. Any rendering clears it (a notification names no devices), and so does a lost notification connection.
final class DesiredRevisionCache: Sendable {
    private let revisions = Mutex<[DeviceID: String]>([:])
    static let maximumEntries = 2_000_000

    func revision(of device: DeviceID, load: () throws -> String) rethrows -> String {
        if let known = revisions.withLock({ $0[device] }) { return known }
        let revision = try load()
        revisions.withLock { cache in
            if cache.count >= Self.maximumEntries { cache.removeAll(keepingCapacity: true) }
            cache[device] = revision
        }
        return revision
    }

    func clear() { revisions.withLock { $0.removeAll(keepingCapacity: true) } }
}
