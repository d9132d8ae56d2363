import Foundation
import FleetCore
import FleetJSON
import FleetPostgres
import Testing

/// Holds (a device kept on an earlier revision of one policy), the per-device outcomes that a policy's status
/// counts, and what a server restart keeps, against a real PostgreSQL.
@Suite struct PolicyHoldTests {
    static func document(_ version: String, selector: String = "site=north", priority: Int = 0) -> JSON {
        ["selector": .string(selector), "priority": .int(Int64(priority)),
         "programs": [["name": "syscalls", "program": .string("counter@\(version)")]]]
    }

    static func status(_ server: TestServer, _ policy: String = "north") throws -> JSON {
        let answer = try server.call("GET", "/v1/policies/\(policy)/status", token: server.adminToken)
        try #require(answer.status == 200, "\(answer)")
        return answer.json
    }

    static func report(_ server: TestServer, _ device: TestServer.EnrolledDevice, revision: String, state: String = "ready",
                       version: String = "counter@1.0.0") throws {
        let answer = try server.call("PUT", "/v1/executor/status", token: device.token, json: [
            "revision": .string(revision),
            "items": [["kind": "program", "name": "syscalls", "state": .string(state), "version": .string(version),
                       "since": .string(Timestamp.format(Date()))]],
        ])
        try #require(answer.status == 204, "\(answer)")
    }

    /// Pending or offline: neither converged nor failed.
    static func waiting(_ status: JSON) -> Int64 { (status["pending"]?.int64Value ?? -1) + (status["offline"]?.int64Value ?? -1) }

    static func version(_ state: JSON) -> JSON? { state["sources"]?["program/syscalls"]?["version"] }

    @Test func aHeldDeviceKeepsItsRevisionWhileTheOthersMoveOnUntilReleased() throws {
        let server = try TestServer()
        _ = try PolicyTests.program(server, "counter", version: "1.0.0")
        _ = try PolicyTests.program(server, "counter", version: "2.0.0")
        let held = try server.enroll(labels: ["site": "north"])
        let moving = try server.enroll(labels: ["site": "north"])
        #expect(try PolicyTests.put(server, "north", Self.document("1.0.0")).status == 201)

        let hold = try server.call("PUT", "/v1/policies/north/holds/\(held.id)", token: server.adminToken, json: ["revision": 1])
        #expect(hold.status == 201, "\(hold)")
        #expect(hold.json["revision"] == 1 && hold.json["device_id"]?.stringValue == held.id && hold.json["created_by"] != .null)
        #expect(try server.call("PUT", "/v1/policies/north/holds/\(held.id)", token: server.adminToken, json: ["revision": 1]).status == 200,
                "holding again on the same revision changes nothing")

        let second = try PolicyTests.put(server, "north", Self.document("2.0.0"))
        #expect(second.json["revision"] == 2 && second.json["devices_affected"] == 1, "only the device that is not held: \(second)")
        #expect(Self.version(try PolicyTests.desired(server, held.id)) == "counter@1.0.0")
        #expect(try PolicyTests.desired(server, held.id)["sources"]?["program/syscalls"]?["revision"] == 1)
        #expect(Self.version(try PolicyTests.desired(server, moving.id)) == "counter@2.0.0")
        var status = try Self.status(server)
        #expect(status["matched"] == 2 && status["held"] == 1, "\(status)")
        let list = try server.call("GET", "/v1/policies/north/holds", token: server.adminToken).json
        #expect(list["items"]?.arrayValue?.map { $0["device_id"]?.stringValue } == [held.id])

        // The held device sees the policy as it was, selector included: a third revision for another site
        // takes the policy off the device that follows it, not off the held one.
        _ = try PolicyTests.put(server, "north", Self.document("2.0.0", selector: "site=south"))
        #expect(try PolicyTests.desired(server, moving.id)["policies"] == [])
        #expect(try PolicyTests.desired(server, held.id)["policies"] == ["north"])
        status = try Self.status(server)
        #expect(status["matched"] == 1 && status["held"] == 1, "\(status)")

        #expect(try server.call("DELETE", "/v1/policies/north/holds/\(held.id)", token: server.adminToken).status == 204)
        #expect(try PolicyTests.desired(server, held.id)["policies"] == [], "released, it follows the current revision")
        #expect(try server.call("DELETE", "/v1/policies/north/holds/\(held.id)", token: server.adminToken).status == 404)
        #expect(try Self.status(server)["matched"] == 0)

        let audit = try server.call("GET", "/v1/audit?target_type=policy", token: server.adminToken).json["items"]?.arrayValue ?? []
        let actions = audit.compactMap { $0["action"]?.stringValue }
        #expect(actions.filter { $0 == "policy.hold" }.count == 1 && actions.contains("policy.release"), "\(actions)")
    }

    @Test func holdsRefuseWhatDoesNotExistAndGoWithThePolicy() throws {
        let server = try TestServer()
        _ = try PolicyTests.program(server, "counter")
        let device = try server.enroll(labels: ["site": "north"])
        let viewer = try server.createToken(role: "viewer")
        _ = try PolicyTests.put(server, "north", Self.document("1.0.0"))
        let path = "/v1/policies/north/holds/\(device.id)"
        #expect(try server.call("PUT", path, token: server.adminToken, json: ["revision": 9]).status == 422)
        #expect(try server.call("PUT", path, token: server.adminToken, json: ["revision": 0]).status == 422)
        #expect(try server.call("PUT", path, token: server.adminToken, json: ["revision": "1"]).status == 400)
        #expect(try server.call("PUT", path, token: server.adminToken, json: ["revision": 1, "until": "later"]).status == 400)
        #expect(try server.call("PUT", path, token: server.adminToken, raw: Array("{".utf8),
                                headers: [("Content-Type", "application/json")]).status == 400)
        #expect(try server.call("PUT", "/v1/policies/south/holds/\(device.id)", token: server.adminToken, json: ["revision": 1]).status == 404)
        #expect(try server.call("PUT", "/v1/policies/north/holds/\(UUID().uuidString)", token: server.adminToken,
                                json: ["revision": 1]).status == 404)
        #expect(try server.call("PUT", "/v1/policies/north/holds/not-a-uuid", token: server.adminToken, json: ["revision": 1]).status == 400)
        #expect(try server.call("PUT", path, token: viewer, json: ["revision": 1]).status == 403)
        #expect(try server.call("GET", "/v1/policies/north/holds", token: viewer).status == 200)
        #expect(try server.call("GET", "/v1/policies/south/holds", token: viewer).status == 404)
        #expect(try server.call("GET", "/v1/policies/north/holds", token: server.adminToken).json["items"] == [], "nothing was stored")

        #expect(try server.call("PUT", path, token: server.adminToken, json: ["revision": 1]).status == 201)
        #expect(try server.call("DELETE", "/v1/policies/north", token: server.adminToken).status == 204)
        _ = try PolicyTests.put(server, "north", Self.document("1.0.0"))
        #expect(try server.call("GET", "/v1/policies/north/holds", token: server.adminToken).json["items"] == [],
                "a deleted policy's holds went with its revisions")
    }

    @Test func outcomesFollowTheReportsAndTheRenderings() throws {
        let server = try TestServer()
        _ = try PolicyTests.program(server, "counter", version: "1.0.0")
        _ = try PolicyTests.program(server, "counter", version: "2.0.0")
        let device = try server.enroll(labels: ["site": "north"])
        _ = try PolicyTests.put(server, "north", Self.document("1.0.0"))
        _ = try PolicyTests.put(server, "other", ["selector": "site=north", "telemetry": ["interval_seconds": 30]])
        let first = try #require(try PolicyTests.desired(server, device.id)["revision"]?.stringValue)
        var status = try Self.status(server)
        #expect(status["converged"] == 0 && Self.waiting(status) == 1, "pending, or offline as it never sent a heartbeat: \(status)")
        try Self.report(server, device, revision: first)
        #expect(try Self.status(server)["converged"] == 1)
        #expect(try Self.status(server, "other")["converged"] == 1, "a policy without items converges with the revision")
        var reported = try server.call("GET", "/v1/devices/\(device.id)/status", token: server.adminToken).json
        #expect(reported["converged_policies"] == ["north", "other"] && reported["failed_policies"] == [])

        // A new revision makes the device pending again until it reports the new state.
        _ = try PolicyTests.put(server, "north", Self.document("2.0.0"))
        let second = try #require(try PolicyTests.desired(server, device.id)["revision"]?.stringValue)
        #expect(second != first)
        status = try Self.status(server)
        #expect(status["converged"] == 0 && Self.waiting(status) == 1, "\(status)")
        try Self.report(server, device, revision: second, state: "failed", version: "counter@2.0.0")
        status = try Self.status(server)
        #expect(status["failed"] == 1 && status["failing"]?.arrayValue?.count == 1, "\(status)")
        #expect(try Self.status(server, "other")["converged"] == 1, "the other policy's items did not fail")
        reported = try server.call("GET", "/v1/devices/\(device.id)/status", token: server.adminToken).json
        #expect(reported["converged_policies"] == ["other"] && reported["failed_policies"] == ["north"])

        // Holding the device on revision 1 brings back the state it reported first: converged at once.
        _ = try server.call("PUT", "/v1/policies/north/holds/\(device.id)", token: server.adminToken, json: ["revision": 1])
        #expect(try PolicyTests.desired(server, device.id)["revision"]?.stringValue == first)
        try Self.report(server, device, revision: first)
        status = try Self.status(server)
        #expect(status["converged"] == 1 && status["failed"] == 0 && status["held"] == 1, "\(status)")

        // A label change that takes the device off the policy removes it from the counts.
        _ = try server.call("PATCH", "/v1/devices/\(device.id)", token: server.adminToken, json: ["labels": ["site": "south"]])
        #expect(try Self.status(server)["matched"] == 0)
    }

    /// The status sums delta rows that triggers append; the server folds them every two seconds, and the
    /// counts it answers are the same before and after, and the same as a count over the devices' rows.
    @Test func foldedCountsAnswerWhatTheDevicesRowsSay() throws {
        let server = try TestServer()
        _ = try PolicyTests.program(server, "counter", version: "1.0.0")
        _ = try PolicyTests.program(server, "counter", version: "2.0.0")
        let devices = try (0..<4).map { _ in try server.enroll(labels: ["site": "north"]) }
        _ = try PolicyTests.put(server, "north", Self.document("1.0.0"))
        _ = try server.call("PUT", "/v1/policies/north/holds/\(devices[3].id)", token: server.adminToken, json: ["revision": 1])
        _ = try PolicyTests.put(server, "north", Self.document("2.0.0"))
        let revision = try #require(try PolicyTests.desired(server, devices[0].id)["revision"]?.stringValue)
        try Self.report(server, devices[0], revision: revision, version: "counter@2.0.0")
        try Self.report(server, devices[1], revision: revision, state: "failed", version: "counter@2.0.0")
        try Self.report(server, devices[1], revision: revision, version: "counter@2.0.0")  // failed, then ready
        _ = try server.call("PATCH", "/v1/devices/\(devices[2].id)", token: server.adminToken, json: ["labels": ["site": "south"]])

        let database = try PostgresConnection(conninfo: server.conninfo)
        func direct() throws -> [String: Int64] {
            let row = try database.query("""
                SELECT count(*) AS matched, count(*) FILTER (WHERE outcome = 'converged') AS converged,
                       count(*) FILTER (WHERE outcome = 'failed') AS failed, count(*) FILTER (WHERE held_revision <> 2) AS held
                FROM policy_devices WHERE policy = 'north'
                """).first!
            return try ["matched", "converged", "failed", "held"].reduce(into: [:]) { $0[$1] = try row.decode($1, as: Int64.self) }
        }
        func answered() throws -> [String: Int64] {
            let status = try Self.status(server)
            return ["matched", "converged", "failed", "held"].reduce(into: [:]) { $0[$1] = status[$1]?.int64Value ?? -1 }
        }
        let expected = try direct()
        #expect(expected == ["matched": 3, "converged": 2, "failed": 0, "held": 1], "\(expected)")
        #expect(try answered() == expected, "before folding")
        let keys: Int64 = try database.query("""
            SELECT count(DISTINCT (policy, held_revision, outcome, conflicted, offline)) AS keys FROM policy_counts
            """).first!.decode("keys")
        let folded = try eventuallyBlocking(timeout: 15, every: 0.2) {
            try database.query("SELECT count(*) AS rows FROM policy_counts").first!.decode("rows", as: Int64.self) <= keys
        }
        #expect(folded, "the server folds the delta rows into one per key")
        #expect(try answered() == expected, "after folding")
    }

    /// Pending devices count as offline until a heartbeat is seen, and again once it is older than the threshold:
    /// the server's sweep follows presence without a status ever joining it.
    @Test func pendingDevicesAreOfflineUntilTheyAreSeen() throws {
        let server = try TestServer(heartbeatInterval: 1)  // offline after three missed heartbeats: 3 s
        _ = try PolicyTests.program(server, "counter")
        let seen = try server.enroll(labels: ["site": "north"])
        _ = try server.enroll(labels: ["site": "north"])
        _ = try PolicyTests.put(server, "north", Self.document("1.0.0"))
        #expect(try Self.status(server)["offline"] == 2, "nothing was seen yet")
        _ = try server.call("POST", "/v1/executor/heartbeat", token: seen.token, json: [:])
        let online = try eventuallyBlocking(timeout: 10, every: 0.2) {
            let status = try Self.status(server)
            return status["offline"] == 1 && status["pending"] == 1
        }
        #expect(online, "the device that sent a heartbeat is pending, not offline")
        let gone = try eventuallyBlocking(timeout: 15, every: 0.2) { try Self.status(server)["offline"] == 2 }
        #expect(gone, "without further heartbeats it is offline again")
    }

    @Test func aRestartedServerKeepsPoliciesRevisionsHoldsAndReportedStatus() throws {
        let conninfo: String
        let device: TestServer.EnrolledDevice
        let before: JSON
        do {
            let server = try TestServer()
            conninfo = server.conninfo
            _ = try PolicyTests.program(server, "counter", version: "1.0.0")
            _ = try PolicyTests.program(server, "counter", version: "2.0.0")
            device = try server.enroll(labels: ["site": "north"])
            let other = try server.enroll(labels: ["site": "north"])
            _ = try PolicyTests.put(server, "north", Self.document("1.0.0"))
            _ = try server.call("PUT", "/v1/policies/north/holds/\(other.id)", token: server.adminToken, json: ["revision": 1])
            _ = try PolicyTests.put(server, "north", Self.document("2.0.0"))
            let revision = try #require(try PolicyTests.desired(server, device.id)["revision"]?.stringValue)
            try Self.report(server, device, revision: revision, version: "counter@2.0.0")
            before = try Self.status(server)
            #expect(before["converged"] == 1 && before["held"] == 1, "\(before)")
        }
        let server = try TestServer(conninfo: conninfo)
        let policy = try server.call("GET", "/v1/policies/north", token: server.adminToken).json
        #expect(policy["revision"] == 2)
        #expect(try server.call("GET", "/v1/policies/north/revisions", token: server.adminToken).json["items"]?.arrayValue?.count == 2)
        #expect(try server.call("GET", "/v1/policies/north/holds", token: server.adminToken).json["items"]?.arrayValue?.count == 1)
        let after = try Self.status(server)
        for key in ["matched", "converged", "failed", "held", "conflicted"] { #expect(after[key] == before[key], "\(key): \(after)") }
        let reported = try server.call("GET", "/v1/devices/\(device.id)/status", token: server.adminToken).json
        #expect(reported["converged"] == true && reported["items"]?.arrayValue?.first?["version"] == "counter@2.0.0", "\(reported)")
        #expect(Self.version(try PolicyTests.desired(server, device.id)) == "counter@2.0.0")
    }
}
