import Testing
@testable import FleetJSON

@Suite struct JSONObjectReaderTests {
    @Test func readsRequiredAndOptionalMembers() throws {
        var reader = try JSONObjectReader(try JSON.parse(#"{"name": "n", "ttl": 5, "labels": {"a": "b"}}"#))
        let name: String = try reader.require("name")
        let ttl: Int? = try reader.optional("ttl")
        let missing: Int? = try reader.optional("missing")
        let labels: [String: String] = try reader.require("labels")
        try reader.finish()
        #expect(name == "n" && ttl == 5 && missing == nil && labels == ["a": "b"])
    }

    @Test func unknownFieldsAreNamed() throws {
        var reader = try JSONObjectReader(try JSON.parse(#"{"name": "n", "colour": "red", "size": 1}"#))
        _ = try reader.require("name", as: String.self)
        #expect(throws: JSONError(path: "", message: "unknown fields 'colour', 'size'")) { try reader.finish() }
    }

    @Test func wrongTypesNameThePath() throws {
        var reader = try JSONObjectReader(try JSON.parse(#"{"labels": {"env": 3}}"#))
        #expect(throws: JSONError(path: "labels.env", message: "expected string, got integer")) {
            _ = try reader.require("labels", as: [String: String].self)
        }
    }

    @Test func missingRequiredFieldIsReported() throws {
        var reader = try JSONObjectReader(JSON.object([:]))
        #expect(throws: JSONError(path: "type", message: "required field is missing")) { _ = try reader.require("type", as: String.self) }
    }

    @Test func nonObjectBodiesAreRejected() {
        #expect(throws: JSONError.self) { _ = try JSONObjectReader(.array([])) }
    }

    @Test func rawDistinguishesNullFromAbsent() throws {
        var reader = try JSONObjectReader(try JSON.parse(#"{"a": null}"#))
        #expect(reader.raw("a") == .null)
        #expect(reader.raw("b") == nil)
    }

    @Test func integersRejectFractions() throws {
        #expect(throws: JSONError.self) { _ = try Int(json: .double(1.5), path: "n") }
        #expect((try? Int(json: .double(2.0), path: "n")) == 2)
    }
}
