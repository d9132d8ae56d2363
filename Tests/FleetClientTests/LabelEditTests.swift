import Testing
@testable import FleetClient

@Suite struct LabelEditTests {
    @Test func setsAndRemovesLabels() throws {
        let changes = try LabelEdit.parse(["env=prod", "example.com/tier=edge", "canary-", "empty="])
        #expect(changes == ["env": "prod", "example.com/tier": "edge", "canary": String?.none, "empty": ""])
    }

    @Test func valueMayContainEqualsSignOnlyWhenValid() {
        #expect(throws: LabelEdit.ParseError.self) { try LabelEdit.parse(["k=a=b"]) }
    }

    @Test func rejectsArgumentsWithoutOperator() throws {
        let error = try #require(throws: LabelEdit.ParseError.self) { try LabelEdit.parse(["env"]) }
        #expect(error.description.contains("key=value"))
    }

    @Test func rejectsInvalidKeysAndValues() {
        #expect(throws: LabelEdit.ParseError.self) { try LabelEdit.parse(["Bad Key=1"]) }
        #expect(throws: LabelEdit.ParseError.self) { try LabelEdit.parse(["=v"]) }
        #expect(throws: LabelEdit.ParseError.self) { try LabelEdit.parse(["-"]) }
        #expect(throws: LabelEdit.ParseError.self) { try LabelEdit.parse(["k=-bad"]) }
    }

    @Test func rejectsAKeyNamedTwice() {
        #expect(throws: LabelEdit.ParseError.self) { try LabelEdit.parse(["env=prod", "env-"]) }
    }

    @Test func assignmentsRefuseRemovals() throws {
        #expect(try LabelEdit.parseAssignments(["site=lab"]) == ["site": "lab"])
        #expect(throws: LabelEdit.ParseError.self) { try LabelEdit.parseAssignments(["site-"]) }
    }

    @Test func formatsSortedByKey() {
        #expect(LabelEdit.format(["site": "b", "env": "prod"]) == "env=prod,site=b")
        #expect(LabelEdit.format([:]) == "")
    }
}
