import Foundation
import FleetPostgres
import Testing

@Suite struct PostgresTextTests {
    @Test func arrayLiteralQuotesAndEscapesEveryElement() {
        let values: [String?] = ["plain", "with \"quote\"", "back\\slash", "a,b", "{braces}", "", "NULL", nil]
        #expect(values.postgresText == #"{"plain","with \"quote\"","back\\slash","a,b","{braces}","","NULL",NULL}"#)
        #expect([Int]().postgresText == "{}")
        #expect([1, 2].postgresText == #"{"1","2"}"#)
    }

    @Test func textArrayOutputIsParsed() throws {
        let parsed = try [String](postgresText: #"{plain,"with \"quote\"","back\\slash","a,b","{braces}","","NULL"}"#)
        #expect(parsed == ["plain", "with \"quote\"", "back\\slash", "a,b", "{braces}", "", "NULL"])
        #expect(try [String](postgresText: "{}") == [])
        #expect(try [Int](postgresText: "[0:1]={7,8}") == [7, 8])
        #expect(throws: PostgresError.self) { try [String](postgresText: "{a,NULL}") }
        #expect(throws: PostgresError.self) { try [String](postgresText: "{{a},{b}}") }
        #expect(throws: PostgresError.self) { try [String](postgresText: #"{"unterminated}"#) }
    }

    @Test func dateTextRoundTrips() throws {
        let date = Date(timeIntervalSince1970: 1_795_935_600.123456)
        #expect(date.postgresText == "2026-11-29T07:00:00.123456Z")
        #expect(try Date(postgresText: "2026-11-29 07:00:00.123456+00").postgresText == "2026-11-29T07:00:00.123456Z")
        #expect(try Date(postgresText: "2026-11-29 07:00:00+00").postgresText == "2026-11-29T07:00:00.000000Z")
        #expect(try Date(postgresText: "2026-11-29 09:30:00.5+02:30").postgresText == "2026-11-29T07:00:00.500000Z")
        #expect(try Date(postgresText: "2026-11-29T07:00:00.123456Z").postgresText == "2026-11-29T07:00:00.123456Z")
        #expect(try Date(postgresText: "1969-12-31 23:59:59.999999+00").postgresText == "1969-12-31T23:59:59.999999Z")
        #expect(try Date(postgresText: "2024-02-29").postgresText == "2024-02-29T00:00:00.000000Z")
        #expect(throws: PostgresError.self) { try Date(postgresText: "2026-13-01 00:00:00+00") }
        #expect(throws: PostgresError.self) { try Date(postgresText: "infinity") }
    }

    @Test func scalarsUsePostgresSpelling() throws {
        let id = UUID(uuidString: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")!
        #expect(id.postgresText == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
        #expect(true.postgresText == "true")
        #expect(try Bool(postgresText: "f") == false)
        #expect(try Double(postgresText: "-Infinity") == -.infinity)
        #expect(try Int64(postgresText: "-9223372036854775808") == .min)
        #expect(throws: PostgresError.self) { try Int(postgresText: "12x") }
        #expect(throws: PostgresError.self) { try Bool(postgresText: "yes") }
    }

    @Test func byteaUsesHexFormat() throws {
        let bytes: [UInt8] = [0x00, 0xff, 0x10, 0xab]
        #expect(bytes.postgresText == #"\x00ff10ab"#)
        #expect(try [UInt8](postgresText: #"\x00FF10ab"#) == bytes)
        #expect(throws: PostgresError.self) { try [UInt8](postgresText: #"\x0"#) }
        #expect(throws: PostgresError.self) { try [UInt8](postgresText: "abc") }
    }

    @Test func errorsClassifyThemselves() {
        let duplicate = PostgresError(kind: .query, message: "duplicate key", sqlState: "23505", detail: "Key (token)=(secret)", constraint: "tokens_key")
        #expect(duplicate.isUniqueViolation)
        #expect(!duplicate.isUnavailable)
        #expect(!duplicate.description.contains("secret"))
        #expect(duplicate.description.contains("tokens_key"))
        #expect(PostgresError(kind: .query, message: "shutdown", sqlState: "57P01").isUnavailable)
        #expect(PostgresError(kind: .query, message: "lost", sqlState: "08006").isUnavailable)
        #expect(PostgresError(kind: .poolTimeout, message: "busy").isUnavailable)
    }
}
