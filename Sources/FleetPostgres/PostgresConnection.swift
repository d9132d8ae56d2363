import Foundation
internal import CLibPQ

/// One libpq connection. Not for concurrent use: one caller at a time (the pool enforces it).
///
/// Sessions run with `TimeZone=UTC`, `DateStyle=ISO`, `client_encoding=UTF8` and
/// `application_name=fleet`. Statements are prepared once per connection and reused.
public final class PostgresConnection: @unchecked Sendable {
    // @unchecked Sendable: only one thread uses a connection at a time (the documented contract, enforced by PostgresPool).
    private(set) var handle: OpaquePointer?
    /// SQL text to prepared statement name.
    private var statements: [String: String] = [:]
    private var statementCounter = 0
    static let statementCacheLimit = 256

    /// Connects (blocking) and configures the session.
    /// - Throws: `PostgresError` of kind `.connection` when the server cannot be reached.
    public init(conninfo: String) throws {
        handle = PQconnectdb(conninfo)
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let error = PostgresError(kind: .connection, message: PostgresError.connectionMessage(handle))
            close()
            throw error
        }
        // Notices ("relation already exists, skipping") would otherwise go to stderr.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        do {
            try execute(unsafeSQL: "SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; "
                + "SET client_encoding = 'UTF8'; SET application_name = 'fleet'")
        } catch {
            close()
            throw error
        }
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// True once the connection is closed or lost; a broken connection never recovers.
    public var isBroken: Bool {
        guard let handle else { return true }
        return PQstatus(handle) != CONNECTION_OK
    }

    /// Closes the connection; later calls throw `.connection` errors.
    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
        statements.removeAll()
    }

    /// Runs one statement with its bound parameters (text format) and copies out the result.
    /// - Throws: `PostgresError`; kind `.connection` when the connection was lost.
    @discardableResult
    public func query(_ query: Query) throws -> QueryResult {
        let handle = try liveHandle()
        let name = try preparedStatement(for: query.sql, on: handle)
        let result = withCStrings(query.binds) { values in
            if let name {
                return PQexecPrepared(handle, name, Int32(values.count), values, nil, nil, 0)
            }
            return PQexecParams(handle, query.sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        do {
            return try consume(result)
        } catch let error as PostgresError {
            // A plan invalidated by DDL, or a statement dropped by DEALLOCATE/DISCARD: prepare anew next time.
            if name != nil, error.sqlState == "0A000" || error.sqlState == "26000" { statements[query.sql] = nil }
            throw error
        }
    }

    /// Runs raw SQL, possibly several statements separated by semicolons (used by migrations).
    /// - Throws: `PostgresError` for the first failing statement.
    public func execute(unsafeSQL sql: String) throws {
        let handle = try liveHandle()
        _ = try consume(PQexec(handle, sql))
    }

    /// Runs `body` between BEGIN and COMMIT; rolls back and rethrows when `body` throws.
    ///
    /// The closure must not keep the connection. If a statement failed inside `body` but `body`
    /// returned normally, the transaction is rolled back and a `.query` error (25P02) is thrown.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try execute(unsafeSQL: "BEGIN")
        let value: T
        do {
            value = try body(self)
        } catch {
            rollbackIfInTransaction()
            throw error
        }
        if let handle, PQtransactionStatus(handle) == PQTRANS_INERROR {
            rollbackIfInTransaction()
            throw PostgresError(kind: .query, message: "transaction aborted by an earlier error; rolled back",
                                sqlState: "25P02")
        }
        do {
            try execute(unsafeSQL: "COMMIT")
        } catch {
            rollbackIfInTransaction()
            throw error
        }
        return value
    }

    /// Ends an open or failed transaction so the connection can be reused; idle connections are untouched.
    func rollbackIfInTransaction() {
        guard let handle else { return }
        let status = PQtransactionStatus(handle)
        guard status == PQTRANS_INTRANS || status == PQTRANS_INERROR else { return }
        PQclear(PQexec(handle, "ROLLBACK"))
    }

    /// Reads any pending input without blocking, so a connection closed by the server is noticed.
    func isAliveAfterPolling() -> Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return false }
        return PQconsumeInput(handle) == 1 && PQstatus(handle) == CONNECTION_OK
    }

    private func liveHandle() throws -> OpaquePointer {
        guard let handle else { throw PostgresError(kind: .connection, message: "connection is closed") }
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(kind: .connection, message: PostgresError.connectionMessage(handle))
        }
        return handle
    }

    /// The cached statement name for `sql`, preparing it first if the cache has room; nil means "use PQexecParams".
    private func preparedStatement(for sql: String, on handle: OpaquePointer) throws -> String? {
        if let name = statements[sql] { return name }
        guard statements.count < Self.statementCacheLimit else { return nil }
        statementCounter += 1
        let name = "fleet_\(statementCounter)"
        _ = try consume(PQprepare(handle, name, sql, 0, nil))
        statements[sql] = name
        return name
    }

    /// Converts a result to Swift values or a typed error, clearing it either way.
    private func consume(_ result: OpaquePointer?) throws -> QueryResult {
        defer { PQclear(result) }
        guard let result else { throw PostgresError(result: nil, connection: handle) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            throw PostgresError(result: result, connection: handle)
        }
        return QueryResult(copying: result)
    }

    private func withCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = values.map { $0.map { strdup($0)! } }
        defer { copies.forEach { free($0) } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }
}
