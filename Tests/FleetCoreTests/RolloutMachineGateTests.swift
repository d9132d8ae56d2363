import Foundation
import Testing
import FleetJSON
@testable import FleetCore

@Suite struct RolloutMachineGateTests {
    typealias F = RolloutFixture
    let d = RolloutFixture.devices(10)

    static let gated = #"""
        {"batches": [{"count": 3}, {"percent": 100}], "success_threshold": 0.6, "bake_seconds": 300, "on_failure": "rollback",
         "gates": [{"name": "latency", "metric": "inference_latency_ms", "stat": "p95", "max_increase": 0.2, "window_seconds": 120},
                   {"name": "cpu", "metric": "executor_cpu_ratio", "stat": "avg", "max": 0.9, "baseline": "not_updated",
                    "window_seconds": 300}]}
        """#

    /// Answers every query of `request` with the verdict given for its gate.
    static func answer(_ request: GateRequest, _ verdicts: [String: GateEvaluation.Verdict]) -> RolloutMachine.Event {
        let evaluations = request.queries.compactMap { query -> GateEvaluation? in
            guard let verdict = verdicts[query.gate.name] else { return nil }
            return GateEvaluation(gate: query.gate.name, metric: query.gate.metric, stat: query.gate.stat, window: query.window,
                                  measured: .init(value: 1, devices: 2, points: 10), baselineKind: query.baseline.kind,
                                  baselineWindow: query.baseline.window, baseline: .init(value: 1, devices: 2, points: 10),
                                  upperBound: 2, lowerBound: nil, verdict: verdict, reason: "\(verdict.rawValue) as told")
        }
        return .gatesEvaluated(request: request.id, evaluations)
    }

    /// A gated rollout over six devices whose first batch has baked: d0 and d1 succeeded, d2 failed.
    func baked() throws -> (RolloutMachine, GateRequest) {
        var m = try F.machine(Self.gated, targets: 6)
        _ = m.next(.start, now: F.at(0))
        _ = m.report(.succeeded, [d[0], d[1]], at: 10)
        _ = m.next(.device(d[2], .failed("no such map")), now: F.at(20))
        #expect(m.next(.tick(), now: F.at(319)) == [])
        let actions = m.next(.tick(), now: F.at(320))
        let request = try #require(RolloutMachine.gateRequest(in: actions))
        #expect(actions == [.evaluateGates(request)])
        return (m, request)
    }

    @Test func gatesAreAskedForAtTheEndOfTheBakeOverTheirLastWindow() throws {
        let (m, request) = try baked()
        #expect(request.id == 1 && request.batch == 0)
        #expect(request.queries.map(\.gate.name) == ["latency", "cpu"])
        let latency = request.queries[0], cpu = request.queries[1]
        #expect(latency.devices == [d[0], d[1]], "only the devices that run the new version are measured")
        #expect(latency.window == GateWindow(from: F.at(200), to: F.at(320)))
        #expect(latency.baseline == GateQuery.Baseline(kind: .before, devices: [d[0], d[1]],
                                                      window: GateWindow(from: F.at(-120), to: F.at(0))))
        #expect(cpu.window == GateWindow(from: F.at(20), to: F.at(320)))
        #expect(cpu.baseline == GateQuery.Baseline(kind: .notUpdated, devices: Array(d[3..<6]), window: cpu.window))
        #expect(m.batches[0].phase == .evaluating && m.batches[0].awaitedRequest == 1)
        #expect(m.awaitedGateRequest == request, "a replica taking over can evaluate it again")
    }

    @Test func passingGatesStartTheNextBatch() throws {
        var (m, request) = try baked()
        #expect(m.next(Self.answer(request, ["latency": .pass, "cpu": .pass]), now: F.at(321))
            == [.startBatch(batch: 1, devices: Array(d[3..<6]))])
        #expect(m.batches[0].phase == .succeeded && m.batches[0].rounds[0].evaluations?.count == 2)
        #expect(m.awaitedGateRequest == nil)
    }

    @Test func aFailingGateFailsTheBatchAndRollsThePolicyBack() throws {
        var (m, request) = try baked()
        let actions = m.next(Self.answer(request, ["latency": .fail, "cpu": .inconclusive]), now: F.at(321))
        let reason = "batch 1 of 2 failed: gate latency: fail as told"
        #expect(actions == [.rollBack(devices: Array(d[0..<3])), .finish(.rolledBack, reason: reason)])
        #expect(m.state == .rolledBack && m.reason == reason)
        #expect(m.batches.map(\.phase) == [.failed, .skipped])
        #expect(d[0..<3].allSatisfy { m.execution(of: $0)?.rolledBack == true })
        #expect(m.execution(of: d[3])?.rolledBack == false)
    }

    @Test func anInconclusiveGatePausesAndResumeEvaluatesAgainOverAFreshWindow() throws {
        var (m, request) = try baked()
        let pause = RolloutPause(cause: .inconclusive, batch: 0, message: "batch 1 of 2: gate cpu: inconclusive as told")
        #expect(m.next(Self.answer(request, ["latency": .pass, "cpu": .inconclusive]), now: F.at(321)) == [.paused(pause)])
        #expect(m.state == .paused(pause))
        #expect(m.next(.tick(), now: F.at(400)) == [])
        let resumed = m.next(.resume, now: F.at(500))
        let again = try #require(RolloutMachine.gateRequest(in: resumed))
        #expect(resumed == [.resumed, .evaluateGates(again)])
        #expect(again.id == 2 && again.queries[0].window == GateWindow(from: F.at(380), to: F.at(500)))
        #expect(m.next(Self.answer(request, ["latency": .pass, "cpu": .pass]), now: F.at(501)) == [], "the first request was answered")
        #expect(m.next(Self.answer(again, ["latency": .pass, "cpu": .pass]), now: F.at(502))
            == [.startBatch(batch: 1, devices: Array(d[3..<6]))])
        #expect(m.batches[0].rounds.map(\.request) == [1, 2])
    }

    @Test func aGateLeftOutOfTheAnswerIsInconclusive() throws {
        var (m, request) = try baked()
        let actions = m.next(Self.answer(request, ["latency": .pass]), now: F.at(321))
        #expect(actions == [.paused(RolloutPause(cause: .inconclusive, batch: 0, message: "batch 1 of 2: gate cpu: not evaluated"))])
    }

    @Test func anAnswerToAnotherRequestIsIgnored() throws {
        var (m, request) = try baked()
        var stray = request
        stray.id = 7
        #expect(m.next(Self.answer(stray, ["latency": .fail, "cpu": .fail]), now: F.at(321)) == [])
        #expect(m.batches[0].phase == .evaluating && m.batches[0].rounds[0].evaluations == nil)
    }

    @Test func theLastBatchComparesWithItsOwnPastWhenNoDeviceIsLeftOnTheOldVersion() throws {
        var (m, request) = try baked()
        _ = m.next(Self.answer(request, ["latency": .pass, "cpu": .pass]), now: F.at(321))
        _ = m.report(.succeeded, Array(d[3..<6]), at: 330)
        let last = try #require(RolloutMachine.gateRequest(in: m.next(.tick(), now: F.at(630))))
        #expect(last.batch == 1 && last.id == 2)
        #expect(last.queries[1].baseline == GateQuery.Baseline(kind: .before, devices: Array(d[3..<6]),
                                                              window: GateWindow(from: F.at(21), to: F.at(321))))
        #expect(m.next(Self.answer(last, ["latency": .pass, "cpu": .pass]), now: F.at(631)) == [.finish(.succeeded, reason: nil)])
    }

    @Test func aSlowerModelTripsALatencyGateAgainstItsOwnPastAndIsRolledBack() throws {
        var m = try F.machine(#"""
            {"batches": [{"count": 2}, {"percent": 100}], "bake_seconds": 60, "on_failure": "rollback",
             "gates": [{"name": "latency", "metric": "inference_latency_ms", "stat": "p95", "max_increase": 0.25,
                        "baseline": "before", "window_seconds": 60, "min_devices": 2, "min_points": 4}]}
            """#, targets: 5)
        _ = m.next(.start, now: F.at(0))
        _ = m.report(.succeeded, [d[0], d[1]], at: 5)
        let request = try #require(RolloutMachine.gateRequest(in: m.next(.tick(), now: F.at(65))))
        let query = request.queries[0]
        // Before the update both devices answered in 10 to 12 ms; after it, in 20 to 30 ms.
        let before = [F.series(0, [10, 11, 12], from: -60), F.series(1, [10, 12, 11], from: -60)]
        let after = [F.series(0, [20, 25, 30], from: 10), F.series(1, [22, 28, 24], from: 10)]
        let evaluation = GateEvaluation.evaluate(query, measured: after, baseline: before)
        #expect(evaluation.measured == .init(value: 30, devices: 2, points: 6))
        #expect(evaluation.baseline == .init(value: 12, devices: 2, points: 6))
        #expect(evaluation.upperBound == 15 && evaluation.verdict == .fail)
        let actions = m.next(.gatesEvaluated(request: request.id, [evaluation]), now: F.at(66))
        #expect(actions == [
            .rollBack(devices: [d[0], d[1]]),
            .finish(.rolledBack, reason: "batch 1 of 2 failed: gate latency: p95 of inference_latency_ms 30 is above 15 (baseline 12 + 25 %)"),
        ])
        #expect(m.batches[0].rounds.first?.evaluations == [evaluation], "the evaluation is kept with both values")
    }
}
