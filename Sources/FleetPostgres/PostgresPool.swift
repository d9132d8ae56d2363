import Foundation

/// A bounded pool of `PostgresConnection`s for blocking callers (plain threads, never the Swift concurrency pool).
///
/// Connections open lazily up to `size`. A connection that is broken after use is discarded and
/// replaced on demand, so the pool recovers by itself once the database is reachable again.
public final class PostgresPool: Sendable {
    /// Open, idle and waiting counts at one instant.
    public struct Stats: Sendable {
        public let open: Int
        public let idle: Int
        public let waiting: Int
    }

    private let conninfo: String
    private let size: Int
    private let acquireTimeout: TimeInterval
    private let state = PoolState()

    /// - Parameters:
    ///   - size: the maximum number of open connections (at least 1).
    ///   - acquireTimeout: how long a caller waits for a free connection before `.poolTimeout`.
    public init(conninfo: String, size: Int, acquireTimeout: Duration = .seconds(5)) {
        self.conninfo = conninfo
        self.size = max(1, size)
        let (seconds, attoseconds) = acquireTimeout.components
        self.acquireTimeout = Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Lends a connection to `body` and takes it back afterwards.
    ///
    /// The closure must not keep the connection or use it after returning.
    /// - Throws: `.poolTimeout` when none frees up in time, `.connection` when opening fails or the
    ///   pool is closed, and whatever `body` throws.
    public func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try acquire()
        defer { release(connection) }
        return try body(connection)
    }

    /// Opens a connection of its own, outside the pool's bound, for a long job that must not take a pooled
    /// connection from requests (nor wait for one while holding another). The caller closes it.
    public func connectUnpooled() throws -> PostgresConnection {
        try PostgresConnection(conninfo: conninfo)
    }

    /// Runs one query on a pooled connection.
    @discardableResult
    public func query(_ query: Query) throws -> QueryResult {
        try withConnection { try $0.query(query) }
    }

    /// Runs `body` in a transaction on a pooled connection; see `PostgresConnection.transaction`.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try withConnection { try $0.transaction(body) }
    }

    public var stats: Stats {
        state.locked { Stats(open: $0.open, idle: $0.idle.count, waiting: $0.waiting) }
    }

    /// Closes idle connections now and busy ones when they come back; later use throws `.connection`.
    public func close() {
        let idle = state.locked { state -> [PostgresConnection] in
            state.closed = true
            state.open -= state.idle.count
            defer { state.idle.removeAll() }
            return state.idle
        }
        state.broadcast()
        idle.forEach { $0.close() }
    }

    private enum Acquired {
        case reuse(PostgresConnection)
        case open
    }

    private func acquire() throws -> PostgresConnection {
        let deadline = Date(timeIntervalSinceNow: acquireTimeout)
        while true {
            let acquired: Acquired = try state.locked { state in
                while true {
                    if state.closed { throw PostgresError(kind: .connection, message: "pool is closed") }
                    if let connection = state.idle.popLast() { return .reuse(connection) }
                    if state.open < size {
                        state.open += 1
                        return .open
                    }
                    state.waiting += 1
                    let signalled = state.wait(until: deadline)
                    state.waiting -= 1
                    if !signalled && state.idle.isEmpty && state.open >= size {
                        throw PostgresError(kind: .poolTimeout, message: "no connection free within \(acquireTimeout) s")
                    }
                }
            }
            switch acquired {
            case .reuse(let connection) where connection.isAliveAfterPolling():
                return connection
            case .reuse(let connection):
                connection.close()
                state.locked { $0.open -= 1 }
                state.signal()
            case .open:
                do {
                    return try PostgresConnection(conninfo: conninfo)
                } catch {
                    state.locked { $0.open -= 1 }
                    state.signal()
                    throw error
                }
            }
        }
    }

    private func release(_ connection: PostgresConnection) {
        connection.rollbackIfInTransaction()
        let keep = state.locked { state -> Bool in
            guard !state.closed, !connection.isBroken else {
                state.open -= 1
                return false
            }
            state.idle.append(connection)
            return true
        }
        if !keep { connection.close() }
        state.signal()
    }
}
