import Foundation
import FleetCore
import FleetJSON
import Testing

/// Policies against a real PostgreSQL: revisions, validation against the registries (libbpf reads the object),
/// rendering per device and again on label changes, dry runs, conflicts, the executor's long-poll and status
/// reports, and the counts of a policy's status.
@Suite struct PolicyTests {
    /// A tracepoint program with a `.rodata` variable `target_pid` (u32) and a counter map.
    static let rodataSource = ProgramFixtures.cPrelude + """
        struct { __uint(type, 2); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } counts SEC(".maps");
        const volatile __u32 target_pid = 0;
        static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;
        SEC("tracepoint/syscalls/sys_enter_getpid")
        int count_getpid(void *ctx) {
            __u32 key = 0;
            if (target_pid == 7) return 0;
            __u64 *value = bpf_map_lookup_elem(&counts, &key);
            if (value) __sync_fetch_and_add(value, 1);
            return 0;
        }
        char LICENSE[] SEC("license") = "GPL";
        """

    static func put(_ server: TestServer, _ name: String, _ document: JSON, query: String = "", token: String? = nil) throws -> TestServer.Answer {
        try server.call("PUT", "/v1/policies/\(name)\(query)", token: token ?? server.adminToken, json: document)
    }

    static func desired(_ server: TestServer, _ device: String) throws -> JSON {
        let answer = try server.call("GET", "/v1/devices/\(device)/desired", token: server.adminToken)
        try #require(answer.status == 200, "\(answer)")
        return answer.json
    }

    static func program(_ server: TestServer, _ name: String, version: String = "1.0.0") throws -> JSON {
        let answer = try server.uploadProgram(name: name, version: version,
                                              object: try ProgramFixtures.compile(rodataSource, name: "\(name)-\(version)"))
        try #require(answer.status == 201, "\(answer)")
        return answer.json
    }

    @Test func aChangedDocumentMakesARevisionAndAnIdenticalOneNone() throws {
        let server = try TestServer()
        _ = try Self.program(server, "counter")
        let document: JSON = ["selector": "site=north", "programs": [["name": "syscalls", "program": "counter@1.0.0"]]]
        let created = try Self.put(server, "north", document)
        #expect(created.status == 201, "\(created)")
        #expect(created.json["revision"] == 1 && created.json["changed"] == true)
        let again = try Self.put(server, "north", ["programs": [["program": "counter@1.0.0", "name": "syscalls"]], "selector": "site=north"])
        #expect(again.status == 200)
        #expect(again.json["revision"] == 1 && again.json["changed"] == false, "the same document in another key order")
        let changed = try Self.put(server, "north", ["selector": "site=north", "priority": 5,
                                                     "programs": [["name": "syscalls", "program": "counter@1.0.0"]]])
        #expect(changed.status == 200 && changed.json["revision"] == 2)
        #expect(try server.call("GET", "/v1/policies/north", token: server.adminToken).json["revision"] == 2)
        let first = try server.call("GET", "/v1/policies/north?revision=1", token: server.adminToken)
        #expect(first.json["document"]?["priority"] == 0 && first.json["current"] == false)
        let revisions = try server.call("GET", "/v1/policies/north/revisions?limit=1", token: server.adminToken)
        #expect(revisions.json["items"]?.arrayValue?.map { $0["revision"] } == [2])
        let cursor = try #require(revisions.json["next_cursor"]?.stringValue)
        let older = try server.call("GET", "/v1/policies/north/revisions?limit=1&cursor=\(cursor)", token: server.adminToken)
        #expect(older.json["items"]?.arrayValue?.map { $0["revision"] } == [1])
        #expect(try server.call("GET", "/v1/policies", token: server.adminToken).json["items"]?.arrayValue?.map { $0["name"] } == ["north"])
        let audit = try server.call("GET", "/v1/audit?target_type=policy", token: server.adminToken).json["items"]?.arrayValue ?? []
        #expect(Set(audit.compactMap { $0["action"]?.stringValue }) == ["policy.create", "policy.update"])
        #expect(audit.contains { $0["details"]?["revision"] == 2 }, "the audit names the revision")
    }

    @Test func badDocumentsAreRefusedWithThePathAndNothingIsStored() throws {
        let server = try TestServer()
        _ = try Self.program(server, "counter")
        let cases: [(JSON, Int, String)] = [
            (["selector": "site=north", "programs": [["name": "p", "program": "counter@9.9.9"]]], 422, "programs[0].program"),
            (["selector": "", "programs": [["name": "p", "program": "counter@1.0.0", "attach": ["nope": ["type": "auto"]]]]], 422,
             "programs[0].attach.nope"),
            (["selector": "", "programs": [["name": "p", "program": "counter@1.0.0", "rodata": ["missing_var": 1]]]], 422,
             "programs[0].rodata.missing_var"),
            (["selector": "", "programs": [["name": "p", "program": "counter@1.0.0", "rodata": ["target_pid": 5_000_000_000]]]], 422,
             "programs[0].rodata.target_pid"),
            (["selector": "", "models": [["name": "m", "model": "absent@1"]]], 422, "models[0].model"),
            (["selector": "site in (a"], 400, "selector"),
            (["selector": "", "programs": [["name": "p", "program": "counter@1.0.0"], ["name": "p", "program": "counter@1.0.0"]]], 400,
             "programs[1].name"),
            (["selector": "", "colour": "red"], 400, "'colour'"),
            (["selector": 3], 400, "selector"),
        ]
        for (document, status, mention) in cases {
            let answer = try Self.put(server, "bad", document)
            #expect(answer.status == status, "\(document.serialized()): \(answer)")
            #expect(answer.json["detail"]?.stringValue?.contains(mention) == true, "\(document.serialized()): \(answer.json)")
        }
        #expect(try Self.put(server, "Bad_Name", ["selector": ""]).status == 400)
        let huge = try server.call("PUT", "/v1/policies/big", token: server.adminToken,
                                   raw: Array(("{\"selector\": \"" + String(repeating: "a", count: 2 << 20) + "\"}").utf8),
                                   headers: [("Content-Type", "application/json")])
        #expect(huge.status == 413)
        #expect(try server.call("GET", "/v1/policies/bad", token: server.adminToken).status == 404)
        #expect(try server.call("GET", "/v1/policies", token: server.adminToken).json["items"] == [])
        let fits = try Self.put(server, "good", ["selector": "", "programs": [["name": "p", "program": "counter@1.0.0",
                                                                              "rodata": ["target_pid": 7], "attach": ["count_getpid": ["type": "auto"]]]]])
        #expect(fits.status == 201, "rodata and attach that libbpf finds in the object: \(fits)")
    }

    @Test func devicesRenderTheirPoliciesAndAgainWhenTheirLabelsChange() throws {
        let server = try TestServer()
        let program = try Self.program(server, "counter")
        let north = try server.enroll(labels: ["site": "north"])
        let south = try server.enroll(labels: ["site": "south"])
        let put = try Self.put(server, "north", ["selector": "site=north", "telemetry": ["interval_seconds": 5],
                                                 "programs": [["name": "syscalls", "program": "counter@1.0.0", "rodata": ["target_pid": 3]]]])
        #expect(put.json["devices_affected"] == 1)
        let state = try Self.desired(server, north.id)
        let payload = try #require(state["programs"]?["syscalls"])
        #expect(payload["program_id"] == program["id"] && payload["sha256"] == program["sha256"] && payload["name"] == "syscalls")
        #expect(payload["program"] == "counter@1.0.0", "the version it came from, which the executor reports back")
        #expect(payload["rodata"] == ["target_pid": 3])
        #expect(state["telemetry"] == ["interval_seconds": 5])
        #expect(state["sources"]?["program/syscalls"]?["policy"] == "north")
        #expect(state["policies"] == ["north"])
        #expect(try Self.desired(server, south.id)["programs"] == [:])
        let heartbeat = try server.call("POST", "/v1/executor/heartbeat", token: north.token, json: [:])
        #expect(heartbeat.json["desired_revision"] == state["revision"])

        #expect(try server.call("PATCH", "/v1/devices/\(south.id)", token: server.adminToken, json: ["labels": ["site": "north"]]).status == 200)
        #expect(try Self.desired(server, south.id)["programs"]?["syscalls"] != nil, "a label change renders the device again")
        #expect(try server.call("PATCH", "/v1/devices/\(north.id)", token: server.adminToken, json: ["labels": ["site": nil]]).status == 200)
        #expect(try Self.desired(server, north.id)["programs"] == [:])
        let moved = try server.call("POST", "/v1/executor/heartbeat", token: north.token, json: [:])
        #expect(moved.json["desired_revision"] == .string(DesiredState.empty.revision), "heartbeats see the new revision")
        #expect(try server.call("DELETE", "/v1/devices/\(south.id)", token: server.adminToken).status == 204)
        #expect(try Self.desired(server, south.id)["programs"] == [:], "a decommissioned device keeps nothing")
    }

    @Test func aDryRunSaysWhatWouldChangeAndStoresNothing() throws {
        let server = try TestServer()
        _ = try Self.program(server, "counter")
        let devices = try (0..<3).map { _ in try server.enroll(labels: ["site": "north"]) }
        _ = try server.enroll(labels: ["site": "south"])
        let document: JSON = ["selector": "site=north", "programs": [["name": "syscalls", "program": "counter@1.0.0"]]]
        let dry = try Self.put(server, "north", document, query: "?dry_run=true")
        #expect(dry.status == 200, "\(dry)")
        #expect(dry.json["devices_affected"] == 3 && dry.json["revision"] == 1 && dry.json["changed"] == true)
        #expect(Set(dry.json["sample"]?.arrayValue?.compactMap(\.stringValue) ?? []) == Set(devices.map(\.id)))
        #expect(dry.json["current"] == .null)
        #expect(try server.call("GET", "/v1/policies/north", token: server.adminToken).status == 404)
        #expect(try Self.desired(server, devices[0].id)["programs"] == [:])
        _ = try Self.put(server, "north", document)
        let same = try Self.put(server, "north", document, query: "?dry_run=true")
        #expect(same.json["changed"] == false && same.json["devices_affected"] == 0)
        let narrower = try Self.put(server, "north", ["selector": "site=nowhere", "programs": document["programs"]!], query: "?dry_run=true")
        #expect(narrower.json["devices_affected"] == 3, "the devices it would leave count too")
        #expect(try server.call("GET", "/v1/policies/north", token: server.adminToken).json["revision"] == 1)
    }

    @Test func priorityWinsPerItemAndEqualPrioritiesAreAReportedConflict() throws {
        let server = try TestServer()
        _ = try Self.program(server, "counter")
        _ = try Self.program(server, "counter", version: "2.0.0")
        let device = try server.enroll(labels: ["site": "north"])
        _ = try Self.put(server, "base", ["selector": "", "programs": [["name": "syscalls", "program": "counter@1.0.0"]]])
        _ = try Self.put(server, "north", ["selector": "site=north", "priority": 10, "programs": [["name": "syscalls", "program": "counter@2.0.0"]]])
        #expect(try Self.desired(server, device.id)["sources"]?["program/syscalls"]?["version"] == "counter@2.0.0")
        _ = try Self.put(server, "zz-rival", ["selector": "", "priority": 10, "programs": [["name": "syscalls", "program": "counter@1.0.0"]]])
        let state = try Self.desired(server, device.id)
        #expect(state["sources"]?["program/syscalls"]?["policy"] == "north", "policy name order breaks the tie")
        #expect(state["conflicts"]?.arrayValue?.first?["policies"] == ["north", "zz-rival"])
        for name in ["north", "zz-rival"] {
            let status = try server.call("GET", "/v1/policies/\(name)/status", token: server.adminToken)
            #expect(status.json["conflicts"]?.arrayValue?.count == 1, "\(name): \(status.json)")
            #expect(status.json["conflicted"] == 1)
        }
        #expect(try server.call("GET", "/v1/policies/base/status", token: server.adminToken).json["conflicts"] == [])
    }

    @Test func theExecutorLongPollAnswersWhenItsStateChanges() async throws {
        let server = try TestServer()
        _ = try Self.program(server, "counter")
        let device = try server.enroll(labels: ["site": "north"])
        let empty = DesiredState.empty.revision
        #expect(try server.call("GET", "/v1/executor/desired?known_revision=\(empty)", token: device.token).status == 204)
        let unknown = try server.call("GET", "/v1/executor/desired?known_revision=none", token: device.token)
        #expect(unknown.status == 200 && unknown.json["revision"] == .string(empty))
        async let held = Task.detached {
            try server.call("GET", "/v1/executor/desired?known_revision=\(empty)&wait=20", token: device.token)
        }.value
        try await Task.sleep(for: .milliseconds(500))
        _ = try Self.put(server, "north", ["selector": "site=north", "programs": [["name": "syscalls", "program": "counter@1.0.0"]]])
        let answer = try await held
        #expect(answer.status == 200, "woken by the rendering: the deadline answers 204: \(answer)")
        #expect(answer.json["programs"]?["syscalls"] != nil)
        let timedOut = try server.call("GET", "/v1/executor/desired?known_revision=\(answer.json["revision"]!.stringValue!)&wait=1",
                                       token: device.token)
        #expect(timedOut.status == 204)
        #expect(try server.call("GET", "/v1/executor/desired?wait=61", token: device.token).status == 400)
        #expect(try server.call("GET", "/v1/executor/desired", token: server.adminToken).status == 403)
    }

    @Test func reportedStatusIsCountedPerPolicyWithTheFailingItems() throws {
        let server = try TestServer()
        _ = try Self.program(server, "counter")
        let good = try server.enroll(labels: ["site": "north"])
        let bad = try server.enroll(labels: ["site": "north"])
        _ = try server.enroll(labels: ["site": "north"])
        _ = try Self.put(server, "north", ["selector": "site=north", "programs": [["name": "syscalls", "program": "counter@1.0.0"]]])
        let revision = try #require(try Self.desired(server, good.id)["revision"]?.stringValue)
        let now = Timestamp.format(Date())
        func report(_ device: TestServer.EnrolledDevice, _ state: String, error: String? = nil) throws -> TestServer.Answer {
            var item: [String: JSON] = ["kind": "program", "name": "syscalls", "state": .string(state), "since": .string(now)]
            if let error { item["error"] = .string(error) }
            return try server.call("PUT", "/v1/executor/status", token: device.token,
                                   json: ["revision": .string(revision), "items": [.object(item)]])
        }
        #expect(try report(good, "ready").status == 204)
        #expect(try report(bad, "failed", error: "program.load: the verifier rejected count_getpid: R1 invalid mem access").status == 204)
        for heartbeat in [good, bad] { _ = try server.call("POST", "/v1/executor/heartbeat", token: heartbeat.token, json: [:]) }
        Thread.sleep(forTimeInterval: 1.3)  // heartbeats reach device_presence within a second
        let status = try server.call("GET", "/v1/policies/north/status", token: server.adminToken)
        #expect(status.status == 200, "\(status)")
        #expect(status.json["matched"] == 3 && status.json["converged"] == 1 && status.json["failed"] == 1, "\(status.json)")
        #expect(status.json["offline"] == 1 && status.json["pending"] == 0, "the device that never reported is offline: \(status.json)")
        let failing = try #require(status.json["failing"]?.arrayValue?.first)
        #expect(failing["device_id"]?.stringValue == bad.id)
        #expect(failing["items"]?.arrayValue?.first?["error"]?.stringValue?.contains("verifier") == true)
        let reported = try server.call("GET", "/v1/devices/\(good.id)/status", token: server.adminToken)
        #expect(reported.json["converged"] == true && reported.json["items"]?.arrayValue?.first?["state"] == "ready")
        #expect(try server.call("GET", "/v1/devices/\(bad.id)/status", token: server.adminToken).json["converged"] == false,
                "the desired revision with a failed item is not converged")
        #expect(try server.call("GET", "/v1/devices/\(good.id)", token: server.adminToken).json["converged"] == true)
        let badDevice = try server.call("GET", "/v1/devices/\(bad.id)", token: server.adminToken).json
        #expect(badDevice["converged"] == false && badDevice["reported_revision"] == .string(revision) && badDevice["desired_revision"] == .string(revision))
        let malformed = try server.call("PUT", "/v1/executor/status", token: good.token,
                                        json: ["revision": .string(revision), "items": [["kind": "daemon", "name": "x", "state": "ready", "since": .string(now)]]])
        #expect(malformed.status == 400)
        // A report against an older revision does not count as converged.
        _ = try Self.put(server, "north", ["selector": "site=north", "priority": 1, "programs": [["name": "syscalls", "program": "counter@1.0.0"]]])
        #expect(try server.call("GET", "/v1/policies/north/status", token: server.adminToken).json["converged"] == 1,
                "a revision with the same items keeps the desired state, so the report still counts")
    }

    @Test func aVersionInUseByAPolicyCannotBeDeletedAndDeletingThePolicyClearsItsDevices() throws {
        let server = try TestServer()
        let program = try Self.program(server, "counter")
        let device = try server.enroll(labels: ["site": "north"])
        _ = try Self.put(server, "north", ["selector": "site=north", "programs": [["name": "syscalls", "program": "counter@1.0.0"]]])
        let refused = try server.call("DELETE", "/v1/programs/\(program["id"]!.stringValue!)", token: server.adminToken)
        #expect(refused.status == 409)
        #expect(refused.json["detail"]?.stringValue?.contains("policy north") == true)
        #expect(try server.call("DELETE", "/v1/policies/north", token: server.adminToken).status == 204)
        #expect(try Self.desired(server, device.id)["programs"] == [:])
        #expect(try server.call("DELETE", "/v1/policies/north", token: server.adminToken).status == 404)
        #expect(try server.call("DELETE", "/v1/programs/\(program["id"]!.stringValue!)", token: server.adminToken).status == 204)
    }

    @Test func viewersReadAndOperatorsWrite() throws {
        let server = try TestServer()
        let viewer = try server.createToken(role: "viewer")
        let device = try server.enroll()
        #expect(try Self.put(server, "x", ["selector": ""], token: viewer).status == 403)
        #expect(try Self.put(server, "x", ["selector": ""], token: device.token).status == 403)
        #expect(try Self.put(server, "x", ["selector": ""]).status == 201)
        #expect(try server.call("GET", "/v1/policies/x", token: viewer).status == 200)
        #expect(try server.call("GET", "/v1/policies/x/status", token: viewer).status == 200)
        #expect(try server.call("DELETE", "/v1/policies/x", token: viewer).status == 403)
        #expect(try server.call("GET", "/v1/policies", token: device.token).status == 403)
    }
}
