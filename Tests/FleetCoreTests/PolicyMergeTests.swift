import Testing
import FleetJSON
@testable import FleetCore

@Suite struct PolicyDocumentTests {
    @Test func aWholeDocumentReadsAndWritesBackCanonically() throws {
        let text = """
            {"selector": "site=north,tier in (edge,core)", "priority": 10,
             "programs": [{"name": "syscalls", "program": "syscall_count@1.2.0", "rodata": {"target_pid": 42},
                           "attach": {"type": "tracepoint", "target": "raw_syscalls/sys_enter"}}],
             "models": [{"name": "anomaly", "model": "anomaly@3",
                         "run": {"every_seconds": 10, "features_from": {"program": "syscalls", "map": "syscall_total"}}}],
             "telemetry": {"interval_seconds": 15}}
            """
        let document = try PolicyDocument(json: JSON.parse(text))
        #expect(document.priority == 10)
        #expect(document.programs.first?.program == ArtifactReference(name: "syscall_count", version: "1.2.0"))
        #expect(document.models.first?.run == PolicyDocument.ModelRun(everySeconds: 10, program: "syscalls", map: "syscall_total"))
        #expect(document.telemetryIntervalSeconds == 15)
        #expect(try PolicyDocument(json: document.json) == document, "the canonical form reads back as the same document")
        let shuffled = try PolicyDocument(json: JSON.parse(#"{"priority": 10, "telemetry": {"interval_seconds": 15}, "models": [{"model": "anomaly@3", "name": "anomaly", "run": {"features_from": {"map": "syscall_total", "program": "syscalls"}, "every_seconds": 10}}], "programs": [{"attach": {"target": "raw_syscalls/sys_enter", "type": "tracepoint"}, "rodata": {"target_pid": 42}, "program": "syscall_count@1.2.0", "name": "syscalls"}], "selector": "site=north,tier in (edge,core)"}"#))
        #expect(shuffled.json.serialized() == document.json.serialized(), "key order does not change the canonical text")
    }

    @Test(arguments: [
        (#"{"priority": 1}"#, "selector"),
        (#"{"selector": "a=", "x": 1}"#, ""),
        (#"{"selector": "a in (b"}"#, "selector"),
        (#"{"selector": "", "priority": "high"}"#, "priority"),
        (#"{"selector": "", "priority": 2000000}"#, "priority"),
        (#"{"selector": "", "programs": [{"name": "p", "program": "nover"}]}"#, "programs[0].program"),
        (#"{"selector": "", "programs": [{"name": "p", "program": "a@1", "colour": "red"}]}"#, "programs[0]"),
        (#"{"selector": "", "programs": [{"name": "p", "program": "a@1"}, {"name": "p", "program": "b@1"}]}"#, "programs[1].name"),
        (#"{"selector": "", "programs": [{"name": "../etc", "program": "a@1"}]}"#, "programs[0].name"),
        (#"{"selector": "", "programs": [{"name": "p", "program": "a@1", "attach": "xdp"}]}"#, "programs[0].attach"),
        (#"{"selector": "", "models": [{"name": "m", "model": "m@1", "run": {"every_seconds": 0, "features_from": {"program": "p", "map": "x"}}}]}"#, "models[0].run.every_seconds"),
        (#"{"selector": "", "models": [{"name": "m", "model": "m@1", "run": {"every_seconds": 5}}]}"#, "models[0].run.features_from"),
        (#"{"selector": "", "telemetry": {"interval_seconds": 0}}"#, "telemetry.interval_seconds"),
        (#"["not", "an", "object"]"#, ""),
    ])
    func badDocumentsNameThePathAtFault(_ text: String, _ path: String) throws {
        let error = try #require(throws: JSONError.self) { try PolicyDocument(json: JSON.parse(text)) }
        #expect(error.path == path, "\(text): \(error)")
    }

    @Test func artifactReferencesAreNameAtVersion() {
        #expect(ArtifactReference("anomaly@3")?.description == "anomaly@3")
        for bad in ["anomaly", "@3", "anomaly@", "a@b@c", "a b@1"] { #expect(ArtifactReference(bad) == nil, "\(bad)") }
        #expect(PolicyName.isValid("north-edge-2"))
        for bad in ["", "North", "-x", "x-", "a_b", String(repeating: "a", count: 64)] { #expect(!PolicyName.isValid(bad), "\(bad)") }
    }
}

@Suite struct PolicyMergeTests {
    static func policy(_ name: String, _ selector: String, priority: Int = 0, revision: Int = 1,
                       programs: [(String, String)] = [], models: [(String, String)] = [], telemetry: Int? = nil) throws -> PolicyInput {
        PolicyInput(name: name, revision: revision, document: PolicyDocument(
            selector: try LabelSelector(parsing: selector), priority: priority,
            programs: programs.map { PolicyDocument.ProgramItem(name: $0.0, program: ArtifactReference($0.1)!) },
            models: models.map { PolicyDocument.ModelItem(name: $0.0, model: ArtifactReference($0.1)!) },
            telemetryIntervalSeconds: telemetry))
    }

    @Test func onlyMatchingPoliciesContributeAndTheHigherPriorityWinsPerItem() throws {
        let policies = [
            try Self.policy("base", "", priority: 0, programs: [("syscalls", "syscall_count@1.0.0"), ("net", "xdp@1")], telemetry: 60),
            try Self.policy("north", "site=north", priority: 10, revision: 4, programs: [("syscalls", "syscall_count@1.2.0")],
                            models: [("anomaly", "anomaly@3")], telemetry: 15),
            try Self.policy("south", "site=south", priority: 50, programs: [("syscalls", "syscall_count@9")]),
        ]
        let north = PolicyMerge.render(labels: ["site": "north"], policies: policies)
        #expect(north.programs["syscalls"]?.value.program.description == "syscall_count@1.2.0")
        #expect(north.programs["syscalls"]?.source == PolicySource(policy: "north", revision: 4))
        #expect(north.programs["net"]?.source.policy == "base")
        #expect(north.models.keys.sorted() == ["anomaly"])
        #expect(north.telemetryIntervalSeconds?.value == 15)
        #expect(north.conflicts.isEmpty)
        #expect(north.matched.map(\.policy) == ["base", "north"])
        let elsewhere = PolicyMerge.render(labels: ["site": "east"], policies: policies)
        #expect(elsewhere.programs["syscalls"]?.value.program.description == "syscall_count@1.0.0")
        #expect(elsewhere.models.isEmpty)
        #expect(PolicyMerge.render(labels: [:], policies: []) == PolicyRendering())
    }

    @Test func equalPrioritiesOnOneItemAreAConflictWonByPolicyNameOrder() throws {
        let policies = [
            try Self.policy("zeta", "", priority: 5, programs: [("syscalls", "syscall_count@2")], models: [("m", "m@1")], telemetry: 10),
            try Self.policy("alpha", "", priority: 5, programs: [("syscalls", "syscall_count@1")], telemetry: 20),
            try Self.policy("low", "", priority: 1, programs: [("syscalls", "syscall_count@0")]),
        ]
        for order in [policies, policies.reversed()] {
            let rendering = PolicyMerge.render(labels: [:], policies: Array(order))
            #expect(rendering.programs["syscalls"]?.source.policy == "alpha")
            #expect(rendering.telemetryIntervalSeconds?.value == 20)
            #expect(rendering.models["m"]?.source.policy == "zeta")
            #expect(rendering.conflicts == [
                PolicyConflict(kind: .program, item: "syscalls", policies: ["alpha", "zeta"], priority: 5),
                PolicyConflict(kind: .telemetry, item: "telemetry", policies: ["alpha", "zeta"], priority: 5),
            ], "the lower-priority policy is no party to the conflict")
        }
    }

    @Test func aDeviceCanBeHeldOnAnEarlierRevisionOfOnePolicy() throws {
        let old = try Self.policy("north", "", revision: 1, programs: [("syscalls", "syscall_count@1")])
        let new = try Self.policy("north", "", revision: 2, programs: [("syscalls", "syscall_count@2")])
        let other = try Self.policy("other", "", programs: [("net", "xdp@1")])
        let held = PolicyMerge.render(labels: [:], policies: [old, other])
        let moved = PolicyMerge.render(labels: [:], policies: [new, other])
        #expect(held.programs["syscalls"]?.value.program.version == "1")
        #expect(moved.programs["syscalls"]?.value.program.version == "2")
        #expect(held.programs["net"] == moved.programs["net"])
    }

    @Test func aHoldPicksTheHeldRevisionSelectorIncludedAndNothingElse() throws {
        let north1 = try Self.policy("north", "site=north", revision: 1, programs: [("syscalls", "syscall_count@1")])
        let north2 = try Self.policy("north", "site=south", revision: 2, programs: [("syscalls", "syscall_count@2")])
        let other = try Self.policy("other", "", revision: 4, programs: [("net", "xdp@1")])
        let revisions = ["north": [1: north1]]
        let held = PolicyMerge.inputs(current: [north2, other], holds: ["north": 1], revisions: revisions)
        #expect(held == [north1, other])
        #expect(PolicyMerge.render(labels: ["site": "north"], policies: held).matched.map(\.revision) == [1, 4],
                "the held revision's selector decides whether it applies")
        #expect(PolicyMerge.inputs(current: [north2, other], holds: [:], revisions: revisions) == [north2, other])
        #expect(PolicyMerge.inputs(current: [north2, other], holds: ["north": 3], revisions: revisions) == [north2, other],
                "a revision that is not loaded falls back to the current one")
        #expect(PolicyMerge.inputs(current: [north2, other], holds: ["north": 2], revisions: revisions) == [north2, other])
    }
}

@Suite struct PolicyOutcomeTests {
    let items = ["program/a": "north", "program/b": "north", "model/m": "south"]

    @Test func aReportForAnotherRevisionLeavesEveryPolicyPending() {
        let outcome = PolicyOutcome.of(policies: ["north", "south"], itemPolicies: items, desiredRevision: "r2",
                                       reportedRevision: "r1", reportedStates: ["program/a": "ready", "program/b": "ready", "model/m": "ready"])
        #expect(outcome == ["north": .pending, "south": .pending])
        #expect(PolicyOutcome.of(policies: ["north"], itemPolicies: items, desiredRevision: "r2", reportedRevision: nil,
                                 reportedStates: [:]) == ["north": .pending])
    }

    @Test func eachPolicyIsJudgedByItsOwnItems() {
        let outcome = PolicyOutcome.of(policies: ["north", "south", "empty"], itemPolicies: items, desiredRevision: "r",
                                       reportedRevision: "r", reportedStates: ["program/a": "ready", "program/b": "failed", "model/m": "ready"])
        #expect(outcome == ["north": .failed, "south": .converged, "empty": .converged])
        let applying = PolicyOutcome.of(policies: ["north"], itemPolicies: items, desiredRevision: "r", reportedRevision: "r",
                                        reportedStates: ["program/a": "ready", "program/b": "applying"])
        #expect(applying == ["north": .pending])
        let missing = PolicyOutcome.of(policies: ["north"], itemPolicies: items, desiredRevision: "r", reportedRevision: "r",
                                       reportedStates: ["program/a": "ready"])
        #expect(missing == ["north": .pending], "an item the report does not list is not ready")
        let failedWins = PolicyOutcome.of(policies: ["north"], itemPolicies: items, desiredRevision: "r", reportedRevision: "r",
                                          reportedStates: ["program/a": "pending", "program/b": "failed"])
        #expect(failedWins == ["north": .failed])
    }
}

@Suite struct DesiredStateTests {
    @Test func theRevisionIsStableUnderKeyOrderAndChangesWithContent() throws {
        let a = DesiredState(programs: ["p": try JSON.parse(#"{"program_id": "x", "sha256": "ab", "rodata": {"a": 1, "b": 0.1}}"#)],
                             models: [:], telemetryIntervalSeconds: 15)
        let b = DesiredState(programs: ["p": try JSON.parse(#"{"rodata": {"b": 0.1, "a": 1}, "sha256": "ab", "program_id": "x"}"#)],
                             models: [:], telemetryIntervalSeconds: 15)
        #expect(a.revision == b.revision)
        #expect(a.revision.count == 32 && a.revision.allSatisfy(\.isHexDigit))
        let c = DesiredState(programs: a.programs, models: [:], telemetryIntervalSeconds: 30)
        #expect(c.revision != a.revision)
        #expect(DesiredState.empty.revision != a.revision)
        #expect(try DesiredState(json: a.json) == a)
        var forged = a.json.objectValue!
        forged["revision"] = "0000"
        #expect(try DesiredState(json: .object(forged)).revision == a.revision, "a revision read back is computed, not trusted")
    }
}

@Suite struct ReconcilePlanTests {
    typealias Key = ReconcilePlan.Key
    static let p = Key(.program, "syscalls"), q = Key(.program, "net"), m = Key(.model, "anomaly"), u = Key(.program, "by-hand")

    @Test func missingChangedRemovedDriftedAndUnmanagedItems() {
        let plan = ReconcilePlan.plan(
            desired: [Self.p: "v2", Self.m: "m1", Key(.program, "new"): "n1"],
            observed: [
                Self.p: .init(fingerprint: "v1", managed: true),
                Self.q: .init(fingerprint: "x", managed: true),
                Self.m: .init(fingerprint: "m1", managed: true, intact: false),
                Self.u: .init(fingerprint: "h", managed: false),
                Key(.model, "old"): .init(fingerprint: "o", managed: true),
            ],
            retries: [:], now: 0)
        #expect(plan.actions == [.remove(Key(.model, "old")), .remove(Self.q), .add(Key(.program, "new")), .replace(Self.p), .repair(Self.m)])
        #expect(!plan.actions.contains { $0.key == Self.u }, "what a direct command loaded and no policy names is left alone")
        #expect(plan.deferred.isEmpty)
    }

    @Test func aConvergedDeviceHasNothingToDoAndACommandLoadedMatchIsAdopted() {
        let converged = ReconcilePlan.plan(desired: [Self.p: "v1"], observed: [Self.p: .init(fingerprint: "v1", managed: true)], retries: [:], now: 0)
        #expect(converged.actions.isEmpty)
        let byHand = ReconcilePlan.plan(desired: [Self.p: "v1"], observed: [Self.p: .init(fingerprint: "v1", managed: false)], retries: [:], now: 0)
        #expect(byHand.actions == [.adopt(Self.p)])
    }

    @Test func aFailedItemWaitsForItsBackoffWithoutHoldingUpTheOthers() {
        let retry = ReconcilePlan.Retry.after(failures: 1, now: 100, jitter: 1)
        #expect(retry.notBefore == 105)
        let early = ReconcilePlan.plan(desired: [Self.p: "v1", Self.q: "x"], observed: [:], retries: [Self.p: retry], now: 101)
        #expect(early.actions == [.add(Self.q)])
        #expect(early.deferred == [Self.p: 105])
        let later = ReconcilePlan.plan(desired: [Self.p: "v1", Self.q: "x"], observed: [Self.q: .init(fingerprint: "x", managed: true)],
                                       retries: [Self.p: retry], now: 105)
        #expect(later.actions == [.add(Self.p)])
        #expect(ReconcilePlan.Retry.after(failures: 3, now: 0, jitter: 1).notBefore == 20)
        #expect(ReconcilePlan.Retry.after(failures: 30, now: 0, jitter: 1).notBefore == 300, "capped at five minutes")
        #expect(ReconcilePlan.Retry.after(failures: 2, now: 0, jitter: 0).notBefore == 5, "jitter takes off at most half")
    }
}

@Suite struct ReconcilePlanRemovalTests {
    typealias Key = ReconcilePlan.Key

    @Test func aFailedRemovalWaitsForItsBackoffToo() {
        let stuck = Key(.program, "stuck")
        let retry = ReconcilePlan.Retry.after(failures: 1, now: 0, jitter: 1)
        let early = ReconcilePlan.plan(desired: [:], observed: [stuck: .init(fingerprint: "x", managed: true)], retries: [stuck: retry], now: 1)
        #expect(early.actions.isEmpty)
        #expect(early.deferred == [stuck: 5])
        let later = ReconcilePlan.plan(desired: [:], observed: [stuck: .init(fingerprint: "x", managed: true)], retries: [stuck: retry], now: 5)
        #expect(later.actions == [.remove(stuck)])
    }
}

@Suite struct PayloadFingerprintTests {
    @Test func theFingerprintIgnoresKeyOrderAndFollowsTheContent() throws {
        let one = try JSON.parse(Array(#"{"name": "p", "manifest": {"b": 1, "a": [1, 2]}}"#.utf8))
        let same = try JSON.parse(Array(#"{"manifest": {"a": [1, 2], "b": 1}, "name": "p"}"#.utf8))
        let other = try JSON.parse(Array(#"{"manifest": {"a": [2, 1], "b": 1}, "name": "p"}"#.utf8))
        #expect(PayloadFingerprint.of(one) == PayloadFingerprint.of(same))
        #expect(PayloadFingerprint.of(one) != PayloadFingerprint.of(other))
        #expect(PayloadFingerprint.of(one).count == 32)
    }
}
