import FleetPostgres
import Testing

@Suite struct QueryTests {
    @Test func interpolatedValuesBecomeNumberedParameters() {
        let name = "fleet"
        let limit = 10
        let query: Query = "SELECT * FROM devices WHERE name = \(name) LIMIT \(limit)"
        #expect(query.sql == "SELECT * FROM devices WHERE name = $1 LIMIT $2")
        #expect(query.binds == ["fleet", "10"])
    }

    @Test func interpolatedStringLiteralIsBoundNotSpliced() {
        let query: Query = "a = \("x")"
        #expect(query.sql == "a = $1")
        #expect(query.binds == ["x"])
    }

    @Test func nilOptionalBindsNull() {
        let missing: String? = nil
        let query: Query = "SELECT \(missing)"
        #expect(query.sql == "SELECT $1")
        #expect(query.binds == [nil])
    }

    @Test func splicedFragmentIsRenumbered() {
        let filter: Query = "labels @> \(["a", "b"]) AND id > \(5)"
        let query: Query = "SELECT \(1) FROM t WHERE \(filter) AND owner = \("x" as String)"
        #expect(query.sql == "SELECT $1 FROM t WHERE labels @> $2 AND id > $3 AND owner = $4")
        #expect(query.binds == ["1", "{\"a\",\"b\"}", "5", "x"])
    }

    @Test func dollarSignInLiteralTextIsNeverRenumbered() {
        let fragment = Query(unsafeSQL: "'$1' || ") + "\(42)"
        var query: Query = "SELECT \(1), \(2), "
        query.append(fragment)
        #expect(query.sql == "SELECT $1, $2, '$1' || $3")
        #expect(query.binds == ["1", "2", "42"])
    }

    @Test func joinedFragmentsNumberInOrder() {
        let parts: [Query] = ["a = \(1)", "b = \(2)", "c IS NULL"]
        let query = "SELECT * FROM t WHERE " + Query.joined(parts, separator: " AND ")
        #expect(query.sql == "SELECT * FROM t WHERE a = $1 AND b = $2 AND c IS NULL")
        #expect(query.binds == ["1", "2"])
        #expect(Query.joined([], separator: ", ").sql == "")
    }

    @Test func unsafeSQLIsInsertedVerbatim() {
        let column = "created_at"
        let query: Query = "SELECT * FROM t ORDER BY \(unsafeSQL: column) DESC LIMIT \(3)"
        #expect(query.sql == "SELECT * FROM t ORDER BY created_at DESC LIMIT $1")
        #expect(query.binds == ["3"])
        #expect(Query(unsafeSQL: "SELECT 1").binds.isEmpty)
    }
}
