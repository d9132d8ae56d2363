import Foundation
import Testing
import FleetCore
import FleetJSON
@testable import FleetClient

/// The policy endpoints as the client sends and reads them, against the contract of DESIGN section 4 and 6.
@Suite struct PolicyClientTests {
    static let document: JSON = ["selector": "site=north", "priority": 0, "programs": [["name": "syscalls", "program": "syscall_count@1.2.0"]],
                                 "models": []]
    static let deviceID = "0b5f6c1e-8d1a-4f5e-9c2b-3a4d5e6f7a8b"

    static func policy(revision: Int, changed: Bool?, devices: Int? = 120) -> JSON {
        var members: [String: JSON] = ["name": "north", "revision": .int(Int64(revision)), "document": document,
                                       "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-04T10:00:00Z"]
        if let changed { members["changed"] = .bool(changed) }
        if let devices { members["devices_affected"] = .int(Int64(devices)) }
        return .object(members)
    }

    func client(_ transport: RecordingTransport) -> FleetClient {
        FleetClient(configuration: ClientConfiguration(server: "http://fleet.test:8080", token: BearerToken("fla_test")), transport: transport)
    }

    @Test func applyPutsTheDocumentAndTellsCreatedConfiguredAndUnchangedApart() throws {
        let transport = RecordingTransport([
            .json(201, Self.policy(revision: 1, changed: true).serialized()),
            .json(200, Self.policy(revision: 2, changed: true, devices: 1).serialized()),
            .json(200, Self.policy(revision: 2, changed: false, devices: 0).serialized()),
        ])
        let client = client(transport)
        let created = try client.applyPolicy(named: "north", document: Self.document)
        #expect(created.action == .created)
        #expect(created.policy.revision == 1 && created.policy.devicesAffected == 120)
        #expect(created.policy.json == Self.policy(revision: 1, changed: true), "-o json prints the server's object as it came")
        #expect(try client.applyPolicy(named: "north", document: Self.document).action == .configured)
        #expect(try client.applyPolicy(named: "north", document: Self.document).action == .unchanged)
        let request = try #require(transport.requests.first)
        #expect(request.method == .put)
        #expect(request.url == "http://fleet.test:8080/v1/policies/north")
        #expect(try JSON.parse(request.body ?? []) == Self.document)
        #expect(request.headers.contains { $0.name == "Content-Type" && $0.value == "application/json" })
    }

    @Test func aDryRunAsksForOneAndReadsTheSampleAndBothDocuments() throws {
        let answer: JSON = ["name": "north", "revision": 1, "changed": true, "devices_affected": 12, "sample": [.string(Self.deviceID)],
                            "current": nil, "document": Self.document]
        let transport = RecordingTransport([.json(200, answer.serialized())])
        let preview = try client(transport).previewPolicy(named: "north", document: Self.document)
        #expect(transport.requests.first?.url == "http://fleet.test:8080/v1/policies/north?dry_run=true")
        #expect(transport.requests.first?.method == .put)
        #expect(preview.changed && preview.revision == 1 && preview.devicesAffected == 12)
        #expect(preview.sample == [DeviceID(Self.deviceID)!])
        #expect(preview.current == nil)
        #expect(preview.document == Self.document)
    }

    @Test func theServersRefusalKeepsItsDetail() throws {
        let problem = #"{"title":"Unprocessable Content","status":422,"detail":"programs[0].program: no program syscall_count@9.9"}"#
        let transport = RecordingTransport([.json(422, problem)])
        let error = try #require(throws: FleetClientError.self) { try client(transport).applyPolicy(named: "north", document: Self.document) }
        #expect(error.description == "422 Unprocessable Content: programs[0].program: no program syscall_count@9.9")
    }

    @Test func describeCountsConflictedAndHeldDevices() throws {
        let status: JSON = ["name": "north", "revision": 2, "matched": 10, "converged": 6, "pending": 1, "failed": 2, "offline": 1,
                            "conflicted": 1, "held": 3, "conflicts": [], "failing": [], "next_cursor": nil]
        let transport = RecordingTransport([
            .json(200, Self.policy(revision: 2, changed: nil, devices: nil).serialized()),
            .json(200, status.serialized()),
        ])
        let client = client(transport)
        let view = DetailView.policy(try client.policy(named: "north"), status: try client.policyStatus(named: "north"), now: Date())
        let devices = try #require(view.fields.first { $0.name == "DEVICES" }?.value)
        #expect(devices == "10 matched: 6 converged, 1 pending, 2 failed, 1 offline, 1 in conflict, 3 held on an earlier revision")
    }

    @Test func listsRevisionsStatusAndDeleteUseTheirPaths() throws {
        let revisions: JSON = ["items": [["revision": 2, "document": Self.document, "created_at": "2026-12-04T10:00:00Z", "created_by": "ci"]],
                               "next_cursor": nil]
        let status: JSON = [
            "name": "north", "revision": 2, "matched": 10, "converged": 6, "pending": 1, "failed": 2, "offline": 1,
            "conflicts": [["kind": "program", "item": "syscalls", "policies": ["north", "south"], "priority": 0]],
            "failing": [["device_id": .string(Self.deviceID), "device_name": "gw-1",
                         "items": [["kind": "program", "name": "syscalls", "state": "failed", "error": "verifier: R1 invalid mem access\nmore"]]]],
            "next_cursor": "c2",
        ]
        let transport = RecordingTransport([
            .json(200, (["items": [Self.policy(revision: 2, changed: nil, devices: nil)], "next_cursor": nil] as JSON).serialized()),
            .json(200, Self.policy(revision: 1, changed: nil, devices: nil).serialized()),
            .json(200, revisions.serialized()),
            .json(200, status.serialized()),
            HTTPResponse(status: 204, headers: [], body: []),
        ])
        let client = client(transport)
        #expect(try client.policies(limit: 5).items.map(\.name) == ["north"])
        #expect(try client.policy(named: "north", revision: 1).revision == 1)
        let history = try client.policyRevisions(named: "north")
        #expect(history.items.first?.createdBy == "ci")
        let read = try client.policyStatus(named: "north", cursor: "c1")
        #expect(read.matched == 10 && read.failed == 2 && read.nextCursor == "c2")
        #expect(read.conflicts.first?.policies == ["north", "south"])
        #expect(read.failing.first?.items.first?.error?.hasPrefix("verifier") == true)
        try client.deletePolicy(named: "north")
        #expect(transport.requests.map { "\($0.method) \($0.url)" } == [
            "GET http://fleet.test:8080/v1/policies?limit=5",
            "GET http://fleet.test:8080/v1/policies/north?revision=1",
            "GET http://fleet.test:8080/v1/policies/north/revisions",
            "GET http://fleet.test:8080/v1/policies/north/status?cursor=c1",
            "DELETE http://fleet.test:8080/v1/policies/north",
        ])
    }

    @Test func aDevicesDesiredAndReportedStateAreRead() throws {
        let desired: JSON = [
            "revision": "a1b2", "programs": ["syscalls": ["program_id": "3f2a", "name": "syscalls", "sha256": "00ff"]], "models": [:],
            "telemetry": ["interval_seconds": 15], "sources": ["program/syscalls": ["policy": "north", "revision": 3, "version": "syscall_count@1.2.0"]], "conflicts": [],
        ]
        let reported: JSON = ["revision": nil, "reported_at": nil, "items": [
            ["kind": "program", "name": "syscalls", "state": "failed", "version": "1.1.0", "error": "EPERM", "since": "2026-12-04T10:00:00Z"],
        ]]
        let transport = RecordingTransport([.json(200, desired.serialized()), .json(200, reported.serialized())])
        let id = DeviceID(Self.deviceID)!
        let state = try client(transport).desiredState(of: id)
        #expect(state.sources["program/syscalls"] == DeviceDesiredState.Source(policy: "north", revision: 3, version: "syscall_count@1.2.0"))
        #expect(state.telemetry == ["interval_seconds": 15])
        let report = try client(transport).reportedState(of: id)
        #expect(report.revision == nil && report.items.first?.version == "1.1.0")
        #expect(transport.requests.map(\.url) == ["http://fleet.test:8080/v1/devices/\(Self.deviceID)/desired",
                                                  "http://fleet.test:8080/v1/devices/\(Self.deviceID)/status"])

        let now = Date(timeIntervalSince1970: 1_796_378_400)  // 2026-12-04T10:00:00Z
        let table = Table.deviceItems(desired: state, reported: report, now: now)
        #expect(table.rows == [["program/syscalls", "north@3", "syscall_count@1.2.0", "1.1.0", "failed", "just now", "EPERM"]])
        let view = DetailView.deviceConvergence(desired: state, reported: report, now: now)
        #expect(view.fields.map(\.value) == ["a1b2", "never reported", "no: items failed", "every 15s"])
    }
}

@Suite struct PolicyManifestTests {
    @Test func readsTheFullAndTheBareForm() throws {
        let full = try PolicyManifest(json: ["kind": "Policy", "name": "north", "spec": ["selector": "site=north"]])
        #expect(full == PolicyManifest(name: "north", document: ["selector": "site=north"]))
        let bare = try PolicyManifest(json: ["name": "south", "selector": "site=south", "priority": 5])
        #expect(bare == PolicyManifest(name: "south", document: ["selector": "site=south", "priority": 5]))
    }

    @Test func refusesWhatIsNotAPolicyDocumentNamingTheMember() throws {
        let cases: [(JSON, String)] = [
            (["selector": "x"], "name: required: every document names its policy"),
            (["name": "North", "selector": "x"], "name: 'North' is not a policy name: 1 to 63 of a-z, 0-9 and '-', starting and ending with a letter or digit"),
            (["kind": "Device", "name": "north", "spec": [:]], #"kind: "Device" is not a kind fleetctl applies: use Policy"#),
            (["kind": "Policy", "name": "north"], "spec: required with kind: Policy"),
            (["kind": "Policy", "name": "north", "spec": [:], "metadata": [:]], "metadata: unknown field: a Policy document has kind, name and spec"),
            (["name": "north", "spec": [:]], "kind: required with spec: add kind: Policy"),
            (["kind": "Policy", "name": "north", "spec": "x"], "spec: expected object, got string"),
        ]
        for (json, message) in cases {
            let error = try #require(throws: JSONError.self) { try PolicyManifest(json: json) }
            #expect(error.description == message, "\(json.serialized())")
        }
        #expect(throws: JSONError.self) { try PolicyManifest(json: ["a", "b"]) }
    }
}

@Suite struct LineDiffTests {
    @Test func equalTextsHaveNoDiff() {
        #expect(LineDiff.unified(from: "a\nb\n", to: "a\nb\n") == "")
    }

    @Test func aChangeShowsThreeLinesOfContextEachSide() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n")
        #expect(LineDiff.unified(from: old, to: new) == """
            @@ -2,7 +2,7 @@
             line 2
             line 3
             line 4
            -line 5
            +line five
             line 6
             line 7
             line 8

            """)
    }

    @Test func distantChangesGetHunksOfTheirOwnAndAdditionsToNothingStartAtZero() {
        let old = (1...20).map { "l\($0)" }.joined(separator: "\n")
        let new = old.replacingOccurrences(of: "l1\n", with: "").replacingOccurrences(of: "l20", with: "l20\nl21")
        #expect(LineDiff.unified(from: old, to: new) == """
            @@ -1,4 +1,3 @@
            -l1
             l2
             l3
             l4
            @@ -18,3 +17,4 @@
             l18
             l19
             l20
            +l21

            """)
        #expect(LineDiff.unified(from: "", to: "a\nb\n") == "@@ -0,0 +1,2 @@\n+a\n+b\n")
    }
}
