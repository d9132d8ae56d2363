import Testing
import FleetJSON
@testable import FleetYAML

@Suite struct YAMLReaderTests {
    @Test func readsTheCoreSchema() throws {
        let json = try YAMLReader.parse("""
            strings: [yes, no, on, off, y, 1.0.0, 2026-01-01, 0b11, 1_000, 012abc]
            nulls: [null, Null, ~, !!null ""]
            empty:
            flags: [true, False, TRUE]
            ints: [0, -7, +3, 0o17, 0x1F, 012]
            floats: [1.5, -0.25, 1e3, .5, 1., 2E-2]
            quoted: ["true", '12', "null"]
            tagged: [!!str 12, !!int "12", !!float 1, !!bool "true", !!null "", ! 12]
            """)
        #expect(json == [
            "strings": ["yes", "no", "on", "off", "y", "1.0.0", "2026-01-01", "0b11", "1_000", "012abc"],
            "nulls": [nil, nil, nil, nil], "empty": nil, "flags": [true, false, true],
            "ints": [0, -7, 3, 15, 31, 12], "floats": [1.5, -0.25, 1000.0, 0.5, 1.0, 0.02],
            "quoted": ["true", "12", "null"], "tagged": ["12", 12, 1.0, true, nil, "12"],
        ])
    }

    @Test func blockScalarsAndFlowCollections() throws {
        let json = try YAMLReader.parse("""
            literal: |
              line one
              line two
            folded: >
              a
              b
            flow: {a: [1, {b: c}], d: "e"}
            """)
        #expect(json == ["literal": "line one\nline two\n", "folded": "a b\n", "flow": ["a": [1, ["b": "c"]], "d": "e"]])
    }

    @Test func refusesNonStringKeysWithTheirLine() throws {
        for (text, message) in [("a: 1\n1: x\n", "keys must be strings: '1' reads as an integer; quote it"),
                                ("a: 1\ntrue: x\n", "keys must be strings: 'true' reads as a boolean; quote it"),
                                ("a: 1\n~: x\n", "keys must be strings: '~' reads as null; quote it"),
                                ("a: 1\n[x]: y\n", "keys must be strings, not explicit keys (?), collections or aliases"),
                                ("a: 1\n? {x: 1}\n: y\n", "keys must be strings, not explicit keys (?), collections or aliases")] {
            let error = try #require(throws: YAMLError.self) { try YAMLReader.parse(text) }
            #expect(error.message == message, "\(text)")
            #expect(error.line == 2, "\(text)")
        }
        #expect(try YAMLReader.parse("\"1\": x\n'true': y\n!!str 2: z\n") == ["1": "x", "true": "y", "2": "z"])
    }

    @Test func refusesWhatJSONCannotHold() throws {
        for (text, expected) in [("x: .inf", "'.inf' cannot be written as JSON, which has no infinity or NaN"),
                                 ("x: -.Inf", "'-.Inf' cannot be written as JSON, which has no infinity or NaN"),
                                 ("x: .nan", "'.nan' cannot be written as JSON, which has no infinity or NaN"),
                                 ("x: 99999999999999999999", "'99999999999999999999' is not an integer of at most 64 bits"),
                                 ("x: !!int abc", "'abc' is not an integer of at most 64 bits"),
                                 ("x: !!binary aGk=", "unsupported tag tag:yaml.org,2002:binary (use !!str, !!int, !!float, !!bool or !!null, or none)"),
                                 ("x: !custom 1", "unsupported tag !custom (use !!str, !!int, !!float, !!bool or !!null, or none)"),
                                 ("base: &b {a: 1}\nx:\n  <<: *b\n", "merge keys (<<) are not supported: write the members out")] {
            let error = try #require(throws: YAMLError.self) { try YAMLReader.parse(text) }
            #expect(error.message == expected, "\(text)")
        }
    }

    @Test func duplicateKeysAndSyntaxErrorsNameTheLine() throws {
        let duplicate = try #require(throws: YAMLError.self) { try YAMLReader.parse("a: 1\nb: 2\na: 3\n") }
        #expect(duplicate.description.contains("duplicate key 'a'"), "\(duplicate)")
        let syntax = try #require(throws: YAMLError.self) { try YAMLReader.parse("a: 1\nb: [1, 2\nc: 3\n") }
        #expect(syntax.line == 3 || syntax.line == 4, "\(syntax)")
        let tab = try #require(throws: YAMLError.self) { try YAMLReader.parse("a:\n\t- 1\n") }
        #expect(tab.line == 2, "\(tab)")
    }

    @Test func aliasesWithinBoundsAreReadAndBombsAreRefused() throws {
        #expect(try YAMLReader.parse("a: &x {k: v}\nb: *x\n") == ["a": ["k": "v"], "b": ["k": "v"]])
        var bomb = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            bomb += "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let clock = ContinuousClock()
        let start = clock.now
        let error = try #require(throws: YAMLError.self) { try YAMLReader.parse(bomb) }
        #expect(error.message.hasPrefix("the document expands to more than 100000 values"), "\(error)")
        #expect(clock.now - start < .seconds(5))
    }

    /// Yams hashes keys to find duplicates, so a key that aliases a bomb must be refused before Yams reads it.
    @Test func anAliasBombUsedAsAKeyIsRefusedBeforeYamsHashesIt() throws {
        var bomb = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            bomb += "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let clock = ContinuousClock()
        let start = clock.now
        for key in ["*l8 : 1", "*l8: 1", "? *l8\n: 1", "{*l8 : 1}", "[*l8]: 1", "- *l8 : 1"] {
            let error = try #require(throws: YAMLError.self) { try YAMLReader.parse(bomb + "m:\n  " + key.replacingOccurrences(of: "\n", with: "\n  ") + "\n") }
            #expect(error.line == 11 && error.message == "keys must be strings, not explicit keys (?), collections or aliases", "\(key): \(error)")
        }
        #expect(clock.now - start < .seconds(5))
    }

    @Test func theKeyScanLeavesQuotesCommentsAndBlockScalarsAlone() throws {
        let json = try YAMLReader.parse("""
            a: "[x]: y ? *z : w"
            b: '? it''s [q]: r'   # [c]: d
            c: |
              ? not a key
              [a]: b
              *x : y
            d:
            - >-
              * a list
                ? in prose: yes
            - e
            f: x [y]: z
            g: [1, {h: *ref}]
            i: &ref v
            j: {k: [1, 2], l: m}
            """.replacingOccurrences(of: "x [y]: z", with: "'x [y]: z'").replacingOccurrences(of: "*ref}", with: "v}"))
        #expect(json["a"] == "[x]: y ? *z : w")
        #expect(json["b"] == "? it's [q]: r")
        #expect(json["c"] == "? not a key\n[a]: b\n*x : y\n")
        #expect(json["d"] == ["* a list\n  ? in prose: yes", "e"])
        #expect(json["j"] == ["k": [1, 2], "l": "m"])
        #expect(try YAMLReader.parse("a: &x [1]\nb: *x\nc:\n- *x\n") == ["a": [1], "b": [1], "c": [[1]]], "aliases as values are fine")
    }

    @Test func deepNestingIsRefused() throws {
        let deep = String(repeating: "[", count: 150) + String(repeating: "]", count: 150)
        let error = try #require(throws: YAMLError.self) { try YAMLReader.parse(deep) }
        #expect(error.message == "nested deeper than 100 levels")
    }

    @Test func aStreamIsSplitIntoDocumentsThatFailAlone() throws {
        let documents = YAMLReader.documents(in: """
            # a comment before anything
            ---
            name: north
            ---
            # only a comment
            ---
            name: [broken
            --- {name: inline}
            ...
            %YAML 1.2
            ---
            name: last
            """)
        #expect(documents.map(\.index) == [1, 2, 3, 4])
        #expect(documents.map(\.line) == [2, 6, 8, 10])
        #expect(try documents[0].content.get() == ["name": "north"])
        guard case .failure(let error) = documents[1].content else { Issue.record("document 2 is malformed"); return }
        #expect(error.line == 8, "lines count from the top of the stream: \(error)")
        #expect(try documents[2].content.get() == ["name": "inline"])
        #expect(try documents[3].content.get() == ["name": "last"])
        #expect(YAMLReader.documents(in: "").isEmpty)
        #expect(YAMLReader.documents(in: "---\n---\n# nothing\n").isEmpty)
        #expect(YAMLReader.documents(in: "a: 1\r\nb: 2\r\n").map { try? $0.content.get() } == [["a": 1, "b": 2]])
    }

    @Test func aSecondDocumentInParseIsRefused() throws {
        #expect(throws: YAMLError.self) { try YAMLReader.parse("a: 1\n---\nb: 2\n") }
    }
}
