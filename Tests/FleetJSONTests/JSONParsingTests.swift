import Testing
@testable import FleetJSON

@Suite struct JSONParsingTests {
    @Test func parsesEveryValueType() throws {
        let value = try JSON.parse(#"{"s": "x", "i": 42, "d": 1.5, "t": true, "f": false, "n": null, "a": [1, "two"], "o": {"k": "v"}}"#)
        #expect(value["s"] == .string("x"))
        #expect(value["i"] == .int(42))
        #expect(value["d"] == .double(1.5))
        #expect(value["t"] == .bool(true))
        #expect(value["f"] == .bool(false))
        #expect(value["n"] == .null)
        #expect(value["a"] == .array([.int(1), .string("two")]))
        #expect(value["o"]?["k"] == .string("v"))
    }

    @Test(arguments: ["", "{", "{\"a\": }", "[1, 2", "{\"a\": 1,}", "nul", "{'a': 1}", "\u{FF}"])
    func malformedInputIsAnErrorWithAReason(_ text: String) {
        #expect(throws: JSONError.self) { try JSON.parse(text) }
    }

    @Test func malformedInputNamesLineAndColumn() {
        do {
            _ = try JSON.parse("{\n  \"a\": tru\n}")
            Issue.record("expected an error")
        } catch let error as JSONError {
            #expect(error.description.contains("line 2"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func duplicateKeysAreRejected() {
        #expect(throws: JSONError.self) { try JSON.parse(#"{"a": 1, "a": 2}"#) }
    }

    @Test func invalidUTF8IsRejected() {
        #expect(throws: JSONError.self) { try JSON.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func deepNestingDoesNotCrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError.self) { try JSON.parse(deep) }
    }

    @Test func serialisationRoundTripsAndSortsKeys() throws {
        let value: JSON = ["b": [1, 2.5, "x\n\"q\"", nil, true], "a": ["z": "é✓"]]
        let text = value.serialized()
        #expect(text == #"{"a":{"z":"é✓"},"b":[1,2.5,"x\n\"q\"",null,true]}"#)
        #expect(try JSON.parse(text) == value)
        #expect(try JSON.parse(value.prettyPrinted()) == value)
    }

    @Test func stringsWithNULAreRejected() {
        #expect(throws: JSONError.self) { try JSON.parse(#"{"name": "a\u0000b"}"#) }
        #expect(throws: JSONError.self) { try JSON.parse(#"{"a\u0000": 1}"#) }
    }

    @Test func largeIntegersStayExact() throws {
        let value = try JSON.parse("9007199254740993")
        #expect(value == .int(9_007_199_254_740_993))
        #expect(value.serialized() == "9007199254740993")
    }
}
