import Foundation
import Testing
import FleetJSON
@testable import FleetCore

@Suite struct RolloutMachineTests {
    typealias F = RolloutFixture
    let d = RolloutFixture.devices(10)

    @Test func batchesFollowOneAnotherUntilTheRolloutSucceeds() throws {
        var m = try F.machine(#"{"batches": [{"count": 1}, {"percent": 50}, {"percent": 100}]}"#, targets: 10)
        #expect(m.state == .pending)
        #expect(m.next(.start, now: F.at(0)) == [.startBatch(batch: 0, devices: [d[0]])])
        #expect(m.state == .running && m.startedAt == F.at(0))
        #expect(m.next(.device(d[0], .applying), now: F.at(1)) == [])
        #expect(m.execution(of: d[0])?.state == .applying)
        #expect(m.next(.device(d[0], .succeeded), now: F.at(2)) == [.startBatch(batch: 1, devices: Array(d[1..<5]))])
        #expect(m.batches[0].phase == .succeeded && m.batches[0].finishedAt == F.at(2))
        #expect(m.report(.succeeded, Array(d[1..<4]), at: 3) == [])
        #expect(m.next(.device(d[4], .succeeded), now: F.at(4)) == [.startBatch(batch: 2, devices: Array(d[5..<10]))])
        #expect(m.report(.succeeded, Array(d[5..<10]), at: 5) == [.finish(.succeeded, reason: nil)])
        #expect(m.state == .succeeded && m.finishedAt == F.at(5) && m.reason == nil)
        #expect(m.batches.map(\.phase) == [.succeeded, .succeeded, .succeeded])
        #expect(m.counts() == [.succeeded: 10])
        #expect(m.batch(of: d[7]) == 2 && m.devices(inBatch: 1) == Array(d[1..<5]))
    }

    @Test func aBatchPassesWhenTheShareThatSucceededReachesTheThreshold() throws {
        let text = #"{"batches": [{"count": 5}, {"percent": 100}], "success_threshold": 0.8}"#
        var pass = try F.machine(text, targets: 10)
        _ = pass.next(.start, now: F.at(0))
        #expect(pass.report(.succeeded, Array(d[0..<4]), at: 1) == [])
        #expect(pass.next(.device(d[4], .failed("verifier rejected")), now: F.at(2)) == [.startBatch(batch: 1, devices: Array(d[5..<10]))])
        #expect(pass.execution(of: d[4]) == RolloutDeviceExecution(state: .failed, error: "verifier rejected", updatedAt: F.at(2)))

        var fail = try F.machine(text, targets: 10)
        _ = fail.next(.start, now: F.at(0))
        _ = fail.report(.succeeded, Array(d[0..<3]), at: 1)
        #expect(fail.next(.device(d[3], .failed("x")), now: F.at(1)) == [])
        let pause = RolloutPause(cause: .batchFailed, batch: 0,
                                 message: "batch 1 of 2 failed: 3 of 5 devices succeeded, below success_threshold 80 %")
        #expect(fail.next(.device(d[4], .failed("y")), now: F.at(2)) == [.paused(pause)])
        #expect(fail.state == .paused(pause))
        #expect(fail.batches[0].phase == .failed && fail.batches[0].failure == "3 of 5 devices succeeded, below success_threshold 80 %")
        #expect(fail.batches[1].phase == .pending)
    }

    @Test func theFailureRatioStopsABatchAtOnceWhenNoMinimumIsSet() throws {
        var m = try F.machine(#"""
            {"batches": [{"count": 5}, {"percent": 100}], "success_threshold": 0.1, "max_failure_ratio": 0.2, "on_failure": "abort"}
            """#, targets: 10)
        _ = m.next(.start, now: F.at(0))
        #expect(m.next(.device(d[0], .failed("boom")), now: F.at(1)) == [
            .abandon(batch: 0, devices: Array(d[1..<5])),
            .finish(.failed, reason: "batch 1 of 2 failed: 1 of 1 executions failed, above max_failure_ratio 20 %"),
        ])
        #expect(m.execution(of: d[1])?.state == .canceled)
        #expect(m.state == .failed && m.batches.map(\.phase) == [.failed, .skipped])
    }

    @Test func theFailureRatioWaitsForMinExecutedResults() throws {
        let text = #"""
            {"batches": [{"count": 8}, {"percent": 100}], "success_threshold": 0.1, "max_failure_ratio": 0.25, "min_executed": 4,
             "on_failure": "abort"}
            """#
        var m = try F.machine(text, targets: 10)
        _ = m.next(.start, now: F.at(0))
        #expect(m.next(.device(d[0], .failed("a")), now: F.at(1)) == [], "one failure in one result, but only one result is in")
        #expect(m.report(.succeeded, [d[1], d[2]], at: 2) == [])
        let actions = m.next(.device(d[3], .failed("b")), now: F.at(3))
        #expect(actions == [
            .abandon(batch: 0, devices: Array(d[4..<8])),
            .finish(.failed, reason: "batch 1 of 2 failed: 2 of 4 executions failed, above max_failure_ratio 25 %"),
        ])

        var atTheLimit = try F.machine(text, targets: 10)
        _ = atTheLimit.next(.start, now: F.at(0))
        _ = atTheLimit.next(.device(d[0], .failed("a")), now: F.at(1))
        #expect(atTheLimit.report(.succeeded, Array(d[1..<4]), at: 2) == [], "1 of 4 is 25 %, not above it")
        #expect(atTheLimit.state == .running)
    }

    @Test func devicesOutOfTimeAreTimedOutOrOfflineAndAbandoned() throws {
        var m = try F.machine(#"{"batches": [{"count": 3}, {"percent": 100}], "execution_timeout_seconds": 60, "success_threshold": 0.3}"#,
                              targets: 4)
        _ = m.next(.start, now: F.at(0))
        _ = m.next(.device(d[0], .succeeded), now: F.at(5))
        _ = m.next(.device(d[1], .applying), now: F.at(6))
        #expect(m.next(.tick(offline: [d[2]]), now: F.at(59)) == [])
        #expect(m.next(.tick(offline: [d[2]]), now: F.at(60)) == [
            .abandon(batch: 0, devices: [d[1], d[2]]), .startBatch(batch: 1, devices: [d[3]]),
        ])
        #expect(m.execution(of: d[1]) == RolloutDeviceExecution(state: .timedOut, error: "no result within 60 s", updatedAt: F.at(60)))
        #expect(m.execution(of: d[2]) == RolloutDeviceExecution(state: .offline, error: "no result within 60 s, offline", updatedAt: F.at(60)))
        #expect(m.counts(inBatch: 0) == [.succeeded: 1, .timedOut: 1, .offline: 1])
        #expect(m.next(.device(d[1], .succeeded), now: F.at(61)) == [])
        #expect(m.execution(of: d[1])?.state == .timedOut, "a late result changes nothing")
    }

    @Test func aTimeoutCountsAsAFailureAndOfflineIsCountedApart() throws {
        let text = #"""
            {"batches": [{"count": 2}, {"percent": 100}], "execution_timeout_seconds": 60, "success_threshold": 0.5,
             "max_failure_ratio": 0.4, "on_failure": "abort"}
            """#
        var offline = try F.machine(text, targets: 4)
        _ = offline.next(.start, now: F.at(0))
        _ = offline.next(.device(d[0], .succeeded), now: F.at(1))
        #expect(offline.next(.tick(offline: [d[1]]), now: F.at(60)) == [
            .abandon(batch: 0, devices: [d[1]]), .startBatch(batch: 1, devices: [d[2], d[3]]),
        ], "an offline device is no failure: 0 of 1 executions failed")

        var silent = try F.machine(text, targets: 4)
        _ = silent.next(.start, now: F.at(0))
        _ = silent.next(.device(d[0], .succeeded), now: F.at(1))
        #expect(silent.next(.tick(), now: F.at(60)) == [
            .abandon(batch: 0, devices: [d[1]]),
            .finish(.failed, reason: "batch 1 of 2 failed: 1 of 2 executions failed, above max_failure_ratio 40 %"),
        ])
    }

    @Test func aBatchShortOfItsThresholdBecauseOfOfflineDevicesSaysSo() throws {
        var m = try F.machine(#"{"batches": [{"count": 2}, {"percent": 100}], "execution_timeout_seconds": 60, "on_failure": "abort"}"#,
                              targets: 3)
        _ = m.next(.start, now: F.at(0))
        _ = m.next(.device(d[0], .succeeded), now: F.at(1))
        #expect(m.next(.tick(offline: [d[1]]), now: F.at(90)).last
            == .finish(.failed, reason: "batch 1 of 2 failed: 1 of 2 devices succeeded (1 offline), below success_threshold 100 %"))
    }

    @Test func theNextBatchWaitsOutTheBake() throws {
        var m = try F.machine(#"{"batches": [{"count": 1}, {"percent": 100}], "bake_seconds": 300}"#, targets: 3)
        _ = m.next(.start, now: F.at(0))
        #expect(m.next(.device(d[0], .succeeded), now: F.at(10)) == [])
        #expect(m.batches[0].phase == .baking && m.batches[0].executedAt == F.at(10))
        #expect(m.next(.tick(), now: F.at(309)) == [])
        #expect(m.next(.tick(), now: F.at(310)) == [.startBatch(batch: 1, devices: [d[1], d[2]])])
        #expect(m.report(.succeeded, [d[1], d[2]], at: 320) == [], "the last batch bakes too")
        #expect(m.next(.tick(), now: F.at(619)) == [])
        #expect(m.next(.tick(), now: F.at(620)) == [.finish(.succeeded, reason: nil)])
    }

    @Test func noTargetsEndTheRolloutAtOnceWithAReason() throws {
        var m = try F.machine(#"{"batches": [{"count": 1}, {"percent": 100}], "bake_seconds": 60}"#, targets: 0)
        #expect(m.next(.tick(), now: F.at(0)) == [], "nothing happens before the driver starts it")
        #expect(m.next(.start, now: F.at(1)) == [.finish(.succeeded, reason: "no target devices: nothing to roll out")])
        #expect(m.state == .succeeded && m.batches.map(\.phase) == [.skipped, .skipped])
        #expect(m.next(.start, now: F.at(2)) == [])
    }

    @Test func batchesLeftEmptyAreSkipped() throws {
        var m = try F.machine(#"{"batches": [{"count": 1}, {"percent": 10}, {"percent": 100}]}"#, targets: 1)
        #expect(m.next(.start, now: F.at(0)) == [.startBatch(batch: 0, devices: [d[0]])])
        #expect(m.next(.device(d[0], .succeeded), now: F.at(1)) == [.finish(.succeeded, reason: nil)])
        #expect(m.batches.map(\.phase) == [.succeeded, .skipped, .skipped])
    }

    @Test func reportsOfDevicesOutsideTheStartedBatchAreIgnored() throws {
        var m = try F.machine(#"{"batches": [{"count": 1}, {"percent": 100}]}"#, targets: 3)
        _ = m.next(.start, now: F.at(0))
        #expect(m.next(.device(d[2], .succeeded), now: F.at(1)) == [])
        #expect(m.execution(of: d[2]) == RolloutDeviceExecution(), "its batch has not started")
        #expect(m.next(.device(d[9], .failed("who?")), now: F.at(1)) == [])
        #expect(m.execution(of: d[9]) == nil)
        #expect(m.next(.device(d[0], .failed("first")), now: F.at(2)).count == 1)
        #expect(m.next(.device(d[0], .succeeded), now: F.at(3)) == [])
        #expect(m.execution(of: d[0])?.error == "first", "the first final report stands")
    }

    @Test func duplicateTargetsAreDroppedKeepingTheirFirstPlace() throws {
        let m = RolloutMachine(kind: .policy, strategy: try F.strategy(#"{"batches": [{"count": 1}, {"percent": 100}]}"#),
                               targets: [d[1], d[0], d[1], d[2]])
        #expect(m.targets == [d[1], d[0], d[2]])
        #expect(m.devices(inBatch: 0) == [d[1]])
    }
}
