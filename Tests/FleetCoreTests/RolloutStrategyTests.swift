import Testing
import FleetJSON
@testable import FleetCore

@Suite struct RolloutStrategyTests {
    @Test func aWholeStrategyReadsAndWritesBackCanonically() throws {
        let strategy = try RolloutFixture.strategy("""
            {"batches": [{"count": 1}, {"percent": 10}, {"percent": 100}],
             "success_threshold": 0.95, "max_failure_ratio": 0.1, "min_executed": 20,
             "execution_timeout_seconds": 600, "bake_seconds": 300, "on_failure": "rollback",
             "gates": [{"name": "latency", "metric": "inference_latency_ms", "labels": "model=anomaly", "stat": "p95",
                        "max": 250, "max_increase": 0.2, "baseline": "not_updated", "window_seconds": 300,
                        "min_devices": 3, "min_points": 30},
                       {"name": "drops", "metric": "xdp:dropped_total", "stat": "rate", "max": 5, "window_seconds": 120}]}
            """)
        #expect(strategy.batches == [.count(1), .percent(10), .percent(100)])
        #expect(strategy.successThreshold == 0.95)
        #expect(strategy.maxFailureRatio == 0.1 && strategy.minExecuted == 20)
        #expect(strategy.executionTimeoutSeconds == 600 && strategy.bakeSeconds == 300)
        #expect(strategy.onFailure == .rollback)
        #expect(strategy.gates[0] == RolloutGate(name: "latency", metric: "inference_latency_ms",
                                                 labels: try LabelSelector(parsing: "model=anomaly"), stat: .p95, max: 250,
                                                 maxIncrease: 0.2, baseline: .notUpdated, windowSeconds: 300, minDevices: 3, minPoints: 30))
        #expect(strategy.gates[1].baseline == .before && strategy.gates[1].minDevices == 1 && strategy.gates[1].minPoints == 1)
        #expect(try RolloutStrategy(json: strategy.json, path: "") == strategy)
        #expect(try RolloutStrategy(json: JSON.parse(strategy.json.serialized()), path: "") == strategy, "the serialised text reads back too")
    }

    @Test func onlyTheBatchesAreRequiredAndTheDefaultsAreWrittenOut() throws {
        let strategy = try RolloutFixture.strategy(#"{"batches": [{"percent": 100}]}"#)
        #expect(strategy == RolloutStrategy(batches: [.percent(100)]))
        #expect(strategy.successThreshold == 1 && strategy.maxFailureRatio == nil && strategy.onFailure == .pause)
        #expect(strategy.json.serialized()
            == #"{"bake_seconds":0,"batches":[{"percent":100}],"execution_timeout_seconds":3600,"gates":[],"on_failure":"pause","success_threshold":1.0}"#)
        #expect(try RolloutStrategy(json: strategy.json, path: "") == strategy)
    }

    @Test(arguments: [
        (#"{}"#, "batches"),
        (#"{"batches": []}"#, "batches"),
        (#"{"batches": {"count": 1}}"#, "batches"),
        (#"{"batches": [{"count": 0}]}"#, "batches[0].count"),
        (#"{"batches": [{"count": -3}]}"#, "batches[0].count"),
        (#"{"batches": [{"percent": 0}]}"#, "batches[0].percent"),
        (#"{"batches": [{"percent": 101}]}"#, "batches[0].percent"),
        (#"{"batches": [{"percent": 12.5}]}"#, "batches[0].percent"),
        (#"{"batches": [{"percent": "10"}]}"#, "batches[0].percent"),
        (#"{"batches": [{}]}"#, "batches[0]"),
        (#"{"batches": [{"count": 1, "percent": 10}]}"#, "batches[0]"),
        (#"{"batches": [{"count": 1, "size": 10}]}"#, "batches[0]"),
        (#"{"batches": [{"percent": 50}, {"percent": 20}]}"#, "batches[1].percent"),
        (#"{"batches": [{"percent": 50}, {"percent": 50}]}"#, "batches[1].percent"),
        (#"{"batches": [{"percent": 10}, {"count": 5}, {"percent": 10}]}"#, "batches[2].percent"),
        (#"{"batches": [{"percent": 100}, {"count": 1}]}"#, "batches[1]"),
        (#"{"batches": [{"percent": 100}], "success_threshold": 1.5}"#, "success_threshold"),
        (#"{"batches": [{"percent": 100}], "success_threshold": 0}"#, "success_threshold"),
        (#"{"batches": [{"percent": 100}], "success_threshold": -0.5}"#, "success_threshold"),
        (#"{"batches": [{"percent": 100}], "success_threshold": "all"}"#, "success_threshold"),
        (#"{"batches": [{"percent": 100}], "max_failure_ratio": 1.01}"#, "max_failure_ratio"),
        (#"{"batches": [{"percent": 100}], "max_failure_ratio": -0.1}"#, "max_failure_ratio"),
        (#"{"batches": [{"percent": 100}], "min_executed": 10}"#, "min_executed"),
        (#"{"batches": [{"percent": 100}], "max_failure_ratio": 0.1, "min_executed": 0}"#, "min_executed"),
        (#"{"batches": [{"percent": 100}], "execution_timeout_seconds": 0}"#, "execution_timeout_seconds"),
        (#"{"batches": [{"percent": 100}], "bake_seconds": -1}"#, "bake_seconds"),
        (#"{"batches": [{"percent": 100}], "on_failure": "retry"}"#, "on_failure"),
        (#"{"batches": [{"percent": 100}], "colour": "red"}"#, ""),
        (#"["batches"]"#, ""),
    ])
    func badStrategiesNameThePathAtFault(_ text: String, _ path: String) throws {
        let error = try #require(throws: JSONError.self) { try RolloutFixture.strategy(text) }
        #expect(error.path == path, "\(text): \(error)")
    }

    static let gate = #""name": "latency", "metric": "inference_latency_ms", "stat": "p95", "window_seconds": 60"#

    @Test(arguments: [
        (#"{"name": "latency", "metric": "1latency", "stat": "p95", "max": 1, "window_seconds": 60}"#, "gates[0].metric"),
        (#"{"name": "latency", "metric": "latency-ms", "stat": "p95", "max": 1, "window_seconds": 60}"#, "gates[0].metric"),
        (#"{"name": "latency", "metric": "", "stat": "p95", "max": 1, "window_seconds": 60}"#, "gates[0].metric"),
        (#"{"name": "latency", "stat": "p95", "max": 1, "window_seconds": 60}"#, "gates[0].metric"),
        (#"{\#(RolloutStrategyTests.gate)}"#, "gates[0]"),
        (#"{\#(RolloutStrategyTests.gate), "max": 1, "colour": "red"}"#, "gates[0]"),
        (#"{"name": "latency", "metric": "m", "stat": "p90", "max": 1, "window_seconds": 60}"#, "gates[0].stat"),
        (#"{\#(RolloutStrategyTests.gate), "max": 1, "baseline": "yesterday"}"#, "gates[0].baseline"),
        (#"{"name": "latency", "metric": "m", "stat": "p95", "max": 1, "window_seconds": 0}"#, "gates[0].window_seconds"),
        (#"{"name": "latency", "metric": "m", "stat": "p95", "max": 1, "window_seconds": -5}"#, "gates[0].window_seconds"),
        (#"{"name": "latency", "metric": "m", "stat": "p95", "max": 1, "window_seconds": 120}"#, "gates[0].window_seconds"),
        (#"{\#(RolloutStrategyTests.gate), "max": 1, "min_devices": 0}"#, "gates[0].min_devices"),
        (#"{\#(RolloutStrategyTests.gate), "max": 1, "min_points": 0}"#, "gates[0].min_points"),
        (#"{\#(RolloutStrategyTests.gate), "max": 1, "min": 2}"#, "gates[0].min"),
        (#"{\#(RolloutStrategyTests.gate), "max_increase": -0.1}"#, "gates[0].max_increase"),
        (#"{\#(RolloutStrategyTests.gate), "max": "fast"}"#, "gates[0].max"),
        (#"{\#(RolloutStrategyTests.gate), "max": 1, "labels": "model in (a"}"#, "gates[0].labels"),
        (#"{"name": "", "metric": "m", "stat": "p95", "max": 1, "window_seconds": 60}"#, "gates[0].name"),
        (#"{"name": "a/b", "metric": "m", "stat": "p95", "max": 1, "window_seconds": 60}"#, "gates[0].name"),
    ])
    func badGatesNameThePathAtFault(_ gate: String, _ path: String) throws {
        let text = #"{"batches": [{"percent": 100}], "bake_seconds": 60, "gates": [\#(gate)]}"#
        let error = try #require(throws: JSONError.self) { try RolloutFixture.strategy(text) }
        #expect(error.path == path, "\(gate): \(error)")
    }

    @Test func gateNamesAreUniqueAndGatesNeedABake() throws {
        let twice = #"{"batches": [{"percent": 100}], "bake_seconds": 60, "gates": [{\#(Self.gate), "max": 1}, {\#(Self.gate), "min": 0}]}"#
        #expect(try #require(throws: JSONError.self) { try RolloutFixture.strategy(twice) }.path == "gates[1].name")
        let noBake = #"{"batches": [{"percent": 100}], "gates": [{\#(Self.gate), "max": 1}]}"#
        let error = try #require(throws: JSONError.self) { try RolloutFixture.strategy(noBake) }
        #expect(error.path == "gates[0].window_seconds")
        #expect(error.message.contains("bake_seconds (0)"))
    }

    @Test func pathsStartWhereTheStrategySitsInTheRequest() throws {
        let json = try JSON.parse(#"{"batches": [{"count": 1}, {"percent": 0}]}"#)
        let error = try #require(throws: JSONError.self) { try RolloutStrategy(json: json, path: "strategy") }
        #expect(error.path == "strategy.batches[1].percent")
    }

    @Test func rollingBackACommandNeedsARollbackCommand() throws {
        let strategy = try RolloutFixture.strategy(#"{"batches": [{"percent": 100}], "on_failure": "rollback"}"#)
        #expect(throws: Never.self) { try strategy.check(for: .policy) }
        #expect(throws: Never.self) { try strategy.check(for: .command(hasRollbackCommand: true)) }
        let error = try #require(throws: JSONError.self) { try strategy.check(for: .command(hasRollbackCommand: false), path: "strategy") }
        #expect(error.path == "strategy.on_failure")
        let abort = try RolloutFixture.strategy(#"{"batches": [{"percent": 100}], "on_failure": "abort"}"#)
        #expect(throws: Never.self) { try abort.check(for: .command(hasRollbackCommand: false)) }
    }

    @Test func kindsReadAndWriteBack() throws {
        for kind in [RolloutKind.policy, .command(hasRollbackCommand: true), .command(hasRollbackCommand: false)] {
            #expect(try RolloutKind(json: kind.json, path: "") == kind)
        }
        #expect(try RolloutKind(json: ["type": "command"], path: "") == .command(hasRollbackCommand: false))
        #expect(try #require(throws: JSONError.self) { try RolloutKind(json: ["type": "job"], path: "kind") }.path == "kind.type")
        #expect(try #require(throws: JSONError.self) {
            try RolloutKind(json: ["type": "policy", "rollback_command": true], path: "kind")
        }.path == "kind.rollback_command")
    }
}
