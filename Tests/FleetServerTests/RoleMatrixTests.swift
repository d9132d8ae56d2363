import Foundation
import FleetJSON
import Testing

/// Who may call what (DESIGN section 4): admin everything but the executor endpoints, operator all but token
/// management and the audit log, viewer reads of devices and commands, a device only `/v1/executor/*` and only
/// its own data. Every refusal is 401 (who are you?) or 403 (not you), never anything else.
@Suite struct RoleMatrixTests {
    enum Caller: String, CaseIterable, CustomStringConvertible {
        case none, malformed, viewer, `operator`, admin, deviceA, deviceB
        var description: String { rawValue }
    }

    /// One request of an endpoint group; `make` builds a fresh path and body for every attempt, so
    /// destructive requests (revoke, decommission, cancel) always have something to act on.
    struct Probe {
        let group: String
        let method: String
        let allowed: Set<Caller>
        let make: () throws -> (path: String, json: JSON?)
    }

    @Test func everyEndpointGroupAnswersPerRole() throws {
        let server = try TestServer()
        let viewer = try server.createToken(role: "viewer")
        let operatorToken = try server.createToken(role: "operator")
        let deviceA = try server.enroll()
        let deviceB = try server.enroll()
        let target = try server.enroll()
        let commandOfTarget = try server.queuedCommand(for: target.id)

        let people: Set<Caller> = [.viewer, .operator, .admin]
        let operators: Set<Caller> = [.operator, .admin]
        let devices: Set<Caller> = [.deviceA, .deviceB]
        func freshToken() throws -> String {
            let answer = try server.call("POST", "/v1/tokens", token: server.adminToken, json: ["name": "victim", "role": "viewer"])
            try #require(answer.status == 201)
            return try #require(answer.json["id"]?.stringValue)
        }
        func freshEnrollmentToken() throws -> String {
            let answer = try server.call("POST", "/v1/enrollment-tokens", token: server.adminToken, json: ["labels": [:]])
            try #require(answer.status == 201)
            return try #require(answer.json["id"]?.stringValue)
        }
        let model = try #require(try server.registeredModel(name: "matrix", version: "1")["id"]?.stringValue)
        func freshModel() throws -> String { try #require(try server.registeredModel()["id"]?.stringValue) }
        let probes: [Probe] = [
            Probe(group: "tokens", method: "GET", allowed: [.admin]) { ("/v1/tokens", nil) },
            Probe(group: "tokens", method: "POST", allowed: [.admin]) { ("/v1/tokens", ["name": "made", "role": "viewer"]) },
            Probe(group: "tokens", method: "DELETE", allowed: [.admin]) { ("/v1/tokens/\(try freshToken())", nil) },
            Probe(group: "audit", method: "GET", allowed: [.admin]) { ("/v1/audit", nil) },
            Probe(group: "enrollment tokens", method: "GET", allowed: operators) { ("/v1/enrollment-tokens", nil) },
            Probe(group: "enrollment tokens", method: "POST", allowed: operators) { ("/v1/enrollment-tokens", ["labels": ["env": "lab"]]) },
            Probe(group: "enrollment tokens", method: "DELETE", allowed: operators) { ("/v1/enrollment-tokens/\(try freshEnrollmentToken())", nil) },
            Probe(group: "devices read", method: "GET", allowed: people) { ("/v1/devices", nil) },
            Probe(group: "devices read", method: "GET", allowed: people) { ("/v1/devices/\(target.id)", nil) },
            Probe(group: "devices write", method: "PATCH", allowed: operators) { ("/v1/devices/\(target.id)", ["labels": ["touched": "yes"]]) },
            Probe(group: "devices write", method: "POST", allowed: operators) { ("/v1/devices/\(target.id)/approve", nil) },
            Probe(group: "devices write", method: "POST", allowed: operators) { ("/v1/devices/\(try server.enroll().id)/reject", nil) },
            Probe(group: "devices write", method: "DELETE", allowed: operators) { ("/v1/devices/\(try server.enroll().id)", nil) },
            Probe(group: "commands read", method: "GET", allowed: people) { ("/v1/devices/\(target.id)/commands", nil) },
            Probe(group: "commands read", method: "GET", allowed: people) { ("/v1/commands/\(commandOfTarget)", nil) },
            Probe(group: "commands write", method: "POST", allowed: operators) { ("/v1/devices/\(target.id)/commands", ["type": "executor.ping", "payload": [:]]) },
            Probe(group: "commands write", method: "POST", allowed: operators) { ("/v1/commands/\(try server.queuedCommand(for: target.id))/cancel", nil) },
            Probe(group: "models read", method: "GET", allowed: people) { ("/v1/models", nil) },
            Probe(group: "models read", method: "GET", allowed: people) { ("/v1/models/\(model)", nil) },
            Probe(group: "models read", method: "GET", allowed: people) { ("/v1/models/\(model)/content", nil) },
            Probe(group: "models write", method: "DELETE", allowed: operators) { ("/v1/models/\(try freshModel())", nil) },
            Probe(group: "executor", method: "POST", allowed: devices) { ("/v1/executor/heartbeat", ["inventory": ["arch": "arm64"]]) },
            Probe(group: "executor", method: "GET", allowed: devices) { ("/v1/executor/commands?wait=0", nil) },
        ]

        for probe in probes {
            for caller in Caller.allCases {
                let (path, json) = try probe.make()
                var headers: [(name: String, value: String)] = []
                var token: String?
                switch caller {
                case .none: break
                case .malformed: headers = [("Authorization", "Bearer fla_not-a-real-token")]
                case .viewer: token = viewer
                case .operator: token = operatorToken
                case .admin: token = server.adminToken
                case .deviceA: token = deviceA.token
                case .deviceB: token = deviceB.token
                }
                let answer = try server.call(probe.method, path, token: token, json: json, headers: headers)
                let what = "\(probe.group): \(caller) \(probe.method) \(path)"
                if probe.allowed.contains(caller) {
                    #expect((200..<300).contains(answer.status), "\(what) should be allowed: \(answer)")
                } else if caller == .none || caller == .malformed {
                    expectProblem(answer, 401, what)
                    #expect(answer.header("WWW-Authenticate")?.hasPrefix("Bearer") == true, "\(what): no WWW-Authenticate")
                } else {
                    expectProblem(answer, 403, what)
                }
            }
        }
    }

    @Test func executorStatusReportIsForTheOwningDeviceOnly() throws {
        let server = try TestServer()
        let a = try server.enroll()
        let b = try server.enroll()
        let commandOfA = try server.queuedCommand(for: a.id)

        let fromB = try server.call("POST", "/v1/executor/commands/\(commandOfA)/status", token: b.token, json: ["state": "running"])
        expectProblem(fromB, 404, "device B reporting on device A's command")
        #expect(try server.command(commandOfA)["state"] == "queued", "B's report must not change A's command")

        for person in [try server.createToken(role: "viewer"), try server.createToken(role: "operator"), server.adminToken] {
            let answer = try server.call("POST", "/v1/executor/commands/\(commandOfA)/status", token: person, json: ["state": "running"])
            expectProblem(answer, 403, "an API token reporting a command status")
        }
        let fromA = try server.call("POST", "/v1/executor/commands/\(commandOfA)/status", token: a.token, json: ["state": "running"])
        #expect(fromA.status == 200, "\(fromA)")
        #expect(fromA.json["state"] == "running")
    }

    @Test func devicesNeverSeeEachOthersCommands() async throws {
        let server = try TestServer()
        let a = try server.enroll()
        let b = try server.enroll()
        let commandsOfA = try (0..<3).map { _ in try server.queuedCommand(for: a.id) }
        let commandsOfB = try (0..<2).map { _ in try server.queuedCommand(for: b.id) }

        let pollA = try server.call("GET", "/v1/executor/commands?wait=0", token: a.token)
        #expect(pollA.status == 200)
        #expect(pollA.itemIDs == commandsOfA)
        #expect(pollA.items.allSatisfy { $0["device_id"]?.stringValue == a.id })
        // A starts them, so that a slow run past the 60 s redelivery window does not hand them out again below.
        for command in commandsOfA {
            #expect(try server.call("POST", "/v1/executor/commands/\(command)/status", token: a.token, json: ["state": "running"]).status == 200)
        }

        // B's long-poll answers with B's queued commands only.
        let waitingB = server.longPoll(b.token, wait: 10)
        let pollB = try await waitingB.value()
        #expect(Set(pollB.itemIDs) == Set(commandsOfB))

        // A waiting is not answered by B's news, only by its own (on a thread of its own: timing matters).
        let (latestOfA, secondA) = try await onOwnThread { () -> (String, TestServer.Answer) in
            let waitingA = server.longPoll(a.token, wait: 10)
            _ = try eventuallyBlocking(timeout: 3) { try server.call("GET", "/metrics").showsHeldLongPolls(1) }
            _ = try server.queuedCommand(for: b.id)
            let latestOfA = try server.queuedCommand(for: a.id)
            return (latestOfA, try waitingA.wait())
        }
        #expect(secondA.itemIDs == [latestOfA])

        for command in commandsOfA {
            let answer = try server.call("POST", "/v1/executor/commands/\(command)/status", token: b.token, json: ["state": "succeeded"])
            expectProblem(answer, 404, "B reporting A's command \(command)")
        }
        // A device cannot read commands through the operator API either.
        expectProblem(try server.call("GET", "/v1/commands/\(commandsOfA[0])", token: b.token), 403, "device reading /v1/commands")
        expectProblem(try server.call("GET", "/v1/devices/\(a.id)/commands", token: b.token), 403, "device listing commands")
    }

    @Test func malformedAuthorizationHeadersAre401() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let headers = [
            "Bearer", "Bearer ", "Basic YWRtaW46YWRtaW4=", "Token \(server.adminToken)", "bearer-\(server.adminToken)",
            "Bearer fla_" + String(repeating: "z", count: 64), "Bearer fla_" + String(repeating: "0", count: 63),
            "Bearer fla_" + String(repeating: "0", count: 64), "Bearer \(server.adminToken.uppercased())",
            "Bearer xyz_" + String(repeating: "0", count: 64),
        ]
        for header in headers {
            for path in ["/v1/devices", "/v1/executor/heartbeat"] {
                let method = path.hasPrefix("/v1/executor") ? "POST" : "GET"
                let answer = try server.call(method, path, headers: [("Authorization", header)])
                expectProblem(answer, 401, "Authorization: \(header) on \(path)")
            }
        }
        // The scheme is case-insensitive (RFC 7235).
        #expect(try server.call("GET", "/v1/devices", headers: [("Authorization", "bearer \(server.adminToken)")]).status == 200)
        #expect(try server.call("POST", "/v1/executor/heartbeat", headers: [("Authorization", "BEARER \(device.token)")]).status == 200)
    }

    @Test func expiredAPITokenIs401() async throws {
        let server = try TestServer()
        let token = try server.createToken(role: "viewer", expiresIn: 1)
        #expect(try server.call("GET", "/v1/devices", token: token).status == 200, "the token works before it expires")
        try await Task.sleep(for: .milliseconds(1500))
        let answer = try server.call("GET", "/v1/devices", token: token)
        expectProblem(answer, 401, "expired token, even right after a cached success")
    }

    @Test func revokedAPITokenIs401AtOnce() throws {
        let server = try TestServer()
        let created = try server.call("POST", "/v1/tokens", token: server.adminToken, json: ["name": "short-lived", "role": "operator"])
        try #require(created.status == 201)
        let token = try #require(created.json["token"]?.stringValue)
        let id = try #require(created.json["id"]?.stringValue)
        #expect(try server.call("GET", "/v1/devices", token: token).status == 200, "used once, so it is cached")

        #expect(try server.call("DELETE", "/v1/tokens/\(id)", token: server.adminToken).status == 204)
        expectProblem(try server.call("GET", "/v1/devices", token: token), 401, "revoked token (cache must be cleared)")
        expectProblem(try server.call("POST", "/v1/enrollment-tokens", token: token, json: ["labels": [:]]), 401, "revoked token writing")
    }

    @Test func enrollmentTokenIsNotABearerToken() throws {
        let server = try TestServer()
        let enrollment = try server.createEnrollmentToken()
        for (method, path) in [("GET", "/v1/devices"), ("GET", "/v1/enrollment-tokens"), ("POST", "/v1/executor/heartbeat"),
                               ("GET", "/v1/executor/commands?wait=0")] {
            expectProblem(try server.call(method, path, token: enrollment), 401, "enrolment token as bearer on \(method) \(path)")
        }
        // It still enrols afterwards.
        #expect(try server.enroll(enrollmentToken: enrollment).status == "active")
    }

    @Test func decommissionedDeviceTokenIs401() throws {
        let server = try TestServer()
        let device = try server.enroll()
        #expect(try server.call("POST", "/v1/executor/heartbeat", token: device.token).status == 200, "cached before the decommission")
        #expect(try server.call("DELETE", "/v1/devices/\(device.id)", token: server.adminToken).status == 204)
        expectProblem(try server.call("POST", "/v1/executor/heartbeat", token: device.token), 401, "heartbeat after decommission")
        expectProblem(try server.call("GET", "/v1/executor/commands?wait=0", token: device.token), 401, "long-poll after decommission")
    }

    @Test func rejectedDeviceTokenIs401() throws {
        let server = try TestServer()
        let device = try server.enroll()
        #expect(try server.call("POST", "/v1/executor/heartbeat", token: device.token).status == 200)
        #expect(try server.call("POST", "/v1/devices/\(device.id)/reject", token: server.adminToken).status == 200)
        expectProblem(try server.call("POST", "/v1/executor/heartbeat", token: device.token), 401, "heartbeat after reject")
    }

    @Test func pendingDeviceMayHeartbeatButNotPollUntilApproved() throws {
        let server = try TestServer()
        let device = try server.enroll(autoApprove: false)
        #expect(device.status == "pending")

        let heartbeat = try server.call("POST", "/v1/executor/heartbeat", token: device.token, json: ["inventory": ["arch": "arm64"]])
        #expect(heartbeat.status == 200, "\(heartbeat)")
        expectProblem(try server.call("GET", "/v1/executor/commands?wait=0", token: device.token), 403, "pending device long-poll")
        expectProblem(try server.call("GET", "/v1/executor/commands?wait=5", token: device.token), 403, "pending device long-poll with wait")

        let approved = try server.call("POST", "/v1/devices/\(device.id)/approve", token: server.adminToken)
        #expect(approved.status == 200)
        #expect(approved.json["status"] == "active")
        let poll = try server.call("GET", "/v1/executor/commands?wait=0", token: device.token)
        #expect(poll.status == 200, "approval must take effect at once, despite the credential cache: \(poll)")
        #expect(poll.items.isEmpty)
    }
}
