import Testing
import FleetJSON
@testable import FleetClient

@Suite struct YAMLRendererTests {
    @Test func rendersNestedObjectsAndArrays() {
        let json: JSON = [
            "id": "abc", "labels": ["env": "prod"], "items": [["a": 1, "b": true], "x"], "empty": [:], "none": [],
            "nothing": nil,
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

            """)
    }

    @Test func quotesStringsThatWouldReadAsSomethingElse() {
        #expect(YAMLRenderer.string("true") == #""true""#)
        #expect(YAMLRenderer.string("null") == #""null""#)
        #expect(YAMLRenderer.string("42") == #""42""#)
        #expect(YAMLRenderer.string("1e3") == #""1e3""#)
        #expect(YAMLRenderer.string("") == #""""#)
        #expect(YAMLRenderer.string("a: b") == #""a: b""#)
        #expect(YAMLRenderer.string("- x") == #""- x""#)
        #expect(YAMLRenderer.string("2026-01-01T00:00:00Z") == #""2026-01-01T00:00:00Z""#)
        #expect(YAMLRenderer.string("line\nbreak") == #""line\nbreak""#)
        #expect(YAMLRenderer.string(".inf") == #"".inf""#)
        #expect(YAMLRenderer.string("program.load") == "program.load")
        #expect(YAMLRenderer.string("http://127.0.0.1:8080") == "http://127.0.0.1:8080")
    }

    @Test func topLevelScalarsAndNestedArrays() {
        #expect(YAMLRenderer.render(.string("x")) == "x\n")
        #expect(YAMLRenderer.render([[1, 2], [:]]) == "-\n  - 1\n  - 2\n- {}\n")
        #expect(YAMLRenderer.render(["k": ["v": [1]]]) == "k:\n  v:\n  - 1\n")
    }
}
