import Foundation
import FleetCore
import FleetJSON
import Testing

/// Policies end to end: a real server and PostgreSQL, `fleet-executor` processes (each with a pin root of its own)
/// and the kernel (needs root and `make -C bpf`). Converging, replacing on a new revision, removing on a label
/// change, a verifier rejection beside a ready item, adoption after kill -9, and drift repair.
@Suite(.enabled(if: geteuid() == 0, "loading eBPF programs needs root"))
struct PolicyEndToEndTests {
    static func uniqueName(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }

    static func policy(_ selector: String, programs: [(name: String, program: String)],
                       models: [(name: String, model: String, run: JSON?)] = [], telemetry: Int? = nil) -> JSON {
        var document: [String: JSON] = [
            "selector": .string(selector),
            "programs": .array(programs.map { ["name": .string($0.name), "program": .string($0.program)] }),
            "models": .array(models.map { model in
                var item: [String: JSON] = ["name": .string(model.name), "model": .string(model.model)]
                if let run = model.run { item["run"] = run }
                return .object(item)
            }),
        ]
        if let telemetry { document["telemetry"] = ["interval_seconds": .int(Int64(telemetry))] }
        return .object(document)
    }

    @Test func twoExecutorsConvergeANewRevisionReplacesAndALabelChangeRemoves() async throws {
        let server = try TestServer()
        let program = Self.uniqueName("sys"), byHand = Self.uniqueName("hand"), model = Self.uniqueName("mlp")
        let policy = Self.uniqueName("north")
        let checks = Observations()
        try await onOwnThread {
            let roots = [PinRoot(), PinRoot()]
            let executors = try roots.map { _ in
                try ExecutorProcess(server: server, labels: ["site": "north"], hardwareID: Self.uniqueName("hw"))
            }
            defer {
                for (executor, root) in zip(executors, roots) {
                    executor.cleanUp(pins: [])
                    root.remove()
                }
            }
            for (executor, root) in zip(executors, roots) { try executor.start(extraArguments: root.argument) }
            let (a, b) = (executors[0], executors[1])
            let manifest = try shippedManifest("syscall_count")
            _ = try server.uploadBPF("syscall_count", name: program, version: "1.0.0", manifest: manifest.text)
            _ = try server.uploadBPF("syscall_count", name: program, version: "2.0.0", manifest: manifest.text)
            let file = ProgramFixtures.directory.appendingPathComponent("\(model).onnx")
            let built = try ProgramFixtures.run("/usr/bin/env", ["python3", "-c", ModelExecutorEndToEndTests.doubler, file.path])
            try #require(built.status == 0, "building the model: \(built.errors)")
            let uploaded = try server.uploadModel(name: model, version: "1", file: file)
            try #require(uploaded.status == 201, "model upload: \(uploaded)")
            // Scheduled inference over the policy program's counter: model_output = 2 × syscall_total.
            let run: JSON = ["every_seconds": 1, "features_from": ["program": .string(program), "map": "syscall_total"]]

            // What a direct command loaded and no policy names is left alone throughout.
            let hand = try server.uploadBPF("syscall_count", name: byHand, manifest: manifest.text)
            let loaded = try server.runToCompletion(on: a.deviceID, type: "program.load",
                                                    payload: try ExecutorEndToEndTests.loadPayload(hand, name: byHand, manifest: manifest.json),
                                                    log: a.output)
            try #require(loaded["state"] == "succeeded", "program.load: \(loaded)\n\(a.output)")
            let handID = try #require(try roots[0].kernelID("prog", "\(byHand)/progs/count_syscalls"),
                                      "pinned under \(roots[0].path): \(loaded["result"]?["pins"] ?? .null)")
            checks.check(a.deviceID != b.deviceID, "two devices")

            // Converge: both executors load the program and deploy the model.
            try server.putPolicy(policy, Self.policy("site=north", programs: [(program, "\(program)@1.0.0")],
                                                     models: [(model, "\(model)@1", run)], telemetry: 2))
            let ready = ["program/\(program)": "ready", "model/\(model)": "ready"]
            for executor in executors {
                let (matched, status) = try server.awaitStatus(of: executor.deviceID, ready)
                try #require(matched, "converged: \(status)\n\(executor.output)")
                checks.check(TestServer.item(status, "model/\(model)")?["version"] == .string("\(model)@1"), "the model's version: \(status)")
            }
            var rendered = try server.call("GET", "/v1/devices/\(a.deviceID)/desired", token: server.adminToken).json.objectValue ?? [:]
            for member in ["sources", "conflicts", "policies"] { rendered[member] = nil }
            checks.check(try DesiredState(json: .object(rendered)).revision == rendered["revision"]?.stringValue,
                         "the executor computes the server's revision: \(rendered["revision"] ?? .null)")
            checks.check(!a.output.contains("use the server's name"), "and says nothing about it")
            let firstIDs = try roots.map { try $0.kernelID("prog", "\(program)/progs/count_syscalls") }
            let mapIDs = try roots.map { try $0.kernelID("map", "\(program)/maps/syscall_total") }
            checks.check(firstIDs[0] != nil && firstIDs[1] != nil && firstIDs[0] != firstIDs[1], "each executor runs its own program: \(firstIDs)")
            checks.check(mapIDs.allSatisfy { $0 != nil }, "the counter maps are pinned: \(mapIDs)")
            checks.check(a.output.contains("a policy sets the telemetry interval to 2 s"), "the policy's telemetry interval applies\n\(a.output)")
            let policyStatus = try server.call("GET", "/v1/policies/\(policy)/status", token: server.adminToken).json
            checks.check(policyStatus["matched"] == 2 && policyStatus["converged"] == 2, "the policy's status: \(policyStatus)")
            let series: JSON = ["model": .string(model), "output": "y", "index": "0"]
            func modelOutput(_ device: String, seconds: Int = 600) throws -> Double? {
                try server.latestValues(device: device, metric: "model_output", seconds: seconds)[series]
            }
            for executor in executors {
                checks.check(try eventuallyBlocking(timeout: 20, every: 0.3) { (try modelOutput(executor.deviceID) ?? 0) > 0 },
                             "the model's schedule runs on the program's map\n\(executor.output)")
            }

            // A new revision replaces the program (make-before-break on a tracepoint): a new kernel program, the same
            // counter map, which keeps counting.
            func total(since: Date) throws -> Double {
                let seconds = Int(Date().timeIntervalSince(since)) - 1
                guard seconds >= 1 else { return 0 }
                return try server.latestValues(device: a.deviceID, metric: "syscalls_total", seconds: seconds,
                                               labels: "program=\(program)").values.max() ?? 0
            }
            let started = Date()
            var atReplace = 0.0
            try #require(try eventuallyBlocking(timeout: 20, every: 0.3) { atReplace = try total(since: started); return atReplace > 0 },
                         "syscalls_total of \(program) never reached the server\n\(a.output)")
            try server.putPolicy(policy, Self.policy("site=north", programs: [(program, "\(program)@2.0.0")],
                                                     models: [(model, "\(model)@1", run)], telemetry: 2))
            for executor in executors {
                let (matched, status) = try server.awaitStatus(of: executor.deviceID, ready)
                checks.check(matched, "converged on the new revision: \(status)\n\(executor.output)")
            }
            let replacedAt = Date()
            let secondIDs = try roots.map { try $0.kernelID("prog", "\(program)/progs/count_syscalls") }
            checks.check(secondIDs[0] != nil && secondIDs[0] != firstIDs[0] && secondIDs[1] != firstIDs[1],
                         "new kernel programs: \(firstIDs) -> \(secondIDs)")
            checks.check(try roots.map { try $0.kernelID("map", "\(program)/maps/syscall_total") } == mapIDs, "the same counter maps")
            checks.check(try eventuallyBlocking(timeout: 5) { try !BPFTool.programExists(id: firstIDs[0] ?? -1) }, "the old program is gone")
            var continued = 0.0
            checks.check(try eventuallyBlocking(timeout: 15, every: 0.3) { continued = try total(since: replacedAt); return continued > 0 },
                         "syscalls_total is exported after the replace")
            checks.check(continued >= atReplace, "the counter continues from \(atReplace) instead of restarting: \(continued)")

            // A label change takes B out of the policy: its program and model are removed; A keeps them.
            let patched = try server.call("PATCH", "/v1/devices/\(b.deviceID)", token: server.adminToken, json: ["labels": ["site": "south"]])
            try #require(patched.status == 200, "PATCH labels: \(patched)")
            let (emptied, bStatus) = try server.awaitStatus(of: b.deviceID, [:])
            checks.check(emptied, "B reports no items: \(bStatus)\n\(b.output)")
            checks.check(try eventuallyBlocking(timeout: 10) { !roots[1].exists(program) }, "B's pins are gone")
            checks.check(try eventuallyBlocking(timeout: 15, every: 0.5) { try modelOutput(b.deviceID, seconds: 4) == nil },
                         "B's schedule stopped")
            checks.check(try eventuallyBlocking(timeout: 10, every: 0.5) { try modelOutput(a.deviceID, seconds: 4) != nil },
                         "A's schedule keeps running")
            checks.check(!FileManager.default.fileExists(atPath: b.stateDirectory.appendingPathComponent("models/\(model).json").path),
                         "B's model record is gone")
            checks.check(try roots[0].kernelID("prog", "\(program)/progs/count_syscalls") == secondIDs[0], "A's program still runs")
            checks.check(TestServer.itemStates(try server.reportedStatus(of: a.deviceID)) == ready, "A stays converged")
            checks.check(try roots[0].kernelID("prog", "\(byHand)/progs/count_syscalls") == handID, "the direct command's program is untouched")
            checks.check(TestServer.item(try server.reportedStatus(of: a.deviceID), "program/\(byHand)") == nil, "and is not reported")
        }
        checks.record()
    }

    @Test func aVerifierRejectedItemFailsWithTheLogAndIsRetriedSlowlyWhileAnotherStaysReady() async throws {
        let server = try TestServer()
        let good = Self.uniqueName("ok"), bad = Self.uniqueName("bad"), policy = Self.uniqueName("mixed")
        let checks = Observations()
        try await onOwnThread {
            let root = PinRoot()
            let executor = try ExecutorProcess(server: server, labels: ["site": "lab"])
            defer {
                executor.cleanUp(pins: [])
                root.remove()
            }
            try executor.start(extraArguments: root.argument)
            let manifest = try shippedManifest("syscall_count")
            _ = try server.uploadBPF("syscall_count", name: good, manifest: manifest.text)
            _ = try server.uploadBPF("bad_verifier", name: bad, manifest: nil)
            try server.putPolicy(policy, Self.policy("site=lab", programs: [(good, "\(good)@1.0.0"), (bad, "\(bad)@1.0.0")]))

            let (matched, status) = try server.awaitStatus(of: executor.deviceID, ["program/\(good)": "ready", "program/\(bad)": "failed"])
            try #require(matched, "one ready, one failed: \(status)\n\(executor.output)")
            let failedAt = Date()
            let error = TestServer.item(status, "program/\(bad)")?["error"]?.stringValue ?? ""
            checks.check(error.contains("verifier log:") && error.contains("invalid access to map value"), "the error carries the verifier log: \(error)")
            checks.check(root.exists("\(good)/links/count_syscalls") && !root.exists(bad), "the good program runs, the bad one left nothing")
            let policyStatus = try server.call("GET", "/v1/policies/\(policy)/status", token: server.adminToken).json
            checks.check(policyStatus["failed"] == 1, "the policy counts the device as failed: \(policyStatus)")
            checks.check((policyStatus["failing"]?.arrayValue?.first?["items"]?.arrayValue?.first?["error"]?.stringValue ?? "").contains("verifier log:"),
                         "and shows the error: \(policyStatus)")

            // Retried with backoff (5 s, 10 s, 20 s, scaled by 0.5 to 1): within 12 s at most three more attempts,
            // none of which is news to the server.
            let reports = try server.metric("fleet_status_reports_total")
            checks.check(reports > 0, "the server counts status reports: \(reports)")
            Thread.sleep(forTimeInterval: 12)
            checks.check(try server.metric("fleet_status_reports_total") == reports, "failing the same way again writes nothing")
            let attempts = executor.lines(containing: "cannot apply program \(bad)")
            checks.check((2...4).contains(attempts), "retried, but not in a tight loop: \(attempts) attempts\n\(executor.output)")
            let later = try server.reportedStatus(of: executor.deviceID)
            checks.check(TestServer.item(later, "program/\(bad)")?["since"] == TestServer.item(status, "program/\(bad)")?["since"],
                         "failed since the first failure, \(failedAt): \(later)")
            checks.check(TestServer.itemStates(later)["program/\(good)"] == "ready", "the good program stays ready")
        }
        checks.record()
    }

    @Test func aKilledExecutorAdoptsWhatRunsLoadsWhatIsNewAndRepairsARemovedPin() async throws {
        let server = try TestServer()
        let first = Self.uniqueName("sys"), second = Self.uniqueName("more"), policy = Self.uniqueName("edge")
        let checks = Observations()
        try await onOwnThread {
            let root = PinRoot()
            let executor = try ExecutorProcess(server: server, labels: ["site": "edge"])
            defer {
                executor.cleanUp(pins: [])
                root.remove()
            }
            try executor.start(extraArguments: root.argument)
            let manifest = try shippedManifest("syscall_count")
            _ = try server.uploadBPF("syscall_count", name: first, manifest: manifest.text)
            _ = try server.uploadBPF("syscall_count", name: second, manifest: manifest.text)
            try server.putPolicy(policy, Self.policy("site=edge", programs: [(first, "\(first)@1.0.0")]))
            let (converged, status) = try server.awaitStatus(of: executor.deviceID, ["program/\(first)": "ready"])
            try #require(converged, "converged: \(status)\n\(executor.output)")
            let programID = try #require(try root.kernelID("prog", "\(first)/progs/count_syscalls"))
            let mapID = try #require(try root.kernelID("map", "\(first)/maps/syscall_total"))

            // Killed; the policy changes meanwhile. The restarted executor adopts the running program and loads the new one.
            executor.kill9()
            try server.putPolicy(policy, Self.policy("site=edge", programs: [(first, "\(first)@1.0.0"), (second, "\(second)@1.0.0")]))
            try executor.start(extraArguments: root.argument)
            let (again, restarted) = try server.awaitStatus(of: executor.deviceID, ["program/\(first)": "ready", "program/\(second)": "ready"])
            checks.check(again, "converged after the restart: \(restarted)\n\(executor.output)")
            checks.check(try root.kernelID("prog", "\(first)/progs/count_syscalls") == programID, "the running program was adopted, not reloaded")
            checks.check(executor.output.contains("adopted program '\(first)'"), "the executor says it adopted the pins")
            checks.check(executor.lines(containing: "replace program \(first)") == 0 && !executor.output.contains("repairing program \(first)"),
                         "nothing was applied to it again\n\(executor.output)")
            checks.check(try root.kernelID("prog", "\(second)/progs/count_syscalls") != nil, "the new program runs")

            // Drift: its link pin removed behind the executor's back is put back (the same request loaded again).
            try #require(unlink("\(root.path)/\(first)/links/count_syscalls") == 0, "unlink the link pin")
            checks.check(try eventuallyBlocking(timeout: 45, every: 0.25) { root.exists("\(first)/links/count_syscalls") },
                         "the link pin is back\n\(executor.output)")
            checks.check(executor.output.contains("repairing program \(first): it drifted"), "the executor says it repaired the drift")
            let (repaired, afterRepair) = try server.awaitStatus(of: executor.deviceID, ["program/\(first)": "ready", "program/\(second)": "ready"])
            checks.check(repaired, "ready again: \(afterRepair)")
            checks.check(try root.kernelID("map", "\(first)/maps/syscall_total") == mapID, "the counter map carried over")

            // Converged and quiet: passes (every 15 s) find nothing to do and report nothing.
            let reports = try server.metric("fleet_status_reports_total")
            checks.check(reports > 0, "the server counts status reports: \(reports)")
            Thread.sleep(forTimeInterval: 17)
            checks.check(try server.metric("fleet_status_reports_total") == reports, "a quiet device writes nothing")
        }
        checks.record()
    }
}
