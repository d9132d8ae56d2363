import Foundation
import Testing
import FleetJSON
@testable import FleetCore

@Suite struct RolloutMachineReplayTests {
    typealias F = RolloutFixture
    static let d = RolloutFixture.devices(6)

    /// A rollout through every kind of event: results while paused, an inconclusive gate and its second
    /// evaluation, timeouts with an offline device, a failed batch resumed past. Each step makes its event
    /// from the machine as it is then (gate answers need the request's id).
    static let script: [(Double, @Sendable (RolloutMachine) throws -> RolloutMachine.Event)] = [
        (0, { _ in .start }),
        (1, { _ in .device(d[0], .applying) }),
        (2, { _ in .device(d[0], .succeeded) }),
        (3, { _ in .pause }),
        (4, { _ in .device(d[1], .failed("model does not load")) }),
        (5, { _ in .tick() }),
        (6, { _ in .resume }),
        (66, { _ in .tick() }),
        (67, { try RolloutMachineOperatorTests.answer($0, .inconclusive) }),
        (70, { _ in .resume }),
        (71, { try RolloutMachineOperatorTests.answer($0, .pass) }),
        (72, { _ in .device(d[2], .succeeded) }),
        (80, { _ in .tick(offline: [d[3]]) }),
        (200, { _ in .tick(offline: [d[3]]) }),
        (201, { _ in .resume }),
        (202, { _ in .cancel }),
        (203, { _ in .pause }),
    ]

    static let strategy = #"""
        {"batches": [{"count": 2}, {"percent": 100}], "success_threshold": 0.5, "bake_seconds": 60, "execution_timeout_seconds": 100,
         "gates": [{"name": "cpu", "metric": "executor_cpu_ratio", "stat": "avg", "max": 0.9, "window_seconds": 60}]}
        """#

    @Test func everyEventRepeatedChangesNothing() throws {
        var m = try F.machine(Self.strategy, targets: 6)
        var log: [RolloutMachine.Action] = []
        for (second, makeEvent) in Self.script {
            let event = try makeEvent(m)
            log += m.next(event, now: F.at(second))
            let once = m
            let again = m.next(event, now: F.at(second))
            #expect(m == once, "\(event) at \(second) s applied twice")
            #expect(again.allSatisfy { if case .refuse = $0 { true } else { false } }, "\(event) at \(second) s: \(again)")
        }
        #expect(m.state == .succeeded && m.reason == "1 failed batch was resumed past by an operator")
        // Each batch went out once; the gates were asked for twice (the first answer was inconclusive).
        #expect(log.filter { if case .startBatch = $0 { true } else { false } }.count == 2)
        #expect(log.filter { if case .evaluateGates = $0 { true } else { false } }.count == 2)
        #expect(m.counts() == [.succeeded: 2, .failed: 1, .offline: 1, .timedOut: 2])
        #expect(m.counts(inBatch: 1) == [.succeeded: 1, .offline: 1, .timedOut: 2])
    }

    @Test func aStoredStateReadsBackEqualAndGoesOnAlike() throws {
        var original = try F.machine(Self.strategy, targets: 6)
        var restored = original
        for (second, makeEvent) in Self.script {
            let event = try makeEvent(original)
            // Another replica loads what the last one stored, and goes on from there.
            restored = try RolloutMachine(json: JSON.parse(restored.json.serialized()), path: "")
            #expect(restored == original, "at \(second) s")
            #expect(restored.next(event, now: F.at(second)) == original.next(event, now: F.at(second)), "\(event) at \(second) s")
        }
        #expect(restored == original)
        #expect(restored.state == .succeeded)
    }

    @Test func theStoredFormIsCompactForPendingDevices() throws {
        var m = try F.machine(Self.strategy, targets: 6)
        _ = m.next(.start, now: F.at(0.25))
        _ = m.next(.device(Self.d[0], .failed("no such map")), now: F.at(1.5))
        let json = m.json
        #expect(json["version"] == 1 && json["state"] == "running" && json["started_at"] == .double(1_764_400_000.25))
        #expect(json["executions"] == [Self.d[0].description: ["state": "failed", "error": "no such map", "updated_at": .double(1_764_400_001.5)]])
        #expect(json["batches"]?.arrayValue?.map { $0["count"] } == [2, 4])
    }

    @Test(arguments: [
        ("version", JSON.int(2), "version"),
        ("state", "paused", "state"),
        ("state", "exploded", "state"),
        ("targets", [], "batches"),
        ("executions", ["00000000-0000-4000-8000-000000000099": ["state": "failed"]], "executions.00000000-0000-4000-8000-000000000099"),
        ("batches", [["first": 0, "count": 2, "phase": "pending", "rounds": []]], "batches"),
        ("batches", [["first": 0, "count": 2, "phase": "pending"], ["first": 3, "count": 3, "phase": "pending"]], "batches[1].first"),
        ("kind", ["type": "job"], "kind.type"),
        ("colour", "red", ""),
    ] as [(String, JSON, String)])
    func aStoredStateThatDoesNotHoldTogetherIsRefused(_ member: String, _ value: JSON, _ path: String) throws {
        var m = try F.machine(Self.strategy, targets: 5)
        _ = m.next(.start, now: F.at(0))
        guard case .object(var members) = m.json else { Issue.record("not an object"); return }
        members[member] = value
        let error = try #require(throws: JSONError.self) { try RolloutMachine(json: .object(members), path: "") }
        #expect(error.path == path, "\(member): \(error)")
    }
}
