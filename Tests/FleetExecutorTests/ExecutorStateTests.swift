import Foundation
import FleetCore
import FleetJSON
import Testing
@testable import FleetExecutor

@Suite struct ExecutorStateTests {
    func temporaryState() throws -> StateDirectory {
        let state = StateDirectory(NSTemporaryDirectory() + "fleet-executor-test-\(UUID().uuidString)")
        try state.prepare()
        return state
    }

    @Test func journalRemembersCommandsAcrossReopening() throws {
        let state = try temporaryState()
        defer { try? FileManager.default.removeItem(atPath: state.path) }
        let finished = CommandID.random()
        let interrupted = CommandID.random()
        do {
            let journal = try CommandJournal(state: state)
            try journal.recordStarted(finished)
            try journal.recordFinished(finished, state: .failed, result: nil, error: "verifier said no")
            try journal.recordStarted(interrupted)
        }
        let reopened = try CommandJournal(state: state)
        #expect(reopened.entry(for: finished) == .finished(state: .failed, result: nil, error: "verifier said no"))
        guard case .finished(let state, _, let error)? = reopened.entry(for: finished) else {
            Issue.record("the finished command was not remembered")
            return
        }
        #expect(state == .failed && error == "verifier said no")
        #expect(reopened.entry(for: interrupted) == .started)
        #expect(reopened.entry(for: CommandID.random()) == nil)
    }

    @Test func journalKeepsOnlyTheNewestCommands() throws {
        let state = try temporaryState()
        defer { try? FileManager.default.removeItem(atPath: state.path) }
        let ids = (0..<10).map { _ in CommandID.random() }
        do {
            let journal = try CommandJournal(state: state, capacity: 4)
            for id in ids { try journal.recordFinished(id, state: .succeeded, result: ["n": 1], error: nil) }
        }
        let reopened = try CommandJournal(state: state, capacity: 4)
        #expect(ids.suffix(4).allSatisfy { reopened.entry(for: $0) != nil })
        #expect(reopened.entry(for: ids[0]) == nil)
    }

    @Test func outboxHandsBatchesOutOldestFirstAndCountsWhatItDrops() throws {
        let state = try temporaryState()
        defer { try? FileManager.default.removeItem(atPath: state.path) }
        let outbox = try TelemetryOutbox(state: state, maxBatches: 2)
        for value in 1...3 {
            try outbox.append([TelemetryPoint(metric: "m", value: Double(value)), TelemetryPoint(metric: "n", value: 0)])
        }
        #expect(outbox.count == 2)
        #expect(outbox.droppedPoints == 2, "the oldest batch of two points was dropped")
        let oldest = try #require(try outbox.oldest())
        let body = try JSON.parse(oldest.body)
        #expect(body["points"]?.arrayValue?.first?["value"]?.doubleValue == 2)
        let batchID = body["batch_id"]?.stringValue
        #expect(try TelemetryOutbox(state: state, maxBatches: 2).oldest().flatMap { try JSON.parse($0.body)["batch_id"]?.stringValue } == batchID,
                "a batch keeps its id across a restart, so a retry is recognised")
        outbox.remove(oldest)
        #expect(outbox.count == 1)
    }

    @Test func aBatchNamesTheKindOfEveryMetricThatIsNotAGauge() throws {
        let state = try temporaryState()
        defer { try? FileManager.default.removeItem(atPath: state.path) }
        let outbox = try TelemetryOutbox(state: state)
        try outbox.append([
            TelemetryPoint(.rssBytes, value: 1), TelemetryPoint(.cpuSeconds, value: 2.5),
            TelemetryPoint(metric: "exec_events", kind: .event, value: 1), TelemetryPoint(metric: "syscalls_total", kind: .counter, value: 9),
        ])
        let body = try JSON.parse(try #require(try outbox.oldest()).body)
        #expect(body["kinds"] == ["executor_cpu_seconds_total": "counter", "exec_events": "event", "syscalls_total": "counter"])
        #expect(body["points"]?.arrayValue?.allSatisfy { $0["kind"] == nil } == true, "kinds go once per batch, not per point")
        #expect(ExecutorMetric.all.count == Set(ExecutorMetric.all.map(\.name)).count)
    }

    @Test func theExecutorHandlesExactlyTheCommandTypesTheCoreNames() throws {
        let state = try temporaryState()
        defer { try? FileManager.default.removeItem(atPath: state.path) }
        let identity = ExecutorIdentity(server: "http://127.0.0.1:9", deviceID: DeviceID.random(), deviceToken: "fld_test", hardwareID: "hw")
        let executor = try Executor(state: state, identity: identity)
        try ExecutorAssembly.install(on: executor, state: state)
        #expect(executor.commandTypes == CommandType.known.sorted(), "help text, README and OpenAPI list CommandType.known")
    }

    @Test func backoffGrowsToItsCapAndResets() {
        struct Fixed: RandomNumberGenerator { mutating func next() -> UInt64 { .max } }
        var generator = Fixed()
        var backoff = Backoff(base: 1, cap: 8)
        let delays = (0..<6).map { _ in backoff.nextDelay(using: &generator) }
        #expect(delays.allSatisfy { $0 <= 8 })
        #expect(delays.last! > 4, "after several failures the ceiling is the cap")
        backoff.reset()
        #expect(backoff.nextDelay(using: &generator) <= 1)
    }
}
