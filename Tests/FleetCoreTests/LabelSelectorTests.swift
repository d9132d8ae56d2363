import Testing
@testable import FleetCore

@Suite struct LabelSelectorTests {
    @Test func parsesEveryOperator() throws {
        let selector = try LabelSelector(parsing: "env=prod, tier==edge,zone!=eu, arch in (arm64, amd64),site notin (a,b),gpu,!legacy")
        #expect(selector.requirements == [
            .equals("env", "prod"), .equals("tier", "edge"), .notEquals("zone", "eu"), .isIn("arch", ["arm64", "amd64"]),
            .notIn("site", ["a", "b"]), .exists("gpu"), .doesNotExist("legacy"),
        ])
    }

    @Test func emptySelectsEverything() throws {
        let selector = try LabelSelector(parsing: "  ")
        #expect(selector.requirements.isEmpty)
        #expect(selector.matches([:]))
    }

    @Test func prefixedKeysAndEmptyValues() throws {
        let selector = try LabelSelector(parsing: "fleet.example.com/role=,app")
        #expect(selector.requirements == [.equals("fleet.example.com/role", ""), .exists("app")])
    }

    @Test(arguments: ["=x", "a=", "a in b", "a in (x", "a in (x,)", "a notin ()", "a,", ",a", "a=b c", "a!b", "a in (x) b", "-a=b", "a=(b)", "!", "a==", "a=b,,c"])
    func malformedSelectorsAreRejected(_ text: String) {
        if text == "a=" || text == "a==" {
            #expect((try? LabelSelector(parsing: text)) != nil)
            return
        }
        #expect(throws: LabelSelectorError.self) { try LabelSelector(parsing: text) }
    }

    @Test func errorsNameThePosition() {
        #expect(throws: LabelSelectorError(position: 8, message: "expected ',' or ')' in value list")) {
            try LabelSelector(parsing: "a in (x y)")
        }
    }

    @Test func matchingFollowsKubernetesSemantics() throws {
        let labels = ["env": "prod", "arch": "arm64"]
        #expect(try LabelSelector(parsing: "env=prod").matches(labels))
        #expect(!(try LabelSelector(parsing: "env=dev").matches(labels)))
        #expect(try LabelSelector(parsing: "zone!=eu").matches(labels))
        #expect(try LabelSelector(parsing: "arch in (arm64,riscv)").matches(labels))
        #expect(!(try LabelSelector(parsing: "zone in (eu)").matches(labels)))
        #expect(try LabelSelector(parsing: "zone notin (eu)").matches(labels))
        #expect(!(try LabelSelector(parsing: "arch notin (arm64)").matches(labels)))
        #expect(try LabelSelector(parsing: "env,!zone").matches(labels))
        #expect(!(try LabelSelector(parsing: "env,zone").matches(labels)))
    }

    @Test func descriptionRoundTrips() throws {
        let text = "a=b,c!=d,e in (f,g),h notin (i),j,!k"
        #expect(try LabelSelector(parsing: text).description == text)
    }
}
