import Testing
import FleetJSON
@testable import FleetYAML

@Suite struct YAMLRendererTests {
    @Test func rendersNestedObjectsAndArraysWithSortedKeys() {
        let json: JSON = [
            "id": "abc", "labels": ["env": "prod"], "items": [["a": 1, "b": true], "x"], "empty": [:], "none": [],
            "nothing": nil, "ratio": 0.1,
        ]
        #expect(YAMLRenderer.render(json) == """
            empty: {}
            id: abc
            items:
            - a: 1
              b: true
            - x
            labels:
              env: prod
            none: []
            nothing: null
            ratio: 0.1

            """)
    }

    @Test func quotesStringsThatWouldReadAsSomethingElse() {
        for text in ["true", "yes", "No", "on", "null", "~", "42", "1.0", "1e3", ".inf", "0x1F", "2026-01-01", "1:20",
                     "", " x", "a: b", "- x", "#x", "x #y", "*alias", "&anchor", "!tag", "{a}", "[a]", "x:"] {
            #expect(YAMLRenderer.string(text).hasPrefix("\""), "\(text) is quoted: \(YAMLRenderer.string(text))")
        }
        #expect(YAMLRenderer.string("yes") == #""yes""#)
        #expect(YAMLRenderer.string("1.0") == #""1.0""#)
        #expect(YAMLRenderer.string("null") == #""null""#)
        #expect(YAMLRenderer.string("2026-01-01T00:00:00Z") == #""2026-01-01T00:00:00Z""#)
        #expect(YAMLRenderer.string("line\nbreak") == #""line\nbreak""#)
        #expect(YAMLRenderer.string("program.load") == "program.load")
        #expect(YAMLRenderer.string("syscall_count@1.2.0") == "syscall_count@1.2.0")
        #expect(YAMLRenderer.string("http://127.0.0.1:8080") == "http://127.0.0.1:8080")
        #expect(YAMLRenderer.render(["yes": "no"]) == "\"yes\": \"no\"\n", "keys are quoted too")
    }

    @Test func topLevelScalarsAndNestedArrays() {
        #expect(YAMLRenderer.render(.string("x")) == "x\n")
        #expect(YAMLRenderer.render(.int(7)) == "7\n")
        #expect(YAMLRenderer.render([:]) == "{}\n")
        #expect(YAMLRenderer.render([[1, 2], [:]]) == "- - 1\n  - 2\n- {}\n")
        #expect(YAMLRenderer.render(["k": ["v": [1]]]) == "k:\n  v:\n  - 1\n")
    }

    @Test func longAndUnicodeStringsStayOnOneLineUnescaped() {
        let long = String(repeating: "word ", count: 40) + "end"
        #expect(YAMLRenderer.render(["k": .string(long)]) == "k: \(long)\n")
        #expect(YAMLRenderer.render(["k": "Zürich ✓"]) == "k: \"Zürich ✓\"\n")
    }

    /// Whatever the renderer writes, the reader reads back as the same JSON.
    @Test func outputReadsBackAsTheSameJSON() throws {
        let json: JSON = [
            "strings": ["yes", "1.0", "null", "", "a: b", "line\nbreak\ttab", "\u{1}bell\u{7}\u{7f}", "emoji 🛰", " padded ", "\"quoted\"", "back\\slash", "Zürich", "0o17", "-1"],
            "numbers": [0, -3, 9_007_199_254_740_993, 0.5, 1e-05, 1.5e300], "flags": [true, false], "none": nil,
            "nested": [["a": [[:], []]]], "weird keys": ["1": "one", "true": "t", "a b": "c", "": "empty"],
        ]
        #expect(try YAMLReader.parse(YAMLRenderer.render(json)) == json)
    }
}
