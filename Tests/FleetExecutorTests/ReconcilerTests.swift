import FoundationEssentials
import FleetCore
import FleetJSON
import Testing
@testable import FleetExecutor

/// `Reconciler` passes and reports over fake targets and a fake server: no I/O, a clock that moves when told.
@Suite struct ReconcilerTests {
    typealias Setup = ReconcilerFakes.Setup

    @Test func nothingIsTouchedOrReportedBeforeTheFirstDesiredState() {
        let setup = Setup()
        setup.programs.put("old", version: "1", managed: true)
        setup.reconciler.reconcile()
        #expect(setup.programs.takeCalls().isEmpty, "a restarted executor keeps what it runs until the server has spoken")
        #expect(setup.reconciler.reportIfDue())
        #expect(setup.source.count == 0)
    }

    @Test func convergesAndLeavesWhatDirectCommandsLoadedAlone() {
        let setup = Setup()
        setup.programs.put("changed", version: "1", managed: true)
        setup.programs.put("gone", version: "1", managed: true)
        setup.programs.put("by-hand", version: "1", managed: false)
        setup.models.put("old-model", version: "1", managed: true)
        let desired = setup.desire(programs: ["changed": "2", "new": "1"], models: ["scorer": "3"])

        setup.reconciler.reconcile()
        #expect(setup.models.takeCalls() == ["remove old-model", "add scorer"])
        #expect(setup.programs.takeCalls() == ["remove gone", "replace changed", "add new"], "removals first, then by name")
        #expect(setup.programs.items.withLock { $0["by-hand"] } == .init(fingerprint: PayloadFingerprint.of(["name": "by-hand", "v": "1"]),
                                                                         managed: false), "untouched")
        #expect(setup.reconciler.reportIfDue())
        let report = setup.source.last
        #expect(report?["revision"] == .string(desired.revision))
        #expect(setup.reported(report) == ["model scorer ready", "program changed ready", "program new ready"])
        #expect(report?["items"]?.arrayValue?.first?["version"] == "scorer@3")
        #expect(report?["items"]?.arrayValue?.first?["since"] == setup.clock.date.json)

        // Converged: a second pass does nothing and a quiet device writes nothing.
        setup.clock.advance(30)
        setup.reconciler.reconcile()
        #expect(setup.programs.takeCalls().isEmpty && setup.models.takeCalls().isEmpty)
        #expect(setup.reconciler.reportIfDue())
        #expect(setup.source.count == 1)
    }

    @Test func aFailedItemIsRetriedWithBackoffWithoutStoppingTheOthers() {
        let setup = Setup()
        setup.programs.failing.withLock { $0["rejected"] = "load failed\nverifier log:\n0: R0 invalid access to map value" }
        setup.desire(programs: ["rejected": "1", "fine": "1"])

        let next = setup.reconciler.reconcile()
        #expect(setup.programs.takeCalls() == ["add fine", "add rejected"])
        #expect(next == setup.clock.now + 5, "the first retry is 5 s later (jitter 1)")
        setup.reconciler.reportIfDue()
        let failedAt = setup.clock.date
        #expect(setup.reported(setup.source.last) == ["program fine ready", "program rejected failed"])
        let failed = setup.source.last?["items"]?.arrayValue?.last
        #expect(failed?["error"]?.stringValue?.contains("verifier log:\n0: R0 invalid access to map value") == true, "\(failed ?? .null)")

        // Not before its backoff: passes in between leave it alone.
        setup.clock.advance(4)
        setup.reconciler.reconcile()
        #expect(setup.programs.takeCalls().isEmpty)

        // Retried, failing the same way: the report does not change, so nothing is sent.
        setup.clock.advance(1)
        #expect(setup.reconciler.reconcile() == setup.clock.now + 10, "then 10 s")
        #expect(setup.programs.takeCalls() == ["add rejected"])
        #expect(setup.reconciler.status.items[.init(.program, "rejected")]?.since == failedAt, "failed since the first failure")
        setup.reconciler.reportIfDue()
        #expect(setup.source.count == 1)

        // The fix: it loads at the next try.
        setup.programs.failing.withLock { $0 = [:] }
        setup.clock.advance(10)
        setup.reconciler.reconcile()
        #expect(setup.programs.takeCalls() == ["add rejected"])
        setup.reconciler.reportIfDue()
        #expect(setup.reported(setup.source.last) == ["program fine ready", "program rejected ready"])
        #expect(setup.source.last?["items"]?.arrayValue?.last?["error"] == nil)
    }

    @Test func aNewPayloadForAFailedItemIsTriedAtOnce() {
        let setup = Setup()
        setup.programs.failing.withLock { $0["p"] = "verifier says no" }
        setup.desire(programs: ["p": "1"])
        setup.reconciler.reconcile()
        setup.programs.failing.withLock { $0 = [:] }
        setup.desire(programs: ["p": "2"])
        setup.reconciler.reconcile()
        #expect(setup.programs.takeCalls() == ["add p", "add p"])
        #expect(setup.reconciler.status.items[.init(.program, "p")]?.state == .ready)
        #expect(setup.reconciler.status.items[.init(.program, "p")]?.version == "p@2")
    }

    @Test func driftIsRepairedAndAMatchingDirectLoadIsAdoptedWithoutReloading() {
        let setup = Setup()
        setup.programs.put("pinned", version: "1", managed: true, intact: false)
        setup.programs.put("by-hand", version: "1", managed: false)
        setup.desire(programs: ["pinned": "1", "by-hand": "1"])
        setup.reconciler.reconcile()
        #expect(setup.programs.takeCalls() == ["adopt by-hand", "repair pinned"])
        #expect(setup.logs.all.contains("repairing program pinned: it drifted"))
        #expect(setup.reconciler.status.converged)
        #expect(setup.programs.items.withLock { $0["by-hand"]?.managed } == true)
    }

    @Test func aRestartedExecutorThatHadConvergedChangesNothing() {
        let setup = Setup()
        setup.programs.put("syscalls", version: "1", managed: true)
        setup.models.put("scorer", version: "1", managed: true)
        let desired = setup.desire(programs: ["syscalls": "1"], models: ["scorer": "1"])
        setup.reconciler.reconcile()
        #expect(setup.programs.takeCalls().isEmpty && setup.models.takeCalls().isEmpty)
        setup.reconciler.reportIfDue()
        #expect(setup.source.last?["revision"] == .string(desired.revision))
        #expect(setup.reported(setup.source.last) == ["model scorer ready", "program syscalls ready"])
    }

    @Test func aPayloadThatDoesNotParseFailsWithoutRemovingWhatRuns() {
        let setup = Setup()
        setup.programs.put("p", version: "1", managed: true)
        setup.desire(rawPrograms: ["p": ["bad": true]])
        setup.reconciler.reconcile()
        #expect(setup.programs.takeCalls().isEmpty)
        let item = setup.reconciler.status.items[.init(.program, "p")]
        #expect(item?.state == .failed && item?.error?.contains("payload without v") == true, "\(String(describing: item))")
    }

    @Test func aFailedRemovalWaitsForItsBackoffAndIsReported() {
        let setup = Setup()
        setup.programs.put("stuck", version: "1", managed: true)
        setup.programs.failing.withLock { $0["stuck"] = "unpin: busy" }
        setup.desire()
        setup.reconciler.reconcile()
        setup.reconciler.reconcile()
        #expect(setup.programs.takeCalls() == ["remove stuck"], "not again before the backoff")
        #expect(setup.reconciler.status.items[.init(.program, "stuck")]?.state == .failed)
        setup.programs.failing.withLock { $0 = [:] }
        setup.clock.advance(5)
        setup.reconciler.reconcile()
        #expect(setup.programs.takeCalls() == ["remove stuck"])
        #expect(setup.reconciler.status.items.isEmpty, "a removed item is no longer reported")
    }

    @Test func theStatusIsSentOnChangeRetriedWhenTheServerIsDownAndRefreshedSlowly() {
        let setup = Setup()
        setup.desire(programs: ["p": "1"])
        setup.reconciler.reconcile()
        setup.source.unreachable.withLock { $0 = true }
        #expect(!setup.reconciler.reportIfDue(), "the caller retries")
        setup.source.unreachable.withLock { $0 = false }
        #expect(setup.reconciler.reportIfDue())
        #expect(setup.source.count == 1)
        setup.clock.advance(599)
        setup.reconciler.reconcile()
        setup.reconciler.reportIfDue()
        #expect(setup.source.count == 1)
        setup.clock.advance(1)
        setup.reconciler.reportIfDue()
        #expect(setup.source.count == 2, "the same document again after 10 minutes")
    }

    @Test func thePolicyTelemetryIntervalIsPassedOnWhenItChanges() {
        let setup = Setup()
        setup.desire(telemetry: 5)
        setup.reconciler.reconcile()
        setup.reconciler.reconcile()
        setup.desire(programs: ["p": "1"])
        setup.reconciler.reconcile()
        #expect(setup.intervals.values.withLock { $0 } == [5, nil])
    }

    @Test func aKnownRevisionIsNotTakenInAgain() throws {
        let setup = Setup()
        let state = DesiredState(programs: [:], models: [:], telemetryIntervalSeconds: nil)
        #expect(setup.reconciler.receive(ServedDesiredState(state)))
        #expect(!setup.reconciler.receive(ServedDesiredState(try DesiredState(json: state.json))))
    }

    @Test func aHeartbeatNamingAnotherRevisionHintsThePollOnce() {
        let setup = Setup()
        let wake = WakeSignal()
        let state = setup.desire(programs: ["p": "1"])
        setup.reconciler.notice(desiredRevision: state.revision, wake: wake)
        setup.reconciler.notice(desiredRevision: nil, wake: wake)
        #expect(!setup.reconciler.state.withLock { $0.hinted }, "the known revision, or a server without policies, is no hint")
        setup.reconciler.notice(desiredRevision: "ffff0000", wake: wake)
        #expect(setup.reconciler.state.withLock { $0.hinted }, "the next poll asks without waiting")
    }

    @Test func theServersRevisionNamesTheStateInReports() {
        let setup = Setup()
        let state = DesiredState(programs: ["p": ["v": "1"]], models: [:], telemetryIntervalSeconds: nil)
        #expect(setup.reconciler.receive(ServedDesiredState(state, revision: "0123abcd")))
        setup.reconciler.reconcile()
        setup.reconciler.reportIfDue()
        #expect(setup.source.last?["revision"] == "0123abcd")
        #expect(setup.logs.all.contains { $0.contains("polls and reports use the server's name") })
    }
}

@Suite struct ReconcileStatusTests {
    @Test func sinceMovesOnlyWhenSomethingElseChanges() {
        var status = ReconcileStatus()
        let key = ReconcilePlan.Key(.program, "p")
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(status.json == nil, "nothing to report before a revision")
        status.revision = "r1"
        status.set(key, .failed, version: "p@1", error: "no", at: start)
        status.set(key, .failed, version: "p@1", error: "no", at: start.addingTimeInterval(60))
        #expect(status.items[key]?.since == start)
        status.set(key, .failed, version: "p@1", error: "no\nr1 = 0xffff88810a792c00", at: start.addingTimeInterval(70))
        #expect(status.items[key]?.since == start && status.items[key]?.error == "no", "the same failure with another log")
        status.set(key, .failed, version: "p@1", error: "other", at: start.addingTimeInterval(90))
        #expect(status.items[key]?.since == start.addingTimeInterval(90))
        #expect(!status.converged)
        status.set(key, .ready, version: "p@1", at: start.addingTimeInterval(120))
        #expect(status.converged)
        #expect(status.json == ["revision": "r1", "items": [["kind": "program", "name": "p", "state": "ready", "version": "p@1",
                                                             "since": start.addingTimeInterval(120).json]]])
    }

    @Test func aLongErrorKeepsItsFirstLineAndItsEnd() {
        var status = ReconcileStatus()
        let key = ReconcilePlan.Key(.program, "p")
        let log = "load failed: permission denied\nverifier log:\n" + String(repeating: "0: (b7) r0 = 0 ; R0_w=0\n", count: 10_000) + "invalid access to map value"
        status.set(key, .failed, version: nil, error: log, at: Date())
        let error = status.items[key]?.error ?? ""
        #expect(error.utf8.count <= ReconcileStatus.maximumErrorBytes)
        #expect(error.hasPrefix("load failed: permission denied\n[... lines cut]\n") && error.hasSuffix("invalid access to map value"))
        status.set(key, .failed, version: nil, error: "short", at: Date())
        #expect(status.items[key]?.error == "short")
    }

    @Test func aDocumentIsDueWhenItChangedOrTheRefreshCame() {
        var schedule = StatusReportSchedule(refreshSeconds: 600)
        let document: JSON = ["revision": "r1", "items": []]
        #expect(schedule.isDue(document, now: 0))
        schedule.sent(document, now: 0)
        #expect(!schedule.isDue(document, now: 599))
        #expect(schedule.isDue(["revision": "r2", "items": []], now: 1))
        #expect(schedule.isDue(document, now: 600))
        #expect(schedule.refreshAt == 600)
    }
}
