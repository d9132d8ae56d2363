import Foundation
import FleetCore
import FleetJSON
import Testing

/// `fleetctl apply`, `diff`, `get policies`, `describe` and `delete policy` as a binary against a real server.
@Suite struct PolicyCommandLineTests {
    static var fleetctl: URL { BuiltProducts.directory.appendingPathComponent("fleetctl") }

    /// Runs fleetctl against `server` with the admin token; `input` is its standard input.
    static func fleetctl(_ server: TestServer, _ arguments: [String], input: String = "", token: String? = nil)
        throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = fleetctl
        process.arguments = ["--server", server.base, "--token", token ?? server.adminToken] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    static func file(_ name: String, _ text: String) throws -> String {
        let url = ProgramFixtures.directory.appendingPathComponent("\(UUID().uuidString.prefix(8))-\(name)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static let policies = """
        # north and south, in the two shapes a document may have
        kind: Policy
        name: north
        spec:
          selector: site=north
          programs:
          - name: syscalls
            program: counter@1.0.0
            rodata: {target_pid: 3}
          telemetry: {interval_seconds: 15}
        ---
        name: south
        selector: site=south
        priority: 5
        """

    @Test func applyDiffDescribeAndDeleteAPolicy() throws {
        let server = try TestServer()
        _ = try PolicyTests.program(server, "counter")
        let enrolled = try server.enroll(labels: ["site": "north"])
        let gateway = enrolled.id
        #expect(try server.call("PATCH", "/v1/devices/\(gateway)", token: server.adminToken, json: ["name": "gw-north"]).status == 200)
        let other = try server.enroll(labels: ["site": "north"])
        let path = try Self.file("policies.yaml", Self.policies)

        // Before anything exists, diff shows both documents as new and exits 1.
        let first = try Self.fleetctl(server, ["diff", "-f", path])
        #expect(first.status == 1, "\(first.errors)")
        #expect(first.output.contains("--- policy/north (none)\n+++ policy/north revision 1 (dry run)\n@@ -0,0 +1,10 @@\n+models: []\n"), "\(first.output)")
        #expect(first.output.contains("+- name: syscalls\n+  program: counter@1.0.0\n+  rodata:\n+    target_pid: 3\n"), "\(first.output)")
        #expect(first.output.contains("2 devices' desired states would change: "), "\(first.output)")
        #expect(first.output.contains(gateway) && first.output.contains(other.id))
        #expect(first.output.contains("diff policy/south\n") && first.output.contains("+priority: 5\n"))
        #expect(try server.call("GET", "/v1/policies", token: server.adminToken).json["items"] == [], "diff stores nothing")

        let applied = try Self.fleetctl(server, ["apply", "-f", path])
        #expect(applied.status == 0, "\(applied.errors)")
        #expect(applied.output == "policy/north created (revision 1, 2 devices)\npolicy/south created (revision 1, 0 devices)\n")
        let again = try Self.fleetctl(server, ["apply", "-f", path])
        #expect(again.output == "policy/north unchanged\npolicy/south unchanged\n", "\(again.errors)")
        let same = try Self.fleetctl(server, ["diff", "-f", path])
        #expect(same.status == 0 && same.output.isEmpty, "nothing to change: \(same)")

        // JSON on stdin; a change of rodata is a diff of one line and touches both devices.
        let changed = #"{"kind": "Policy", "name": "north", "spec": {"selector": "site=north", "telemetry": {"interval_seconds": 15}, "programs": [{"name": "syscalls", "program": "counter@1.0.0", "rodata": {"target_pid": 4}}]}}"#
        let diff = try Self.fleetctl(server, ["diff", "-f", "-"], input: changed)
        #expect(diff.status == 1, "\(diff.errors)")
        #expect(diff.output.contains("--- policy/north revision 1\n+++ policy/north revision 2 (dry run)\n"), "\(diff.output)")
        #expect(diff.output.contains("-    target_pid: 3\n+    target_pid: 4\n"), "\(diff.output)")
        let configured = try Self.fleetctl(server, ["apply", "-f", "-"], input: changed)
        #expect(configured.output == "policy/north configured (revision 2, 2 devices)\n", "\(configured.errors)")

        // The gateway reports a failure; describe shows it for the policy and for the device.
        let desired = try PolicyTests.desired(server, gateway)
        let report = try server.call("PUT", "/v1/executor/status", token: enrolled.token, json: [
            "revision": desired["revision"]!,
            "items": [["kind": "program", "name": "syscalls", "state": "failed", "version": "counter@1.0.0",
                       "error": "program.load: the verifier rejected count_getpid: R1 invalid mem access", "since": .string(Timestamp.format(Date()))]],
        ])
        #expect(report.status == 204, "\(report)")
        let policy = try Self.fleetctl(server, ["describe", "policy", "north"])
        #expect(policy.status == 0, "\(policy.errors)")
        #expect(policy.output.contains("REVISION:   2\n"), "\(policy.output)")
        #expect(policy.output.contains("PROGRAMS:   syscalls: counter@1.0.0\n"), "\(policy.output)")
        #expect(policy.output.contains("DEVICES:    2 matched: 0 converged, 0 pending, 1 failed, 1 offline"), "\(policy.output)")
        #expect(policy.output.contains("FAILING DEVICES:\n  DEVICE"), "\(policy.output)")
        #expect(policy.output.contains("\(gateway)   gw-north   program/syscalls   failed   program.load: the verifier rejected"), "\(policy.output)")
        let device = try Self.fleetctl(server, ["describe", "device", "gw-north"])
        #expect(device.status == 0, "\(device.errors)")
        #expect(device.output.contains("DESIRED REVISION:   \(desired["revision"]!.stringValue!)\n"), "\(device.output)")
        #expect(device.output.contains("CONVERGED:          no: items failed\nTELEMETRY:          every 15s (north@2)\n"), "\(device.output)")
        #expect(device.output.contains("program/syscalls   north@2   counter@1.0.0   counter@1.0.0   failed"), "\(device.output)")
        #expect(device.output.contains("LAST COMMANDS:\n  <none>\n"), "\(device.output)")
        let deviceJSON = try JSON.parse(Self.fleetctl(server, ["-o", "json", "describe", "device", gateway]).output)
        #expect(deviceJSON["desired"]?["sources"]?["program/syscalls"]?["policy"] == "north")
        #expect(deviceJSON["status"]?["items"]?.arrayValue?.count == 1)

        // Listings, one revision as YAML, the history, and the delete.
        let list = try JSON.parse(Self.fleetctl(server, ["-o", "json", "get", "policies"]).output)
        #expect(list["items"]?.arrayValue?.map { $0["name"] } == ["north", "south"])
        let table = try Self.fleetctl(server, ["get", "policies"])
        #expect(table.output.hasPrefix("NAME    REVISION   PRIORITY   SELECTOR     PROGRAMS   MODELS   UPDATED\nnorth   2          0          site=north   syscalls   -"),
                "\(table.output)")
        let yaml = try Self.fleetctl(server, ["-o", "yaml", "get", "policy", "north", "--revision", "1"])
        #expect(yaml.status == 0, "\(yaml.errors)")
        #expect(yaml.output.contains("document:\n  models: []\n  priority: 0\n  programs:\n  - name: syscalls\n"), "\(yaml.output)")
        #expect(yaml.output.contains("revision: 1\n") && yaml.output.contains("current: false\n"), "\(yaml.output)")
        let history = try Self.fleetctl(server, ["get", "policy", "north", "--revisions"])
        #expect(history.output.split(separator: "\n").dropFirst().map { $0.prefix(1) } == ["2", "1"], "\(history.output)")
        let deleted = try Self.fleetctl(server, ["delete", "policy", "north"])
        #expect(deleted.output == "policy/north deleted\n", "\(deleted.errors)")
        let gone = try Self.fleetctl(server, ["get", "policy", "north"])
        #expect(gone.status == 1)
        #expect(gone.errors == "error: 404 Not Found: policy north does not exist\n")
        #expect(try PolicyTests.desired(server, gateway)["programs"] == [:])
    }

    @Test func holdGetHoldsAndReleaseADevice() throws {
        let server = try TestServer()
        _ = try PolicyTests.program(server, "counter", version: "1.0.0")
        _ = try PolicyTests.program(server, "counter", version: "2.0.0")
        let device = try server.enroll(labels: ["site": "north"])
        #expect(try server.call("PATCH", "/v1/devices/\(device.id)", token: server.adminToken, json: ["name": "gw-held"]).status == 200)
        _ = try PolicyTests.put(server, "north", PolicyHoldTests.document("1.0.0"))

        let hold = try Self.fleetctl(server, ["hold", "device", "gw-held", "--policy", "north"])
        #expect(hold.status == 0, "\(hold)")
        #expect(hold.output.contains("held on policy/north revision 1"), "without --revision, the current one: \(hold.output)")
        _ = try PolicyTests.put(server, "north", PolicyHoldTests.document("2.0.0"))
        #expect(PolicyHoldTests.version(try PolicyTests.desired(server, device.id)) == "counter@1.0.0", "held on revision 1")

        let listed = try Self.fleetctl(server, ["get", "holds", "north"])
        #expect(listed.status == 0 && listed.output.contains("gw-held") && listed.output.contains("REVISION"), "\(listed)")
        let json = try Self.fleetctl(server, ["-o", "json", "get", "holds", "north"])
        #expect(try JSON.parse(Array(json.output.utf8))["items"]?.arrayValue?.first?["revision"] == 1, "\(json)")
        let described = try Self.fleetctl(server, ["describe", "policy", "north"])
        #expect(described.output.contains("1 held on an earlier revision"), "\(described.output)")

        let missing = try Self.fleetctl(server, ["hold", "device", "gw-held", "--policy", "north", "--revision", "9"])
        #expect(missing.status == 1 && missing.errors.contains("no revision 9"), "\(missing)")
        let bad = try Self.fleetctl(server, ["hold", "device", "gw-held", "--policy", "north", "--revision", "0"])
        #expect(bad.status == 64, "\(bad)")

        let release = try Self.fleetctl(server, ["release", "device", "gw-held", "--policy", "north"])
        #expect(release.status == 0 && release.output.contains("released from policy/north"), "\(release)")
        #expect(PolicyHoldTests.version(try PolicyTests.desired(server, device.id)) == "counter@2.0.0", "released, it follows revision 2")
        let again = try Self.fleetctl(server, ["release", "device", "gw-held", "--policy", "north"])
        #expect(again.status == 1 && again.errors.contains("not held"), "\(again)")
        let none = try Self.fleetctl(server, ["get", "holds", "north"])
        #expect(none.status == 0 && none.errors.contains("No holds found"), "\(none)")
    }

    @Test func aBadDocumentIsOneErrorLineAndTheOthersAreStillApplied() throws {
        let server = try TestServer()
        _ = try PolicyTests.program(server, "counter")
        let path = try Self.file("mixed.yaml", """
            name: broken
            selector: [site=north
            ---
            name: west
            selector: site=west
            programs:
            - {name: p, program: counter@9.9.9}
            ---
            name: east
            selector: site=east
            ---
            name: east
            selector: site=east2
            ---
            1: not a string key
            """)
        let result = try Self.fleetctl(server, ["apply", "-f", path])
        #expect(result.status == 1)
        #expect(result.output == "policy/east created (revision 1, 0 devices)\n", "\(result.errors)")
        let lines = result.errors.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(result.errors)")
        #expect(lines.allSatisfy { $0.hasPrefix("error: ") })
        #expect(lines[0] == "error: \(path), document 1: line 3, column 1: did not find expected ',' or ']' (while parsing a flow sequence at line 2)")
        #expect(lines[1].hasPrefix("error: policy/west (\(path), document 2): 422 "), "\(lines[1])")
        #expect(lines[1].contains("programs[0].program"), "\(lines[1])")
        #expect(lines[2] == "error: \(path), document 4: policy/east is in \(path), document 3 too; give each policy once")
        #expect(lines[3] == "error: \(path), document 5: line 15, column 1: keys must be strings: '1' reads as an integer; quote it")
        #expect(try server.call("GET", "/v1/policies/west", token: server.adminToken).status == 404)

        // diff: the same failures make status 2, whatever else would change.
        let diff = try Self.fleetctl(server, ["diff", "-f", path])
        #expect(diff.status == 2, "\(diff)")
        let refused = try Self.fleetctl(server, ["diff", "-f", try Self.file("one.yaml", "name: east\nselector: site=east\n")],
                                        token: "fla_not_a_token")
        #expect(refused.status == 2, "an API failure is not a difference: \(refused)")
        #expect(refused.errors.hasPrefix("error: policy/east ("), "\(refused.errors)")
        let missing = try Self.fleetctl(server, ["apply", "-f", "/nonexistent/policies.yaml"])
        #expect(missing.status == 1)
        #expect(missing.errors == "error: /nonexistent/policies.yaml: no such file\n")
        #expect(try Self.fleetctl(server, ["apply"]).status == 64, "a file is required")
    }
}
