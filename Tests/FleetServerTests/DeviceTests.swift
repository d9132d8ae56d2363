import Foundation
import FleetClient
import FleetJSON
import Testing

/// Enrolment, listing (selectors, filters, pagination), merge patches, status transitions and decommissioning.
@Suite struct DeviceTests {
    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    @Test func enrolmentTakesTheTokensLabels() throws {
        let server = try TestServer()
        let secret = try server.createEnrollmentToken(labels: ["env": "lab", "site": "berlin-1"])
        let answer = try server.call("POST", "/v1/enroll", json: ["enrollment_token": .string(secret), "hardware_id": "hw-labels",
                                                                  "name": "pi-7", "inventory": ["arch": "aarch64", "cpus": 4]])
        #expect(answer.status == 201, "\(answer)")
        #expect(answer.json["status"] == "active")
        #expect(answer.json["device_token"]?.stringValue?.hasPrefix("fld_") == true)
        let id = try #require(answer.json["device_id"]?.stringValue)
        let device = try server.device(id)
        #expect(device["labels"] == ["env": "lab", "site": "berlin-1"])
        #expect(device["name"] == "pi-7")
        #expect(device["hardware_id"] == "hw-labels")
        #expect(device["inventory"]?["cpus"] == 4)
        #expect(device["online"] == false)
        #expect(device["last_seen_at"] == .null)
        #expect(try server.listedDeviceIDs("selector=site%3Dberlin-1") == [id])
    }

    @Test func reEnrolmentKeepsTheIDAndRotatesTheToken() throws {
        let server = try TestServer()
        let secret = try server.createEnrollmentToken()
        let first = try server.enroll(hardwareID: "hw-same", enrollmentToken: secret)
        #expect(try server.call("POST", "/v1/executor/heartbeat", token: first.token).status == 200, "old token works and is cached")

        let again = try server.call("POST", "/v1/enroll", json: ["enrollment_token": .string(secret), "hardware_id": "hw-same",
                                                                 "inventory": ["arch": "riscv64"]])
        #expect(again.status == 200, "re-enrolment answers 200: \(again)")
        #expect(again.json["device_id"]?.stringValue == first.id)
        let newToken = try #require(again.json["device_token"]?.stringValue)
        #expect(newToken != first.token)

        expectProblem(try server.call("POST", "/v1/executor/heartbeat", token: first.token), 401, "the old device token after rotation")
        #expect(try server.call("POST", "/v1/executor/heartbeat", token: newToken).status == 200)
        #expect(try server.call("GET", "/v1/executor/commands?wait=0", token: newToken).status == 200)
        #expect(try server.device(first.id)["inventory"]?["arch"] == "riscv64")
        let all = try server.call("GET", "/v1/devices", token: server.adminToken)
        #expect(all.items.count == 1, "no second device for the same hardware id")
    }

    @Test func maxUsesIsEnforced() throws {
        let server = try TestServer()
        let secret = try server.createEnrollmentToken(maxUses: 2)
        _ = try server.enroll(hardwareID: "hw-1", enrollmentToken: secret)
        _ = try server.enroll(hardwareID: "hw-2", enrollmentToken: secret)
        let third = try server.call("POST", "/v1/enroll", json: ["enrollment_token": .string(secret), "hardware_id": "hw-3"])
        expectProblem(third, 401, "third use of a two-use enrolment token")
        let again = try server.call("POST", "/v1/enroll", json: ["enrollment_token": .string(secret), "hardware_id": "hw-1"])
        expectProblem(again, 401, "re-enrolment also counts as a use")
        let tokens = try server.call("GET", "/v1/enrollment-tokens", token: server.adminToken)
        #expect(tokens.items.first?["uses"] == 2)
        #expect(tokens.items.first?["max_uses"] == 2)
        #expect(try server.call("GET", "/v1/devices", token: server.adminToken).items.count == 2)
    }

    @Test func expiredOrRevokedEnrolmentTokenIs401() async throws {
        let server = try TestServer()
        let expiring = try server.call("POST", "/v1/enrollment-tokens", token: server.adminToken,
                                       json: ["labels": [:], "auto_approve": true, "expires_in_seconds": 1])
        try #require(expiring.status == 201)
        let revoked = try server.call("POST", "/v1/enrollment-tokens", token: server.adminToken, json: ["labels": [:], "auto_approve": true])
        try #require(revoked.status == 201)
        let revokedID = try #require(revoked.json["id"]?.stringValue)
        #expect(revoked.json["token"]?.stringValue?.hasPrefix("fle_") == true)

        #expect(try server.call("DELETE", "/v1/enrollment-tokens/\(revokedID)", token: server.adminToken).status == 204)
        #expect(try server.call("DELETE", "/v1/enrollment-tokens/\(revokedID)", token: server.adminToken).status == 204, "revoking twice is fine")
        let withRevoked = try server.call("POST", "/v1/enroll", json: ["enrollment_token": revoked.json["token"]!, "hardware_id": "hw-r"])
        expectProblem(withRevoked, 401, "revoked enrolment token")

        try await Task.sleep(for: .milliseconds(1500))
        let withExpired = try server.call("POST", "/v1/enroll", json: ["enrollment_token": expiring.json["token"]!, "hardware_id": "hw-e"])
        expectProblem(withExpired, 401, "expired enrolment token")
        #expect(try server.call("GET", "/v1/devices", token: server.adminToken).items.isEmpty)
        let listed = try server.call("GET", "/v1/enrollment-tokens", token: server.adminToken)
        #expect(listed.items.allSatisfy { $0["token"] == nil }, "listings never show secrets")
        #expect(listed.items.first { $0["id"]?.stringValue == revokedID }?["revoked_at"]?.stringValue != nil)
    }

    @Test func selectorsFilterByLabels() throws {
        let server = try TestServer()
        let web = try server.enroll(labels: ["env": "prod", "tier": "web"]).id
        let db = try server.enroll(labels: ["env": "prod", "tier": "db"]).id
        let gpu = try server.enroll(labels: ["env": "dev", "tier": "web", "gpu": "yes"]).id
        let bare = try server.enroll(labels: ["env": "staging"]).id
        let none = try server.enroll(labels: [:]).id

        let cases: [(String, Set<String>)] = [
            ("", [web, db, gpu, bare, none]),
            ("env=prod", [web, db]),
            ("env==prod", [web, db]),
            ("env!=prod", [gpu, bare, none]),
            ("env in (prod,dev)", [web, db, gpu]),
            ("env in (prod)", [web, db]),
            ("env notin (prod,dev)", [bare, none]),
            ("tier", [web, db, gpu]),
            ("!tier", [bare, none]),
            ("gpu", [gpu]),
            ("!gpu", [web, db, bare, none]),
            ("env=prod,tier=web", [web]),
            ("env=prod,tier!=web", [db]),
            ("tier,env notin (dev)", [web, db]),
            ("tier!=web", [db, bare, none]),
            ("tier notin (web)", [db, bare, none]),
            ("env in (prod,dev),!gpu,tier", [web, db]),
            ("env=nowhere", []),
            ("env, tier in (web, db) , !gpu", [web, db]),
        ]
        for (selector, expected) in cases {
            let ids = try server.listedDeviceIDs("selector=\(Self.encoded(selector))")
            #expect(ids == expected, "selector \(selector.debugDescription)")
        }
    }

    @Test func statusFilterSelectsByStatus() throws {
        let server = try TestServer()
        let active = try server.enroll().id
        let pending = try server.enroll(autoApprove: false).id
        let rejected = try server.enroll(autoApprove: false).id
        let gone = try server.enroll().id
        #expect(try server.call("POST", "/v1/devices/\(rejected)/reject", token: server.adminToken).status == 200)
        #expect(try server.call("DELETE", "/v1/devices/\(gone)", token: server.adminToken).status == 204)

        #expect(try server.listedDeviceIDs("status=active") == [active])
        #expect(try server.listedDeviceIDs("status=pending") == [pending])
        #expect(try server.listedDeviceIDs("status=rejected") == [rejected])
        #expect(try server.listedDeviceIDs("status=decommissioned") == [gone])
        #expect(try server.listedDeviceIDs("") == [active, pending, rejected, gone])
        #expect(try server.device(pending)["status"] == "pending")
    }

    @Test func nameFilterMatchesTheWholeNameExactly() throws {
        let server = try TestServer()
        func named(_ name: String) throws -> String {
            let id = try server.enroll().id
            let answer = try server.call("PATCH", "/v1/devices/\(id)", token: server.adminToken, json: ["name": .string(name)])
            try #require(answer.status == 200, "\(answer)")
            return id
        }
        let first = try named("gw 7")
        let second = try named("gw 7")
        let other = try named("gw 70")
        _ = try named("GW 7")
        #expect(try server.listedDeviceIDs("name=gw%207") == [first, second], "names are not unique")
        #expect(try server.listedDeviceIDs("name=gw%2070") == [other])
        #expect(try server.listedDeviceIDs("name=gw").isEmpty, "no prefix match")
        #expect(try server.listedDeviceIDs("name=gw%2070&status=pending").isEmpty, "combined with the other filters")
        #expect(try server.listedDeviceIDs("name=").count == 4, "empty means any")
    }

    @Test func deviceReferenceResolvesNamesAgainstTheServer() throws {
        let server = try TestServer()
        let id = try server.enroll().id
        #expect(try server.call("PATCH", "/v1/devices/\(id)", token: server.adminToken, json: ["name": "edge-1"]).status == 200)
        let client = FleetClient(configuration: ClientConfiguration(server: server.base, token: BearerToken(server.adminToken)))
        #expect(try DeviceReference.name("edge-1").resolve(using: client).description == id)
        let missing = try #require(throws: FleetClientError.self) { try DeviceReference.name("edge-2").resolve(using: client) }
        #expect(missing.description == "no device is named 'edge-2'")
    }

    @Test func onlineFollowsHeartbeats() async throws {
        let server = try TestServer(heartbeatInterval: 1)
        let steady = try server.enroll()
        let quiet = try server.enroll()
        let never = try server.enroll()

        // Timing matters here, so the sequence runs on a thread of its own and is judged afterwards.
        let seen = Observations()
        try await onOwnThread {
            func heartbeat(_ device: TestServer.EnrolledDevice) throws -> TestServer.Answer {
                try server.call("POST", "/v1/executor/heartbeat", token: device.token)
            }
            func online(_ query: String) throws -> Set<String> { try server.listedDeviceIDs("online=\(query)") }
            /// Keeps `steady` beating every 0.2 s until `condition` holds or `seconds` pass; returns when it held.
            func beat(upTo seconds: Double, until condition: () throws -> Bool) throws -> ContinuousClock.Instant? {
                let deadline = Date().addingTimeInterval(seconds)
                while Date() < deadline {
                    _ = try heartbeat(steady)
                    if try condition() { return .now }
                    Thread.sleep(forTimeInterval: 0.2)
                }
                return nil
            }

            let first = try heartbeat(steady)
            seen.check(first.json["heartbeat_interval_seconds"] == 1, "the heartbeat answer carries the interval: \(first)")
            let quietBeat = ContinuousClock.now
            seen.check(try heartbeat(quiet).status == 200, "quiet's one heartbeat")
            seen.check(try server.device(quiet.id)["online"] == true, "online right after a heartbeat, before any flush")
            seen.check(try server.device(quiet.id)["last_seen_at"]?.stringValue != nil, "last_seen_at is set")
            seen.check(try server.device(never.id)["online"] == false, "a device that never beat is offline")

            let flushed = try beat(upTo: 2.5) { try online("true") == [steady.id, quiet.id] && online("false") == [never.id] }
            seen.check(flushed != nil, "online=true lists both once presence is flushed (within a second or so)")

            let quietOffline = try beat(upTo: 8) { try server.device(quiet.id)["online"] == false }
            seen.check(quietOffline != nil, "quiet goes offline")
            if let quietOffline {
                seen.check(quietOffline - quietBeat > .milliseconds(2900), "offline only after three missed heartbeats: \(quietOffline - quietBeat)")
            }
            let listed = try beat(upTo: 3) { try online("true") == [steady.id] && online("false") == [quiet.id, never.id] }
            seen.check(listed != nil, "online=true lists only the heartbeating device, online=false the other two")
            seen.check(try server.device(steady.id)["online"] == true, "steady is still online")
        }
        seen.record()
    }

    @Test func paginationCoversEveryDeviceOnce() throws {
        let server = try TestServer()
        let secret = try server.createEnrollmentToken(labels: ["batch": "p"])
        var enrolled = Set<String>()
        for index in 0..<250 {
            enrolled.insert(try server.enroll(hardwareID: "hw-page-\(index)", enrollmentToken: secret).id)
        }
        #expect(enrolled.count == 250)

        var seen: [String] = []
        var cursors: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let query = "limit=100&selector=batch%3Dp" + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = try server.call("GET", "/v1/devices?\(query)", token: server.adminToken)
            try #require(page.status == 200, "\(page)")
            seen += page.itemIDs
            pages += 1
            cursor = page.json["next_cursor"]?.stringValue
            if let cursor { cursors.append(cursor) }
        } while cursor != nil && pages < 10
        #expect(pages == 3)
        #expect(seen.count == 250, "no duplicates: \(seen.count) rows")
        #expect(Set(seen) == enrolled, "nothing missing")

        // The same cursor gives the same page again.
        let again = try server.call("GET", "/v1/devices?limit=100&selector=batch%3Dp&cursor=\(cursors[0])", token: server.adminToken)
        #expect(again.itemIDs == Array(seen[100..<200]))
        let last = try server.call("GET", "/v1/devices?limit=100&selector=batch%3Dp&cursor=\(cursors[1])", token: server.adminToken)
        #expect(last.itemIDs == Array(seen[200...]))
        #expect(last.json["next_cursor"] == .null)
        // Exactly one page's worth: no empty trailing page.
        let exact = try server.call("GET", "/v1/devices?limit=250&selector=batch%3Dp", token: server.adminToken)
        #expect(exact.items.count == 250)
        #expect(exact.json["next_cursor"] == .null)
        #expect(try server.call("GET", "/v1/devices?selector=batch%3Dp", token: server.adminToken).items.count == 100, "default limit is 100")
    }

    @Test func patchMergesNameAndLabels() throws {
        let server = try TestServer()
        let device = try server.enroll(labels: ["env": "lab", "keep": "yes"])
        let path = "/v1/devices/\(device.id)"

        let set = try server.call("PATCH", path, token: server.adminToken, json: ["labels": ["env": "prod", "new": "1"]])
        #expect(set.status == 200, "\(set)")
        #expect(set.json["labels"] == ["env": "prod", "keep": "yes", "new": "1"])

        let removed = try server.call("PATCH", path, token: server.adminToken, json: ["labels": ["keep": nil, "absent": nil]])
        #expect(removed.json["labels"] == ["env": "prod", "new": "1"])

        let renamed = try server.call("PATCH", path, token: server.adminToken, json: ["name": "gateway-3"])
        #expect(renamed.json["name"] == "gateway-3")
        #expect(renamed.json["labels"] == ["env": "prod", "new": "1"], "a name change leaves labels alone")

        let nothing = try server.call("PATCH", path, token: server.adminToken, json: [:])
        #expect(nothing.status == 200)
        #expect(nothing.json["name"] == "gateway-3")
        let nullLabels = try server.call("PATCH", path, token: server.adminToken, json: ["labels": nil])
        #expect(nullLabels.json["labels"] == ["env": "prod", "new": "1"], "labels: null changes nothing")

        let both = try server.call("PATCH", path, token: server.adminToken, json: ["name": "gw", "labels": ["env": "", "new": nil]])
        #expect(both.json["name"] == "gw")
        #expect(both.json["labels"] == ["env": ""])

        let stored = try server.device(device.id)
        #expect(stored["labels"] == ["env": ""])
        #expect(stored["name"] == "gw")
        #expect(try server.listedDeviceIDs("selector=env%3D") == [device.id], "an empty value is selectable")
    }

    @Test func approveAndRejectTransitions() throws {
        let server = try TestServer()
        let device = try server.enroll(autoApprove: false)
        let path = "/v1/devices/\(device.id)"

        let approved = try server.call("POST", "\(path)/approve", token: server.adminToken)
        #expect(approved.status == 200)
        #expect(approved.json["status"] == "active")
        #expect(try server.call("POST", "\(path)/approve", token: server.adminToken).json["status"] == "active", "approving twice is fine")

        let rejected = try server.call("POST", "\(path)/reject", token: server.adminToken)
        #expect(rejected.status == 200)
        #expect(rejected.json["status"] == "rejected")
        expectProblem(try server.call("POST", "/v1/executor/heartbeat", token: device.token), 401, "rejected device's token")

        // A rejected device cannot re-enrol by itself; once approved it can.
        let secret = try server.createEnrollmentToken()
        let hardwareID = try server.device(device.id)["hardware_id"]!.stringValue!
        let refused = try server.call("POST", "/v1/enroll", json: ["enrollment_token": .string(secret), "hardware_id": .string(hardwareID)])
        expectProblem(refused, 403, "re-enrolment of a rejected device")
        #expect(try server.call("POST", "\(path)/approve", token: server.adminToken).json["status"] == "active")
        let back = try server.enroll(hardwareID: hardwareID, enrollmentToken: secret)
        #expect(back.id == device.id)
        #expect(back.status == "active")

        let pending = try server.enroll(autoApprove: false)
        #expect(try server.call("POST", "/v1/devices/\(pending.id)/reject", token: server.adminToken).json["status"] == "rejected")

        #expect(try server.call("DELETE", path, token: server.adminToken).status == 204)
        expectProblem(try server.call("POST", "\(path)/approve", token: server.adminToken), 409, "approving a decommissioned device")
        expectProblem(try server.call("POST", "\(path)/reject", token: server.adminToken), 409, "rejecting a decommissioned device")
        #expect(try server.device(device.id)["status"] == "decommissioned")
    }

    @Test func deleteDecommissionsCancelsAndRevokes() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let delivered = try server.queuedCommand(for: device.id)
        let running = try server.queuedCommand(for: device.id)
        let done = try server.queuedCommand(for: device.id)
        let polled = try server.call("GET", "/v1/executor/commands?wait=0", token: device.token)
        #expect(polled.itemIDs == [delivered, running, done])
        for (id, state) in [(running, "running"), (done, "succeeded")] {
            #expect(try server.call("POST", "/v1/executor/commands/\(id)/status", token: device.token, json: ["state": .string(state)]).status == 200)
        }
        let queued = try server.queuedCommand(for: device.id)

        let deleted = try server.call("DELETE", "/v1/devices/\(device.id)", token: server.adminToken)
        #expect(deleted.status == 204, "\(deleted)")
        #expect(deleted.body.isEmpty)

        let after = try server.device(device.id)
        #expect(after["status"] == "decommissioned")
        for id in [queued, delivered, running] {
            let command = try server.command(id)
            #expect(command["state"] == "canceled", "\(id) was \(command["state"] ?? .null)")
            #expect(command["finished_at"]?.stringValue != nil)
            #expect(command["error"]?.stringValue?.isEmpty == false)
        }
        #expect(try server.command(done)["state"] == "succeeded", "finished commands keep their outcome")
        expectProblem(try server.call("POST", "/v1/executor/heartbeat", token: device.token), 401, "token after decommission")
        expectProblem(try server.call("POST", "/v1/executor/commands/\(running)/status", token: device.token, json: ["state": "succeeded"]),
                      401, "report after decommission")
        #expect(try server.call("DELETE", "/v1/devices/\(device.id)", token: server.adminToken).status == 204, "deleting twice is fine")
        #expect(try server.listedDeviceIDs("status=decommissioned") == [device.id])
    }

    @Test func mutationsAreAudited() throws {
        let server = try TestServer()
        let operatorAnswer = try server.call("POST", "/v1/tokens", token: server.adminToken, json: ["name": "ops-bot", "role": "operator"])
        try #require(operatorAnswer.status == 201)
        let operatorToken = try #require(operatorAnswer.json["token"]?.stringValue)
        let operatorID = try #require(operatorAnswer.json["id"]?.stringValue)
        let device = try server.enroll()

        #expect(try server.call("PATCH", "/v1/devices/\(device.id)", token: operatorToken, json: ["labels": ["env": "prod"]]).status == 200)
        let command = try server.call("POST", "/v1/devices/\(device.id)/commands", token: operatorToken, json: ["type": "executor.ping"])
        let commandID = try #require(command.json["id"]?.stringValue)
        #expect(try server.call("POST", "/v1/commands/\(commandID)/cancel", token: operatorToken).status == 200)
        #expect(try server.call("POST", "/v1/devices/\(device.id)/reject", token: server.adminToken).status == 200)
        #expect(try server.call("POST", "/v1/devices/\(device.id)/approve", token: server.adminToken).status == 200)
        #expect(try server.call("DELETE", "/v1/devices/\(device.id)", token: operatorToken).status == 204)

        let audit = try server.call("GET", "/v1/audit?limit=1000", token: server.adminToken)
        #expect(audit.status == 200)
        let rows = audit.items
        func row(_ action: String, target: String) -> JSON? {
            rows.first { $0["action"]?.stringValue == action && $0["target_id"]?.stringValue == target }
        }
        let byOperator = "token:\(operatorID) (ops-bot)"
        #expect(row("token.create", target: operatorID)?["actor_role"] == "admin")
        #expect(row("token.create", target: operatorID)?["details"]?["role"] == "operator")
        #expect(row("device.enroll", target: device.id) != nil)
        #expect(row("device.update", target: device.id)?["actor"]?.stringValue == byOperator)
        #expect(row("device.update", target: device.id)?["actor_role"] == "operator")
        #expect(row("device.update", target: device.id)?["details"]?["labels_set"] == ["env": "prod"])
        #expect(row("command.create", target: commandID)?["actor"]?.stringValue == byOperator)
        #expect(row("command.cancel", target: commandID)?["actor"]?.stringValue == byOperator)
        #expect(row("device.reject", target: device.id)?["actor_role"] == "admin")
        #expect(row("device.approve", target: device.id)?["actor_role"] == "admin")
        #expect(row("device.decommission", target: device.id)?["actor"]?.stringValue == byOperator)
        #expect(rows.allSatisfy { $0["at"]?.stringValue != nil })

        // Newest first, and filterable.
        let ids = rows.compactMap { $0["id"]?.int64Value }
        #expect(ids == ids.sorted(by: >))
        let filtered = try server.call("GET", "/v1/audit?action=device.update", token: server.adminToken)
        #expect(filtered.items.count == 1)
        #expect(filtered.items.first?["target_id"]?.stringValue == device.id)

        // Paging through the log visits every row once.
        var paged: [Int64] = []
        var cursor: String?
        repeat {
            let page = try server.call("GET", "/v1/audit?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: server.adminToken)
            paged += page.items.compactMap { $0["id"]?.int64Value }
            cursor = page.json["next_cursor"]?.stringValue
        } while cursor != nil && paged.count < 1000
        #expect(paged == ids)
    }
}
