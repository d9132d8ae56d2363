import Foundation
import FleetJSON
import FleetPostgres
import Testing

/// The executor as a separate process against a real server, loading real eBPF programs (needs root and
/// `make -C bpf`): load, export, crash and adopt, replace, unload; verifier failures; a server outage; XDP
/// on a veth pair. Program names are unique per test, so the tests run in parallel.
@Suite(.enabled(if: geteuid() == 0, "loading eBPF programs needs root"))
struct ExecutorEndToEndTests {
    static func uniqueName(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }

    static func loadPayload(_ program: JSON, name: String, manifest: JSON, extra: [String: JSON] = [:]) throws -> JSON {
        var payload: [String: JSON] = ["program_id": try #require(program["id"]), "sha256": try #require(program["sha256"]),
                                       "name": .string(name), "manifest": manifest]
        for (key, value) in extra { payload[key] = value }
        return .object(payload)
    }

    @Test func syscallCounterIsExportedAdoptedAfterACrashReplacedAndUnloadedWithoutTrace() async throws {
        let server = try TestServer()
        let name = Self.uniqueName("sys")
        let checks = Observations()
        try await onOwnThread {
            let executor = try ExecutorProcess(server: server)
            defer { executor.cleanUp(pins: [name]) }
            try executor.start()
            let device = executor.deviceID
            let inventory = try server.call("GET", "/v1/devices/\(device)", token: server.adminToken).json["inventory"] ?? [:]
            let tracepointHelpers = inventory["bpf_helpers"]?["tracepoint"]?.arrayValue?.compactMap(\.stringValue) ?? []
            checks.check(tracepointHelpers.contains("ringbuf_output") && inventory["bpf_program_types"]?.arrayValue?.contains("xdp") == true,
                         "the device's inventory lists program types and helpers: \(inventory["bpf_program_types"] ?? .null)")
            let manifest = try shippedManifest("syscall_count")
            let program = try server.uploadBPF("syscall_count", name: name, manifest: manifest.text)
            let payload = try Self.loadPayload(program, name: name, manifest: manifest.json)

            // Load: attached, pinned, reported.
            let loaded = try server.runToCompletion(on: device, type: "program.load", payload: payload)
            try #require(loaded["state"] == "succeeded", "program.load: \(loaded)\n\(executor.output)")
            let loadedAt = Date()
            let result = loaded["result"] ?? [:]
            let programs = result["programs"]?.arrayValue ?? []
            checks.check(programs.map { $0["name"] } == ["count_syscalls"], "the result lists the program: \(result)")
            checks.check(programs.first?["attach"] == "tracepoint raw_syscalls:sys_enter", "attached per the manifest: \(result)")
            checks.check(Set(result["maps"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []) == ["syscall_counts", "syscall_total"],
                         "the result lists the maps: \(result)")
            checks.check(result["load_ms"]?.doubleValue != nil && result["attach_ms"]?.doubleValue != nil, "timings in the result")
            let firstID = try #require(programs.first?["id"]?.int64Value)
            checks.check(try BPFTool.programExists(id: firstID), "bpftool shows program \(firstID)")
            func mapIDs(_ result: JSON) -> [String: Int64] {
                Dictionary((result["maps"]?.arrayValue ?? []).compactMap { map in
                    map["name"]?.stringValue.flatMap { name in map["id"]?.int64Value.map { (name, $0) } }
                }, uniquingKeysWith: { first, _ in first })
            }
            let loadedMapIDs = mapIDs(result)
            let pins = "/sys/fs/bpf/fleet/\(name)"
            for pin in ["progs/count_syscalls", "links/count_syscalls", "maps/syscall_total", "maps/syscall_counts"] {
                checks.check(FileManager.default.fileExists(atPath: "\(pins)/\(pin)"), "\(pins)/\(pin) is pinned")
            }

            // Export: the counter reaches the server and rises.
            func total() throws -> Double { try server.latestValues(device: device, metric: "syscalls_total").values.max() ?? 0 }
            var before = 0.0
            try #require(try eventuallyBlocking(timeout: 15, every: 0.3) { before = try total(); return before > 0 },
                         "syscalls_total never reached the server\n\(executor.output)")
            for _ in 0..<10 { _ = try ProgramFixtures.run("/bin/true", []) }
            checks.check(try eventuallyBlocking(timeout: 10, every: 0.3) { try total() > before }, "syscalls_total rises")
            let byID = try server.latestValues(device: device, metric: "syscalls_by_id")
            checks.check(byID.keys.contains { $0["syscall_id"] != nil && $0["program"] == .string(name) },
                         "syscalls_by_id has a series per syscall id: \(byID.keys)")
            checks.check(try server.latestValues(device: device, metric: "executor_program_load_seconds",
                                                 labels: "program=\(name)").count == 1, "load latency is reported")

            // Crash: the pins keep the program running; the restarted executor adopts them and keeps exporting.
            executor.kill9()
            let atCrash = try total()
            checks.check(FileManager.default.fileExists(atPath: "\(pins)/links/count_syscalls"), "the link pin outlives the executor")
            try executor.start()
            checks.check(try eventuallyBlocking(timeout: 20, every: 0.3) { try total() > atCrash }, "the adopted counter keeps rising")
            checks.check(executor.output.contains("adopted program '\(name)'"), "the executor says it adopted the pins")
            checks.check(try BPFTool.programExists(id: firstID), "the same kernel program runs after the restart")

            // The killed executor's long-poll is still held by the server, which would hand it the next command
            // (redelivered only after 60 s); wait until it times out and only the new executor's polls are held.
            try #require(try eventuallyBlocking(timeout: 40, every: 0.2) {
                try server.call("GET", "/metrics").showsHeldLongPolls(ExecutorProcess.heldLongPolls)
            },
                         "the dead executor's long-poll never ended")

            // Replace (tracepoints cannot update a link: make-before-break), keeping the counter maps.
            // Counting for a good while before makes a restarted counter stand out below the value at the replace.
            let counting = Date().timeIntervalSince(loadedAt)
            if counting < 12 { Thread.sleep(forTimeInterval: 12 - counting) }
            let atReplace = try total()
            let second = try server.uploadBPF("syscall_count", name: name, version: "2.0.0", manifest: manifest.text)
            var replacePayload = payload.objectValue ?? [:]
            replacePayload["program_id"] = second["id"]
            let replaced = try server.runToCompletion(on: device, type: "program.replace", payload: .object(replacePayload),
                                                    log: executor.output)
            try #require(replaced["state"] == "succeeded", "program.replace: \(replaced)\n\(executor.output)")
            let replacedResult = replaced["result"] ?? [:]
            checks.check(replacedResult["swaps"] == [["program": "count_syscalls", "method": "make_before_break"]], "swap: \(replacedResult)")
            checks.check(replacedResult["replaced_program_id"] == program["id"], "names the replaced program")
            let secondID = try #require(replacedResult["programs"]?.arrayValue?.first?["id"]?.int64Value)
            checks.check(secondID != firstID, "a new kernel program")
            checks.check(try eventuallyBlocking(timeout: 5) { try !BPFTool.programExists(id: firstID) }, "the old program is gone")
            checks.check(try BPFTool.programExists(id: secondID), "bpftool shows the new program")
            checks.check(replacedResult["maps_carried_over"] == ["syscall_counts", "syscall_total"], "maps carried: \(replacedResult)")
            checks.check(replacedResult["maps_reset"] == [], "no map reset: \(replacedResult)")
            checks.check(mapIDs(replacedResult) == loadedMapIDs, "the same kernel maps: \(replacedResult), loaded with \(loadedMapIDs)")
            for (map, id) in loadedMapIDs {
                let shown = try ProgramFixtures.run("/usr/sbin/bpftool", ["-j", "map", "show", "pinned", "\(pins)/maps/\(map)"])
                checks.check((try? JSON.parse(Array(shown.output.utf8)))?["id"]?.int64Value == id,
                             "the pin of \(map) is the carried map \(id): \(shown.output)")
            }

            // The series continues from its value at the replace: only samples taken after it count here.
            let afterReplace = Date()
            func totalSinceReplace() throws -> Double {
                let seconds = Int(Date().timeIntervalSince(afterReplace)) - 1
                guard seconds >= 1 else { return 0 }
                return try server.latestValues(device: device, metric: "syscalls_total", seconds: seconds).values.max() ?? 0
            }
            var continued = 0.0
            checks.check(try eventuallyBlocking(timeout: 15, every: 0.3) { continued = try totalSinceReplace(); return continued > 0 },
                         "syscalls_total is still exported after the replace")
            checks.check(continued >= atReplace, "syscalls_total continues from \(atReplace) instead of restarting: \(continued)")
            for _ in 0..<10 { _ = try ProgramFixtures.run("/bin/true", []) }
            checks.check(try eventuallyBlocking(timeout: 10, every: 0.3) { try totalSinceReplace() > continued },
                         "syscalls_total keeps rising after the replace")

            // Unload: nothing left behind.
            let unloaded = try server.runToCompletion(on: device, type: "program.unload",
                                                      payload: ["name": .string(name), "program_id": second["id"] ?? .null])
            checks.check(unloaded["state"] == "succeeded", "program.unload: \(unloaded)")
            checks.check(!FileManager.default.fileExists(atPath: pins), "\(pins) is gone")
            let listed = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/bpf/fleet")) ?? []
            checks.check(!listed.contains(name), "ls /sys/fs/bpf/fleet no longer shows \(name): \(listed)")
            checks.check(try eventuallyBlocking(timeout: 5) { try !BPFTool.programExists(id: secondID) }, "bpftool no longer lists the program")
            checks.check(!FileManager.default.fileExists(atPath: executor.stateDirectory.appendingPathComponent("programs/\(name).json").path),
                         "the deployment record is gone")
            checks.check(try eventuallyBlocking(timeout: 10, every: 0.3) {
                try server.latestValues(device: device, metric: "executor_programs_loaded", seconds: 2).values.contains(0)
            }, "executor_programs_loaded drops to 0")
        }
        checks.record()
    }

    @Test func failedLoadsReportTheirReasonAndLeaveNothing() async throws {
        let server = try TestServer()
        let name = Self.uniqueName("bad")
        let checks = Observations()
        try await onOwnThread {
            let executor = try ExecutorProcess(server: server)
            defer { executor.cleanUp(pins: [name]) }
            try executor.start()
            let device = executor.deviceID

            // A valid ELF the registry accepts, which the kernel's verifier refuses.
            let bad = try server.uploadBPF("bad_verifier", name: name, manifest: nil)
            let refused = try server.runToCompletion(on: device, type: "program.load", payload: try Self.loadPayload(bad, name: name, manifest: [:]))
            checks.check(refused["state"] == "failed", "program.load of bad_verifier: \(refused)")
            let error = refused["error"]?.stringValue ?? ""
            checks.check(error.contains("verifier log:") && error.contains("read_out_of_bounds") && error.contains("invalid access to map value"),
                         "the error carries the verifier log: \(error)")
            checks.check(!FileManager.default.fileExists(atPath: "/sys/fs/bpf/fleet/\(name)"), "no pins after a refused load")

            // An object whose bytes do not match the digest, or that does not exist.
            let missing = try server.runToCompletion(on: device, type: "program.load", payload: [
                "program_id": bad["id"] ?? .null, "sha256": .string(String(repeating: "0", count: 64)), "name": .string(name),
            ])
            checks.check(missing["state"] == "failed" && (missing["error"]?.stringValue ?? "").contains("cannot download"),
                         "an unknown digest fails: \(missing)")

            // Payloads that do not parse are rejected; so is a command type the executor does not know.
            let malformed = try server.runToCompletion(on: device, type: "program.load", payload: ["program_id": bad["id"] ?? .null, "sha256": "not-a-digest"])
            checks.check(malformed["state"] == "rejected" && (malformed["error"]?.stringValue ?? "").contains("sha256"),
                         "a payload with a malformed sha256 is rejected: \(malformed)")
            let notLoaded = try server.runToCompletion(on: device, type: "program.unload", payload: ["name": "never-loaded"])
            checks.check(notLoaded["state"] == "failed" && (notLoaded["error"]?.stringValue ?? "").contains("no program named"),
                         "unloading an unknown name fails: \(notLoaded)")
            let unknown = try server.runToCompletion(on: device, type: "program.teleport", payload: [:])
            checks.check(unknown["state"] == "rejected" && (unknown["error"]?.stringValue ?? "").contains("unknown command type"),
                         "an unknown command type is rejected: \(unknown)")
        }
        checks.record()
    }

    @Test func execEventsAreForwardedFromTheRingBufferAtTheManifestRate() async throws {
        let server = try TestServer()
        let name = Self.uniqueName("exec")
        let checks = Observations()
        try await onOwnThread {
            let executor = try ExecutorProcess(server: server)
            defer { executor.cleanUp(pins: [name]) }
            try executor.start()
            let device = executor.deviceID
            let shipped = try shippedManifest("exec_events")
            var manifest = shipped.json.objectValue ?? [:]
            var ringbuf = manifest["ringbufs"]?.arrayValue?.first?.objectValue ?? [:]
            ringbuf["max_per_second"] = 5
            manifest["ringbufs"] = [.object(ringbuf)]
            let program = try server.uploadBPF("exec_events", name: name, manifest: shipped.text)
            let loaded = try server.runToCompletion(on: device, type: "program.load",
                                                    payload: try Self.loadPayload(program, name: name, manifest: .object(manifest)))
            try #require(loaded["state"] == "succeeded", "program.load: \(loaded)\n\(executor.output)")

            let database = try PostgresConnection(conninfo: server.conninfo)
            let deviceID = try #require(UUID(uuidString: device))
            var dropped = 0.0
            var bursts = 0
            // Bursts of 40 execs until one of them gets through the limit of 5 a second: other processes on the
            // machine (a parallel build, other tests) exec too and may take a second's whole share.
            let arrived = try eventuallyBlocking(timeout: 20, every: 0.3) {
                let burst = try ProgramFixtures.run("/bin/bash", ["-c", "for i in $(seq 40); do /bin/true; done"])
                guard burst.status == 0 else { return false }
                bursts += 1
                dropped = try server.latestValues(device: device, metric: "exec_events_dropped_total", seconds: 60).values.max() ?? 0
                let trues = try database.query("""
                    SELECT count(*) AS n FROM telemetry
                    WHERE device_id = \(deviceID) AND metric = 'exec_events' AND labels->>'comm' = 'true'
                    """).rows.first.map { try $0.decode("n", as: Int64.self) } ?? 0
                return trues >= 1 && dropped >= 1
            }
            checks.check(arrived, "exec events of /bin/true arrive and the bursts' excess is counted as dropped (\(dropped) after \(bursts) bursts)")
            let sample = try database.query("""
                SELECT labels::text AS labels FROM telemetry
                WHERE device_id = \(deviceID) AND metric = 'exec_events' AND labels->>'comm' = 'true' LIMIT 1
                """).rows.first.map { try JSON.parse(Array(try $0.decode("labels", as: String.self).utf8)) } ?? [:]
            checks.check(sample["filename"] == "/bin/true" && sample["program"] == .string(name) && sample["pid"] == nil,
                         "an event carries the fields the manifest's labels name, and not the pid: \(sample)")
            let busiest = try database.query("""
                SELECT count(*) AS n FROM telemetry WHERE device_id = \(deviceID) AND metric = 'exec_events'
                GROUP BY date_trunc('second', ts) ORDER BY n DESC LIMIT 1
                """).rows.first.map { try $0.decode("n", as: Int64.self) } ?? 0
            checks.check(busiest <= 5, "at most max_per_second events per second: \(busiest)")
            let unloaded = try server.runToCompletion(on: device, type: "program.unload", payload: ["name": .string(name)])
            checks.check(unloaded["state"] == "succeeded", "program.unload: \(unloaded)")
        }
        checks.record()
    }

    @Test func telemetrySampledWhileTheServerIsDownArrivesOnceAfterItReturns() async throws {
        let server = try TestServer()
        let remote = try RestartableServer(conninfo: server.conninfo)
        let checks = Observations()
        try await onOwnThread {
            defer { remote.cleanUp() }
            try remote.start()
            let executor = try ExecutorProcess(server: server, serverURL: remote.base)
            defer { executor.cleanUp(pins: []) }
            try executor.start()
            let database = try PostgresConnection(conninfo: server.conninfo)
            let device = try #require(UUID(uuidString: executor.deviceID))
            func samples() throws -> [Date] {
                try database.query("""
                    SELECT ts FROM telemetry WHERE device_id = \(device) AND metric = 'executor_programs_loaded' ORDER BY ts
                    """).rows.map { try $0.decode("ts", as: Date.self) }
            }
            try #require(try eventuallyBlocking(timeout: 15, every: 0.2) { try samples().count >= 3 },
                         "no telemetry before the outage\n\(executor.output)")

            remote.kill9()
            let downAt = Date()
            Thread.sleep(forTimeInterval: 5)
            let upAt = Date()
            try remote.start()

            let outbox = executor.stateDirectory.appendingPathComponent("outbox")
            let drained = try eventuallyBlocking(timeout: 20, every: 0.2) {
                let queued = (try? FileManager.default.contentsOfDirectory(atPath: outbox.path))?.filter { $0.hasSuffix(".json") }.count ?? 0
                let latest = try samples().last ?? .distantPast
                return queued == 0 && latest > upAt.addingTimeInterval(2)
            }
            try #require(drained, "the outbox did not drain after the server came back\n\(executor.output)")
            executor.stop()

            let times = try samples()
            let gaps = zip(times, times.dropFirst()).map { $1.timeIntervalSince($0) }
            checks.check(times.contains { $0 > downAt.addingTimeInterval(1) && $0 < upAt.addingTimeInterval(-1) },
                         "points sampled during the outage arrived")
            checks.check((gaps.max() ?? 0) < 2.0, "no sample is missing: the largest gap is \(gaps.max() ?? 0) s")
            checks.check(gaps.allSatisfy { $0 > 0.5 }, "no sample is stored twice: the smallest gap is \(gaps.min() ?? 0) s")
            let batches = try database.query("SELECT count(*) AS n FROM telemetry_batches WHERE device_id = \(device)").rows
                .first.map { try $0.decode("n", as: Int64.self) } ?? -1
            checks.check(batches == Int64(times.count), "one stored batch per sample: \(batches) batches, \(times.count) samples")
        }
        checks.record()
    }

    @Test func xdpCounterCountsTrafficOnAVethPairAndSurvivesAnAtomicReplace() async throws {
        let server = try TestServer()
        let name = Self.uniqueName("xdp")
        let checks = Observations()
        try await onOwnThread {
            let veth = try VethNamespace()
            defer { veth.remove() }
            let executor = try ExecutorProcess(server: server)
            defer { executor.cleanUp(pins: [name]) }
            try executor.start()
            let device = executor.deviceID
            let manifest = try shippedManifest("xdp_counter")
            let attach: JSON = ["type": "xdp", "iface": .string(veth.host), "mode": "skb"]
            let program = try server.uploadBPF("xdp_counter", name: name, manifest: manifest.text)
            let payload = try Self.loadPayload(program, name: name, manifest: manifest.json, extra: ["attach": attach])
            let loaded = try server.runToCompletion(on: device, type: "program.load", payload: payload)
            try #require(loaded["state"] == "succeeded", "program.load: \(loaded)\n\(executor.output)")
            checks.check(loaded["result"]?["programs"]?.arrayValue?.first?["attach"] == .string("xdp \(veth.host) (skb)"), "\(loaded)")
            checks.check(try veth.hostLinkText().contains("xdpgeneric"), "ip link shows generic XDP on \(veth.host)")

            func udpPackets() throws -> Double {
                try server.latestValues(device: device, metric: "xdp_packets", seconds: 60, labels: "proto=17,field=packets").values.max() ?? 0
            }
            checks.check(try veth.sendUDPToHost(count: 5), "datagrams sent from the namespace")
            checks.check(try eventuallyBlocking(timeout: 10, every: 0.3) { try udpPackets() >= 5 }, "xdp_packets{proto=17,field=packets} counts the datagrams")
            let bytes = try server.latestValues(device: device, metric: "xdp_packets", seconds: 60, labels: "proto=17,field=bytes").values.max() ?? 0
            checks.check(bytes >= 5 * 48, "bytes are counted as well: \(bytes)")

            // Replace on XDP swaps the program under the same link.
            let second = try server.uploadBPF("xdp_counter", name: name, version: "2.0.0", manifest: manifest.text)
            var replacePayload = payload.objectValue ?? [:]
            replacePayload["program_id"] = second["id"]
            let replaced = try server.runToCompletion(on: device, type: "program.replace", payload: .object(replacePayload),
                                                    log: executor.output)
            try #require(replaced["state"] == "succeeded", "program.replace: \(replaced)\n\(executor.output)")
            checks.check(replaced["result"]?["swaps"] == [["program": "count_packets", "method": "link_update"]], "\(replaced)")
            checks.check(try veth.hostLinkText().contains("xdpgeneric"), "XDP stays attached through the replace")
            let replacedAt = Date()
            checks.check(try veth.sendUDPToHost(count: 3), "datagrams sent after the replace")
            checks.check(try eventuallyBlocking(timeout: 10, every: 0.3) {
                try udpPackets() >= 3 && Date().timeIntervalSince(replacedAt) > 1.5
            }, "the new program counts")

            let unloaded = try server.runToCompletion(on: device, type: "program.unload", payload: ["name": .string(name)])
            checks.check(unloaded["state"] == "succeeded", "program.unload: \(unloaded)")
            checks.check(try !veth.hostLinkText().contains("xdp"), "XDP is detached from \(veth.host)")
            checks.check(!FileManager.default.fileExists(atPath: "/sys/fs/bpf/fleet/\(name)"), "no pins left")
        }
        checks.record()
    }
}
