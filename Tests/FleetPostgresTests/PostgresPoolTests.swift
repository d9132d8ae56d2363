import Foundation
import FleetPostgres
import Synchronization
import Testing

@Suite struct PostgresPoolTests {
    @Test func concurrentThreadsShareAtMostTwoConnections() throws {
        let pool = PostgresPool(conninfo: try TestCluster.shared.get().conninfo(), size: 2)
        defer { pool.close() }
        let pids = Mutex<Set<Int>>([])
        let failures = Mutex<[any Error]>([])
        let peak = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<5 {
                do {
                    let row = try pool.query("SELECT pg_backend_pid() AS pid, pg_sleep(0.01)").first
                    let pid = try row?.decode("pid", as: Int.self) ?? 0
                    pids.withLock { _ = $0.insert(pid) }
                    peak.withLock { $0 = max($0, pool.stats.open) }
                } catch {
                    failures.withLock { $0.append(error) }
                }
            }
        }
        #expect(failures.withLock { $0.isEmpty })
        #expect(pids.withLock { $0.count } <= 2)
        #expect(peak.withLock { $0 } <= 2)
        let stats = pool.stats
        #expect(stats.open == stats.idle)
        #expect(stats.waiting == 0)
    }

    @Test func exhaustedPoolTimesOut() throws {
        let pool = PostgresPool(conninfo: try TestCluster.shared.get().conninfo(), size: 1, acquireTimeout: .milliseconds(200))
        defer { pool.close() }
        let started = Date()
        let error = #expect(throws: PostgresError.self) {
            try pool.withConnection { _ in try pool.query("SELECT 1") }
        }
        #expect(error?.kind == .poolTimeout)
        #expect(error?.isUnavailable == true)
        #expect(Date().timeIntervalSince(started) >= 0.19)
        #expect(try pool.query("SELECT 1 AS one").first?.decode("one", as: Int.self) == 1)
    }

    @Test func failedTransactionLeavesPooledConnectionUsable() throws {
        let pool = PostgresPool(conninfo: try TestCluster.shared.get().conninfo(), size: 1)
        defer { pool.close() }
        #expect(throws: PostgresError.self) {
            try pool.transaction { tx in try tx.query("SELECT 1/0") }
        }
        try pool.withConnection { connection in
            try connection.execute(unsafeSQL: "BEGIN")
            _ = try? connection.query("SELECT 1/0")
        }
        #expect(try pool.query("SELECT 2 AS two").first?.decode("two", as: Int.self) == 2)
        #expect(pool.stats.open == 1)
    }

    @Test func closedPoolRefusesWork() throws {
        let pool = PostgresPool(conninfo: try TestCluster.shared.get().conninfo(), size: 2)
        try pool.query("SELECT 1")
        pool.close()
        #expect(pool.stats.open == 0)
        let error = #expect(throws: PostgresError.self) { try pool.query("SELECT 1") }
        #expect(error?.kind == .connection)
    }
}
