import Testing
@testable import FleetJSON

@Suite struct RealSerializationTests {
    @Test(arguments: [
        (0.1, "0.1"), (0.923, "0.923"), (100.0, "100.0"), (-2.5, "-2.5"), (1e-05, "1e-05"), (1e16, "1e+16"),
        (0.30000000000000004, "0.30000000000000004"), (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
    ])
    func realsAreWrittenWithTheShortestTextThatReadsBack(_ value: Double, _ expected: String) throws {
        let text = JSON.double(value).serialized()
        #expect(text == expected)
        #expect(try JSON.parse(text) == .double(value))
    }

    @Test func everyRealInADocumentIsShortenedAndNothingElseChanges() throws {
        let document: JSON = [
            "attach_ms": .double(0.923), "count": .int(12), "text": .string("0.10000000000000001 \"x\" 1.5e3"),
            "nested": .array([.double(0.1), .int(-7), .object(["k\"0.2": .double(2.675)])]), "flag": .bool(true), "none": .null,
        ]
        let compact = document.serialized()
        #expect(compact == #"{"attach_ms":0.923,"count":12,"flag":true,"nested":[0.1,-7,{"k\"0.2":2.675}],"none":null,"text":"0.10000000000000001 \"x\" 1.5e3"}"#)
        #expect(try JSON.parse(compact) == document)
        let pretty = document.prettyPrinted()
        #expect(pretty.contains("\"attach_ms\": 0.923"))
        #expect(try JSON.parse(pretty) == document)
    }

    @Test func randomDoublesReadBackExactly() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let value = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF) * (Bool.random() ? 1 : -1)
            let text = JSON.array([.double(value)]).serialized()
            #expect(try JSON.parse(text) == .array([.double(value)]), "\(text)")
            #expect(text.count <= 2 + value.description.count)
        }
    }

    @Test func integersKeepTheirDigits() {
        #expect(JSON.int(9_007_199_254_740_993).serialized() == "9007199254740993")
        #expect(JSON.array([.int(1), .double(1)]).serialized() == "[1,1.0]")
    }
}
