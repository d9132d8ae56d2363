import Foundation
import FleetPostgres
import Testing

@Suite struct PostgresConnectionTests {
    private func connect() throws -> PostgresConnection {
        try PostgresConnection(conninfo: TestCluster.shared.get().conninfo())
    }

    private func roundTrip<T: PostgresBindable & PostgresDecodable>(_ value: T, as type: String, on connection: PostgresConnection) throws -> T {
        try connection.query("SELECT \(value)::\(unsafeSQL: type) AS v").first!.decode("v")
    }

    @Test func bindsOfEachTypeRoundTrip() throws {
        let connection = try connect()
        let text = "héllo 'quoted' \"double\" \\ back, {brace} ✓"
        #expect(try roundTrip(text, as: "text", on: connection) == text)
        #expect(try roundTrip(Int.min, as: "int8", on: connection) == Int.min)
        #expect(try roundTrip(Int64.max, as: "int8", on: connection) == Int64.max)
        #expect(try roundTrip(Int32.min, as: "int4", on: connection) == Int32.min)
        #expect(try roundTrip(0.1, as: "float8", on: connection) == 0.1)
        #expect(try roundTrip(-1.5e300, as: "float8", on: connection) == -1.5e300)
        #expect(try roundTrip(true, as: "bool", on: connection) == true)
        #expect(try roundTrip(false, as: "bool", on: connection) == false)
        let id = UUID()
        #expect(try roundTrip(id, as: "uuid", on: connection) == id)
        let date = Date(timeIntervalSince1970: 1_795_935_600.123456)
        #expect(try roundTrip(date, as: "timestamptz", on: connection).postgresText == date.postgresText)
        let bytes: [UInt8] = Array(0...255)
        #expect(try roundTrip(bytes, as: "bytea", on: connection) == bytes)
        let strings = ["a", "b,c", "d\"e", "f\\g", "{h}", "", "NULL", " spaced "]
        #expect(try roundTrip(strings, as: "text[]", on: connection) == strings)
        #expect(try roundTrip([3, -1, 7], as: "int[]", on: connection) == [3, -1, 7])
        #expect(try roundTrip([UUID](), as: "uuid[]", on: connection) == [])
        let withNull: [String?] = ["x", nil]
        let row = try connection.query("SELECT \(withNull)::text[] AS a, \(nil as Int?)::int AS n, \("{\"k\": 1}")::jsonb AS j").first!
        #expect(row.text("a") == "{x,NULL}")
        #expect(try row.decodeIfPresent("n", as: Int.self) == nil)
        #expect(try row.decode("j", as: String.self) == "{\"k\": 1}")
    }

    @Test func sessionIsUTCWithISODates() throws {
        let row = try connect().query("SELECT '2026-11-29 08:00:00.123456+01'::timestamptz AS t, current_setting('application_name') AS app").first!
        #expect(row.text("t") == "2026-11-29 07:00:00.123456+00")
        #expect(row.text("app") == "fleet")
    }

    @Test func injectionAttemptStaysData() throws {
        let connection = try connect()
        let table = "victims_\(UUID().uuidString.prefix(8).lowercased())"
        try connection.execute(unsafeSQL: "CREATE TABLE \(table) (name text)")
        let attack = "x'); DROP TABLE \(table); --"
        try connection.query("INSERT INTO \(unsafeSQL: table) (name) VALUES (\(attack))")
        let row = try connection.query("SELECT name FROM \(unsafeSQL: table) WHERE name = \(attack)").first
        #expect(try row?.decode("name", as: String.self) == attack)
    }

    @Test func uniqueViolationIsRecognised() throws {
        let connection = try connect()
        let table = "uniq_\(UUID().uuidString.prefix(8).lowercased())"
        try connection.execute(unsafeSQL: "CREATE TABLE \(table) (token text CONSTRAINT \(table)_token UNIQUE)")
        try connection.query("INSERT INTO \(unsafeSQL: table) VALUES (\("s3cret"))")
        let error = #expect(throws: PostgresError.self) {
            try connection.query("INSERT INTO \(unsafeSQL: table) VALUES (\("s3cret"))")
        }
        #expect(error?.isUniqueViolation == true)
        #expect(error?.kind == .query)
        #expect(error?.constraint == "\(table)_token")
        #expect(error?.detail?.contains("s3cret") == true)
        #expect(error?.description.contains("s3cret") == false)
        #expect(!connection.isBroken)
    }

    @Test func queryErrorsCarrySQLStateAndKeepTheConnection() throws {
        let connection = try connect()
        let error = #expect(throws: PostgresError.self) { try connection.query("SELEC \(1)") }
        #expect(error?.sqlState == "42601")
        #expect(error?.isUnavailable == false)
        #expect(try connection.query("SELECT 1 AS one").first?.decode("one", as: Int.self) == 1)
    }

    @Test func transactionRollsBackWhenBodyThrows() throws {
        let connection = try connect()
        let table = "tx_\(UUID().uuidString.prefix(8).lowercased())"
        try connection.execute(unsafeSQL: "CREATE TABLE \(table) (id int PRIMARY KEY)")
        #expect(throws: ExpectedFailure.self) {
            try connection.transaction { tx in
                try tx.query("INSERT INTO \(unsafeSQL: table) VALUES (\(1))")
                throw ExpectedFailure()
            }
        }
        #expect(throws: PostgresError.self) {
            try connection.transaction { tx in
                try tx.query("INSERT INTO \(unsafeSQL: table) VALUES (\(2))")
                try tx.query("INSERT INTO \(unsafeSQL: table) VALUES (\(2))")
            }
        }
        let swallowed = #expect(throws: PostgresError.self) {
            try connection.transaction { tx in
                try tx.query("INSERT INTO \(unsafeSQL: table) VALUES (\(3))")
                _ = try? tx.query("INSERT INTO \(unsafeSQL: table) VALUES (\(3))")
            }
        }
        #expect(swallowed?.sqlState == "25P02")
        let committed = try connection.transaction { tx in
            try tx.query("INSERT INTO \(unsafeSQL: table) VALUES (\(4))").affectedRows
        }
        #expect(committed == 1)
        let ids = try connection.query("SELECT id FROM \(unsafeSQL: table)").rows.map { try $0.decode("id", as: Int.self) }
        #expect(ids == [4])
    }

    @Test func preparedStatementIsReusedAcrossCalls() throws {
        let connection = try connect()
        for value in 0..<5 {
            let row = try connection.query("SELECT \(value)::int + 1 AS next").first
            #expect(try row?.decode("next", as: Int.self) == value + 1)
        }
        let prepared = try connection.query("SELECT statement FROM pg_prepared_statements").rows.compactMap { $0.text("statement") }
        #expect(prepared.filter { $0 == "SELECT $1::int + 1 AS next" }.count == 1)
    }

    @Test func rowDecodingReportsUnknownColumnsAndNulls() throws {
        let row = try connect().query("SELECT NULL::int AS n, 'x' AS s").first!
        #expect(throws: PostgresError.self) { try row.decode("n", as: Int.self) }
        #expect(throws: PostgresError.self) { try row.decode("missing", as: String.self) }
        #expect(throws: PostgresError.self) { try row.decode("s", as: Int.self) }
        #expect(try row.decodeIfPresent("n", as: Int.self) == nil)
        #expect(row.text("s") == "x")
    }

    @Test func affectedRowsCountsChanges() throws {
        let connection = try connect()
        let table = "n_\(UUID().uuidString.prefix(8).lowercased())"
        try connection.execute(unsafeSQL: "CREATE TABLE \(table) (v int); INSERT INTO \(table) SELECT generate_series(1, 3)")
        #expect(try connection.query("UPDATE \(unsafeSQL: table) SET v = v + \(1)").affectedRows == 3)
        #expect(try connection.query("SELECT v FROM \(unsafeSQL: table)").affectedRows == 3)
    }

    @Test func unreachableServerIsAConnectionError() {
        let error = #expect(throws: PostgresError.self) {
            _ = try PostgresConnection(conninfo: "host=/nonexistent-socket-dir port=1 user=fleet dbname=fleet")
        }
        #expect(error?.kind == .connection)
        #expect(error?.isUnavailable == true)
    }

    @Test func closedConnectionIsBroken() throws {
        let connection = try connect()
        #expect(!connection.isBroken)
        connection.close()
        #expect(connection.isBroken)
        #expect(throws: PostgresError.self) { try connection.query("SELECT 1") }
    }
}
