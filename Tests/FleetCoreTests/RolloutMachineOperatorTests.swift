import Foundation
import Testing
import FleetJSON
@testable import FleetCore

@Suite struct RolloutMachineOperatorTests {
    typealias F = RolloutFixture
    static let d = RolloutFixture.devices(6)
    var d: [DeviceID] { Self.d }

    static func strategy(onFailure: String) -> String {
        #"""
        {"batches": [{"count": 2}, {"percent": 100}], "bake_seconds": 60, "execution_timeout_seconds": 30, "on_failure": "\#(onFailure)",
         "gates": [{"name": "cpu", "metric": "executor_cpu_ratio", "stat": "avg", "max": 0.9, "window_seconds": 60}]}
        """#
    }

    static func answer(_ m: RolloutMachine, _ verdict: GateEvaluation.Verdict) throws -> RolloutMachine.Event {
        RolloutMachineGateTests.answer(try #require(m.awaitedGateRequest), ["cpu": verdict])
    }

    /// A rollout in each state it can be in, named, with a time just after its last event.
    static func states() throws -> [(name: String, machine: RolloutMachine, now: Date)] {
        let pending = try F.machine(strategy(onFailure: "pause"), targets: 6)
        var executing = pending
        _ = executing.next(.start, now: F.at(0))
        var baking = executing
        _ = baking.report(.succeeded, [d[0], d[1]], at: 1)
        var evaluating = baking
        _ = evaluating.next(.tick(), now: F.at(61))
        var pausedByOperator = executing
        _ = pausedByOperator.next(.pause, now: F.at(1))
        var pausedOnFailure = executing
        _ = pausedOnFailure.next(.device(d[0], .failed("x")), now: F.at(1))
        _ = pausedOnFailure.next(.device(d[1], .succeeded), now: F.at(1))
        var pausedInconclusive = evaluating
        _ = pausedInconclusive.next(try answer(evaluating, .inconclusive), now: F.at(62))
        var succeeded = evaluating
        _ = succeeded.next(try answer(evaluating, .pass), now: F.at(62))
        _ = succeeded.report(.succeeded, Array(d[2..<6]), at: 63)
        _ = succeeded.next(.tick(), now: F.at(123))
        _ = succeeded.next(try answer(succeeded, .pass), now: F.at(124))
        var failed = try F.machine(strategy(onFailure: "abort"), targets: 6)
        _ = failed.next(.start, now: F.at(0))
        _ = failed.next(.device(d[0], .failed("x")), now: F.at(1))
        _ = failed.next(.device(d[1], .failed("y")), now: F.at(1))
        var rolledBack = try F.machine(strategy(onFailure: "rollback"), targets: 6)
        _ = rolledBack.next(.start, now: F.at(0))
        _ = rolledBack.report(.failed("x"), [d[0], d[1]], at: 1)
        var canceled = executing
        _ = canceled.next(.cancel, now: F.at(1))
        let all = [("pending", pending, 0.0), ("executing", executing, 2), ("baking", baking, 2), ("evaluating", evaluating, 62),
                   ("paused by an operator", pausedByOperator, 2), ("paused on a failure", pausedOnFailure, 2),
                   ("paused on an inconclusive gate", pausedInconclusive, 63), ("succeeded", succeeded, 125), ("failed", failed, 2),
                   ("rolled back", rolledBack, 2), ("canceled", canceled, 2)]
        let expected = ["pending", "running", "running", "running", "paused", "paused", "paused", "succeeded", "failed", "rolled_back", "canceled"]
        #expect(all.map(\.1.state.name) == expected, "the fixtures are in the states they are named for")
        return all.map { (name: $0.0, machine: $0.1, now: F.at($0.2)) }
    }

    static let operatorPause = RolloutPause(cause: .operator, message: "paused by an operator")

    @Test func pauseInEveryState() throws {
        for (name, machine, now) in try Self.states() {
            var m = machine
            let actions = m.next(.pause, now: now)
            switch machine.state {
            case .pending, .running:
                #expect(actions == [.paused(Self.operatorPause)], "\(name)")
                #expect(m.state == .paused(Self.operatorPause), "\(name)")
            case .paused:
                #expect(actions == [] && m == machine, "\(name): an earlier pause and its reason stay")
            case .succeeded, .failed, .rolledBack, .canceled:
                #expect(actions == [.refuse("the rollout has already ended: \(machine.state.name)")], "\(name)")
                #expect(m == machine, "\(name)")
            }
        }
    }

    @Test func resumeInEveryState() throws {
        for (name, machine, now) in try Self.states() {
            var m = machine
            let actions = m.next(.resume, now: now)
            switch name {
            case "pending", "executing", "baking", "evaluating":
                #expect(actions == [] && m == machine, "\(name): nothing to resume")
            case "paused by an operator":
                #expect(actions == [.resumed] && m.state == .running, "goes on where it was")
            case "paused on a failure":
                #expect(actions == [.resumed, .startBatch(batch: 1, devices: Array(d[2..<6]))], "goes on with the next batch")
            case "paused on an inconclusive gate":
                let request = try #require(RolloutMachine.gateRequest(in: actions))
                #expect(actions == [.resumed, .evaluateGates(request)] && request.id == 2, "evaluates again")
            default:
                #expect(actions == [.refuse("the rollout has already ended: \(machine.state.name)")], "\(name)")
                #expect(m == machine, "\(name)")
            }
        }
    }

    @Test func cancelInEveryState() throws {
        let canceled = RolloutMachine.Action.finish(.canceled, reason: "canceled by an operator")
        for (name, machine, now) in try Self.states() {
            var m = machine
            let actions = m.next(.cancel, now: now)
            switch name {
            case "executing", "paused by an operator":
                #expect(actions == [.abandon(batch: 0, devices: [d[0], d[1]]), canceled], "\(name)")
            case "pending", "baking", "evaluating", "paused on a failure", "paused on an inconclusive gate":
                #expect(actions == [canceled], "\(name)")
            case "canceled":
                #expect(actions == [] && m == machine)
            default:
                #expect(actions == [.refuse("the rollout has already ended: \(machine.state.name)")], "\(name)")
            }
            guard !machine.state.isFinal else { continue }
            #expect(m.state == .canceled && m.reason == "canceled by an operator" && m.finishedAt == now, "\(name)")
            #expect(m.batches.allSatisfy(\.phase.isFinal) && m.awaitedGateRequest == nil, "\(name)")
            #expect(m.counts()[.applying] == nil && m.executions.allSatisfy { $0.state == .pending || $0.state.isFinal }, "\(name)")
            #expect(m.next(.tick(), now: F.at(500)) == [] && m.next(.device(d[0], .succeeded), now: F.at(501)) == [],
                    "\(name): nothing moves any more")
        }
    }

    @Test func timeoutsRunOnWhilePausedAndResumeJudgesTheBatch() throws {
        var m = try Self.states().first { $0.name == "paused by an operator" }!.machine
        #expect(m.next(.tick(), now: F.at(29)) == [])
        #expect(m.next(.tick(), now: F.at(30)) == [.abandon(batch: 0, devices: [d[0], d[1]])])
        #expect(m.batches[0].phase == .executing && m.state == .paused(Self.operatorPause), "no decision while paused")
        let failure = RolloutPause(cause: .batchFailed, batch: 0,
                                   message: "batch 1 of 2 failed: 0 of 2 devices succeeded, below success_threshold 100 %")
        #expect(m.next(.resume, now: F.at(40)) == [.resumed, .paused(failure)])
    }

    @Test func whilePausedResultsAreRecordedAndResumeActsOnThem() throws {
        var m = try F.machine(#"{"batches": [{"count": 1}, {"percent": 100}]}"#, targets: 3)
        _ = m.next(.start, now: F.at(0))
        #expect(m.next(.pause, now: F.at(1)) == [.paused(Self.operatorPause)])
        #expect(m.next(.device(d[0], .succeeded), now: F.at(2)) == [])
        #expect(m.execution(of: d[0])?.state == .succeeded && m.batches[0].phase == .executing)
        #expect(m.next(.resume, now: F.at(3)) == [.resumed, .startBatch(batch: 1, devices: [d[1], d[2]])])
    }

    @Test func aRolloutPausedBeforeItStartedStartsOnResume() throws {
        var m = try F.machine(#"{"batches": [{"percent": 100}]}"#, targets: 2)
        #expect(m.next(.pause, now: F.at(0)) == [.paused(Self.operatorPause)])
        #expect(m.next(.resume, now: F.at(1)) == [.resumed] && m.state == .pending, "back to pending: the driver has not started it")
        _ = m.next(.pause, now: F.at(2))
        #expect(m.next(.start, now: F.at(3)) == [], "started while paused: no batch goes out")
        #expect(m.startedAt == F.at(3) && m.state == .paused(Self.operatorPause))
        #expect(m.next(.resume, now: F.at(4)) == [.resumed, .startBatch(batch: 0, devices: [d[0], d[1]])])
    }

    @Test func resumingPastAFailedBatchForgivesItsFailuresAndIsNotedAtTheEnd() throws {
        var m = try F.machine(#"""
            {"batches": [{"count": 2}, {"count": 2}, {"percent": 100}], "success_threshold": 0.5, "max_failure_ratio": 0.4, "min_executed": 2}
            """#, targets: 6)
        _ = m.next(.start, now: F.at(0))
        #expect(m.next(.device(d[0], .failed("a")), now: F.at(1)) == [])
        #expect(m.next(.device(d[1], .failed("b")), now: F.at(2)).first.map { if case .paused = $0 { true } else { false } } == true)
        #expect(m.next(.resume, now: F.at(3)) == [.resumed, .startBatch(batch: 1, devices: [d[2], d[3]])])
        #expect(m.forgiven == .init(executed: 2, failed: 2))
        #expect(m.next(.device(d[2], .failed("c")), now: F.at(4)) == [], "one result since the resume: below min_executed")
        #expect(m.next(.device(d[3], .succeeded), now: F.at(5)).first.map { if case .paused = $0 { true } else { false } } == true,
                "1 of 2 since the resume is above 40 %")
        _ = m.next(.resume, now: F.at(6))
        #expect(m.report(.succeeded, [d[4], d[5]], at: 7) == [.finish(.succeeded, reason: "2 failed batches were resumed past by an operator")])
    }

    // MARK: - Rollback

    /// Batch 1 of 3 succeeds; in batch 2, d2 succeeds and d3 fails.
    static func failSecondBatch(kind: RolloutKind) throws -> (RolloutMachine, [RolloutMachine.Action]) {
        var m = try F.machine(#"{"batches": [{"count": 2}, {"count": 2}, {"percent": 100}], "on_failure": "rollback"}"#, targets: 6, kind: kind)
        _ = m.next(.start, now: F.at(0))
        _ = m.report(.succeeded, [d[0], d[1], d[2]], at: 1)
        let actions = m.next(.device(d[3], .failed("model does not load")), now: F.at(2))
        return (m, actions)
    }

    static let reason = "batch 2 of 3 failed: 1 of 2 devices succeeded, below success_threshold 100 %"

    @Test func aPolicyRollbackPutsEveryMovedDeviceBack() throws {
        let (m, actions) = try Self.failSecondBatch(kind: .policy)
        #expect(actions == [.rollBack(devices: Array(d[0..<4])), .finish(.rolledBack, reason: Self.reason)])
        #expect(m.executions.map(\.rolledBack) == [true, true, true, true, false, false])
        #expect(m.batches.map(\.phase) == [.succeeded, .failed, .skipped])
    }

    @Test func aCommandRollbackGoesToTheDevicesWhereTheCommandSucceeded() throws {
        let (m, actions) = try Self.failSecondBatch(kind: .command(hasRollbackCommand: true))
        #expect(actions == [.rollBack(devices: Array(d[0..<3])), .finish(.rolledBack, reason: Self.reason)])
        #expect(m.executions.map(\.rolledBack) == [true, true, true, false, false, false])
    }

    @Test func aCommandWithoutRollbackCommandFailsInstead() throws {
        let (m, actions) = try Self.failSecondBatch(kind: .command(hasRollbackCommand: false))
        #expect(actions == [.finish(.failed, reason: Self.reason + "; nothing rolled back: the rollout has no rollback_command")])
        #expect(m.state == .failed && !m.executions.contains { $0.rolledBack })
    }

    @Test func aRollbackInTheMiddleOfABatchAbandonsItsDevicesFirst() throws {
        var m = try F.machine(#"{"batches": [{"count": 4}, {"percent": 100}], "max_failure_ratio": 0, "on_failure": "rollback"}"#, targets: 6)
        _ = m.next(.start, now: F.at(0))
        #expect(m.next(.device(d[0], .failed("x")), now: F.at(1)) == [
            .abandon(batch: 0, devices: Array(d[1..<4])),
            .rollBack(devices: Array(d[0..<4])),
            .finish(.rolledBack, reason: "batch 1 of 2 failed: 1 of 1 executions failed, above max_failure_ratio 0 %"),
        ])
    }

    @Test func anAbortLeavesTheUpdatedDevicesAsTheyAre() throws {
        var m = try F.machine(#"{"batches": [{"count": 2}, {"count": 2}, {"percent": 100}], "on_failure": "abort"}"#, targets: 6)
        _ = m.next(.start, now: F.at(0))
        _ = m.report(.succeeded, [d[0], d[1], d[2]], at: 1)
        #expect(m.next(.device(d[3], .failed("x")), now: F.at(2)) == [.finish(.failed, reason: Self.reason)])
        #expect(!m.executions.contains { $0.rolledBack })
    }
}
