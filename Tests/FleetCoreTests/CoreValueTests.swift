import Foundation
import Testing
import FleetJSON
@testable import FleetCore

@Suite struct CoreValueTests {
    @Test func tokenSecretsCarryTheirKindAndAreUnique() {
        let a = TokenSecret.generate(.device)
        let b = TokenSecret.generate(.device)
        #expect(a != b)
        #expect(a.text.hasPrefix("fld_") && a.text.count == 68)
        #expect(TokenSecret(parsing: a.text) == a)
        #expect(!a.description.contains(a.text.dropFirst(4)))
    }

    @Test(arguments: ["", "fla_", "flx_" + String(repeating: "a", count: 64), "fla_" + String(repeating: "g", count: 64), "fla_" + String(repeating: "a", count: 63)])
    func malformedSecretsAreNotTokens(_ text: String) {
        #expect(TokenSecret(parsing: text) == nil)
    }

    @Test func rolesFollowTheTable() {
        #expect(Role.admin.satisfies(.operator) && Role.admin.satisfies(.viewer))
        #expect(Role.operator.satisfies(.viewer) && !Role.operator.satisfies(.admin))
        #expect(!Role.viewer.satisfies(.operator))
        #expect(!Role.device.satisfies(.viewer) && !Role.admin.satisfies(.device) && Role.device.satisfies(.device))
    }

    @Test func cursorsRoundTripAndRejectGarbage() {
        let cursor = Cursor(["2026-11-29T07:00:00.000001Z", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"])
        #expect(Cursor(encoded: cursor.encoded, arity: 2) == cursor)
        #expect(Cursor(encoded: cursor.encoded, arity: 1) == nil)
        #expect(Cursor(encoded: "%%%", arity: 1) == nil)
        #expect(Cursor(encoded: "bm90IGpzb24", arity: 1) == nil)
    }

    @Test func timestampsRoundTripAtMicrosecondPrecision() {
        let date = Date(timeIntervalSince1970: 1_795_935_600.123456)
        let text = Timestamp.format(date)
        #expect(text == "2026-11-29T07:00:00.123456Z")
        #expect(abs(Timestamp.parse(text)!.timeIntervalSince(date)) < 1e-6)
        #expect(Timestamp.parse("2026-11-29T08:00:00+01:00") == Timestamp.parse("2026-11-29T07:00:00Z"))
        #expect(Timestamp.parse("2026-13-01T00:00:00Z") == nil)
        #expect(Timestamp.parse("2026-02-31T00:00:00Z") == nil)
        #expect(Timestamp.parse("0000-01-01T00:00:00Z") == nil)
        #expect(Timestamp.parse("2028-02-29T00:00:00Z") != nil)
        #expect(Timestamp.parse("yesterday") == nil)
    }

    @Test func labelRules() {
        #expect(Labels.isValidKey("env") && Labels.isValidKey("fleet.example.com/role") && Labels.isValidKey("a_b.c-d"))
        #expect(!Labels.isValidKey("") && !Labels.isValidKey("-a") && !Labels.isValidKey("a/b/c") && !Labels.isValidKey(String(repeating: "a", count: 64)))
        #expect(Labels.isValidValue("") && Labels.isValidValue("v1.2") && !Labels.isValidValue("has space"))
    }

    @Test func commandTypeNames() {
        #expect(CommandType.isWellFormed("program.load") && CommandType.isWellFormed("vendor.reboot_now"))
        #expect(!CommandType.isWellFormed("") && !CommandType.isWellFormed("Program.Load") && !CommandType.isWellFormed("a b"))
    }

    @Test func identifiersParseAndPrintLowercase() throws {
        let id = try #require(DeviceID("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"))
        #expect(id.description == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
        #expect(DeviceID("nope") == nil)
        #expect(throws: JSONError.self) { _ = try DeviceID(json: .string("x"), path: "device_id") }
    }
}
