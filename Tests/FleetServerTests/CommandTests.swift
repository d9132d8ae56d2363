import Foundation
import FleetCore
import FleetJSON
import Testing
@testable import FleetServer

/// The command lifecycle through the API: creation, idempotency, TTL, cancel, executor reports, listing
/// and long-poll delivery.
@Suite struct CommandTests {
    static func report(_ server: TestServer, _ device: TestServer.EnrolledDevice, _ command: String, _ body: JSON) throws -> TestServer.Answer {
        try server.call("POST", "/v1/executor/commands/\(command)/status", token: device.token, json: body)
    }

    @Test func createdCommandIsQueued() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let answer = try server.sendCommand(to: device.id, type: "state.sync", payload: ["full": true], extra: ["ttl_seconds": 120])
        #expect(answer.status == 201, "\(answer)")
        let json = answer.json
        #expect(json["state"] == "queued")
        #expect(json["device_id"]?.stringValue == device.id)
        #expect(json["type"] == "state.sync")
        #expect(json["payload"] == ["full": true])
        #expect(json["result"] == .null)
        #expect(json["error"] == .null)
        #expect(json["delivered_at"] == .null)
        #expect(json["finished_at"] == .null)
        let created = try #require(json["created_at"]?.stringValue.flatMap(Timestamp.parse))
        let expires = try #require(json["expires_at"]?.stringValue.flatMap(Timestamp.parse))
        #expect(abs(expires.timeIntervalSince(created) - 120) < 2, "expires_at is created_at + ttl_seconds")
        #expect(try server.command(json["id"]!.stringValue!) == json)

        let defaulted = try server.sendCommand(to: device.id)
        let defaultCreated = try #require(defaulted.json["created_at"]?.stringValue.flatMap(Timestamp.parse))
        let defaultExpires = try #require(defaulted.json["expires_at"]?.stringValue.flatMap(Timestamp.parse))
        #expect(abs(defaultExpires.timeIntervalSince(defaultCreated) - 3600) < 2, "the default TTL is an hour")
    }

    @Test func idempotencyKeyReturnsTheSameCommand() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let other = try server.enroll()
        let body: [String: JSON] = ["idempotency_key": "deploy-42"]
        let first = try server.sendCommand(to: device.id, type: "vendor.deploy", payload: ["name": "xdp"], extra: body)
        #expect(first.status == 201)
        let second = try server.sendCommand(to: device.id, type: "vendor.deploy", payload: ["name": "xdp"], extra: body)
        #expect(second.status == 200, "\(second)")
        #expect(second.json["id"] == first.json["id"])
        #expect(second.json["idempotency_key"] == "deploy-42")

        let differentPayload = try server.sendCommand(to: device.id, type: "vendor.deploy", payload: ["name": "tc"], extra: body)
        expectProblem(differentPayload, 409, "same key, different payload")
        let differentType = try server.sendCommand(to: device.id, type: "program.unload", payload: ["name": "xdp"], extra: body)
        expectProblem(differentType, 409, "same key, different type")

        // Keys are per device.
        let elsewhere = try server.sendCommand(to: other.id, type: "vendor.deploy", payload: ["name": "tc"], extra: body)
        #expect(elsewhere.status == 201)
        // The key still answers after the command moved on.
        let id = try #require(first.json["id"]?.stringValue)
        _ = try server.call("GET", "/v1/executor/commands?wait=0", token: device.token)
        let later = try server.sendCommand(to: device.id, type: "vendor.deploy", payload: ["name": "xdp"], extra: body)
        #expect(later.status == 200)
        #expect(later.json["id"]?.stringValue == id)
        #expect(later.json["state"] == "delivered")
        #expect(try server.call("GET", "/v1/devices/\(device.id)/commands", token: server.adminToken).items.count == 1)
    }

    @Test func expiredCommandIsNotDelivered() async throws {
        let server = try TestServer()
        let device = try server.enroll()
        let id = try server.queuedCommand(for: device.id, extra: ["ttl_seconds": 1])
        try await Task.sleep(for: .milliseconds(2500))
        let command = try server.command(id)
        #expect(command["state"] == "expired")
        #expect(command["finished_at"]?.stringValue != nil)
        #expect(command["delivered_at"] == .null)
        #expect(command["error"]?.stringValue?.isEmpty == false, "the reason is recorded")
        let poll = try server.call("GET", "/v1/executor/commands?wait=0", token: device.token)
        #expect(poll.status == 200)
        #expect(poll.items.isEmpty)
        expectProblem(try server.call("POST", "/v1/commands/\(id)/cancel", token: server.adminToken), 409, "cancelling an expired command")
        expectProblem(try Self.report(server, device, id, ["state": "running"]), 409, "running an expired command")
    }

    @Test func cancelMovesQueuedToCanceledOnce() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let id = try server.queuedCommand(for: device.id)
        let canceled = try server.call("POST", "/v1/commands/\(id)/cancel", token: server.adminToken)
        #expect(canceled.status == 200, "\(canceled)")
        #expect(canceled.json["state"] == "canceled")
        #expect(canceled.json["finished_at"]?.stringValue != nil)
        expectProblem(try server.call("POST", "/v1/commands/\(id)/cancel", token: server.adminToken), 409, "second cancel")
        #expect(try server.call("GET", "/v1/executor/commands?wait=0", token: device.token).items.isEmpty, "canceled is never delivered")

        let done = try server.queuedCommand(for: device.id)
        _ = try server.call("GET", "/v1/executor/commands?wait=0", token: device.token)
        #expect(try Self.report(server, device, done, ["state": "succeeded"]).status == 200)
        expectProblem(try server.call("POST", "/v1/commands/\(done)/cancel", token: server.adminToken), 409, "cancel of succeeded")
        #expect(try server.command(done)["state"] == "succeeded")

        // Delivered and running commands can still be canceled; the executor's later report is refused.
        let running = try server.queuedCommand(for: device.id)
        _ = try server.call("GET", "/v1/executor/commands?wait=0", token: device.token)
        #expect(try Self.report(server, device, running, ["state": "running"]).status == 200)
        #expect(try server.call("POST", "/v1/commands/\(running)/cancel", token: server.adminToken).json["state"] == "canceled")
        expectProblem(try Self.report(server, device, running, ["state": "succeeded"]), 409, "success after cancel")
    }

    @Test func statusReportsFollowTheLifecycle() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let id = try server.queuedCommand(for: device.id)
        let delivered = try server.call("GET", "/v1/executor/commands?wait=0", token: device.token)
        #expect(delivered.itemIDs == [id])

        let running = try Self.report(server, device, id, ["state": "running"])
        #expect(running.status == 200)
        #expect(running.json["state"] == "running")
        #expect(running.json["finished_at"] == .null)
        #expect(try Self.report(server, device, id, ["state": "running"]).status == 200, "repeating running is a no-op")

        let succeeded = try Self.report(server, device, id, ["state": "succeeded", "result": ["pong": true, "rtt_ms": 3]])
        #expect(succeeded.status == 200)
        #expect(succeeded.json["state"] == "succeeded")
        let finishedAt = try #require(succeeded.json["finished_at"]?.stringValue)

        let repeated = try Self.report(server, device, id, ["state": "succeeded", "result": ["pong": false]])
        #expect(repeated.status == 200, "repeating the terminal report is a no-op: \(repeated)")
        #expect(repeated.json["result"] == ["pong": true, "rtt_ms": 3], "a repeated report changes nothing")
        #expect(repeated.json["finished_at"]?.stringValue == finishedAt)

        expectProblem(try Self.report(server, device, id, ["state": "failed", "error": "late"]), 409, "failed after succeeded")
        expectProblem(try Self.report(server, device, id, ["state": "running"]), 409, "running after succeeded")
        expectProblem(try Self.report(server, device, id, ["state": "rejected"]), 409, "rejected after succeeded")
        for state in ["queued", "delivered", "expired", "canceled"] {
            expectProblem(try Self.report(server, device, id, ["state": .string(state)]), 400, "an executor reporting \(state)")
        }
        let final = try server.command(id)
        #expect(final["state"] == "succeeded")
        #expect(final["result"] == ["pong": true, "rtt_ms": 3])
        #expect(final["error"] == .null)
    }

    @Test func errorTextAndResultAreStored() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let failing = try server.queuedCommand(for: device.id, type: "vendor.deploy")
        let rejecting = try server.queuedCommand(for: device.id, type: "vendor.unknown")
        _ = try server.call("GET", "/v1/executor/commands?wait=0", token: device.token)

        let verifierLog = (1...400).map { "\($0): (b7) r0 = 0\n" }.joined() + "R0 !read_ok\nprocessed 400 insns"
        let failed = try Self.report(server, device, failing, ["state": "failed", "error": .string(verifierLog), "result": ["stage": "verify"]])
        #expect(failed.status == 200)
        #expect(failed.json["state"] == "failed")
        let stored = try server.command(failing)
        #expect(stored["error"]?.stringValue == verifierLog, "the whole reason is kept")
        #expect(stored["result"] == ["stage": "verify"])

        let rejected = try Self.report(server, device, rejecting, ["state": "rejected", "error": "unknown command type vendor.unknown"])
        #expect(rejected.json["state"] == "rejected")
        #expect(try server.command(rejecting)["error"] == "unknown command type vendor.unknown")
    }

    @Test func listIsNewestFirstWithPaginationAndStateFilter() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let other = try server.enroll()
        var created: [String] = []
        for _ in 0..<7 { created.append(try server.queuedCommand(for: device.id)) }
        _ = try server.queuedCommand(for: other.id)
        let newestFirst = Array(created.reversed())

        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try server.call("GET", "/v1/devices/\(device.id)/commands?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""),
                                       token: server.adminToken)
            try #require(page.status == 200, "\(page)")
            seen += page.itemIDs
            cursor = page.json["next_cursor"]?.stringValue
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pages == 3)
        #expect(seen == newestFirst, "newest first, every command once, none of the other device's")

        // Deliver the oldest three, finish one, cancel one.
        let delivered = try server.call("GET", "/v1/executor/commands?wait=0", token: device.token)
        #expect(delivered.itemIDs == created)  // the executor gets all, oldest first
        #expect(try Self.report(server, device, created[0], ["state": "succeeded"]).status == 200)
        #expect(try Self.report(server, device, created[1], ["state": "running"]).status == 200)
        #expect(try server.call("POST", "/v1/commands/\(created[2])/cancel", token: server.adminToken).status == 200)
        let late = try server.queuedCommand(for: device.id)

        func listed(_ state: String) throws -> [String] {
            let answer = try server.call("GET", "/v1/devices/\(device.id)/commands?state=\(state)", token: server.adminToken)
            try #require(answer.status == 200, "\(answer)")
            return answer.itemIDs
        }
        #expect(try listed("succeeded") == [created[0]])
        #expect(try listed("running") == [created[1]])
        #expect(try listed("canceled") == [created[2]])
        #expect(try listed("delivered") == Array(created[3...].reversed()))
        #expect(try listed("queued") == [late])
        #expect(try listed("failed").isEmpty)

        let filteredPage = try server.call("GET", "/v1/devices/\(device.id)/commands?state=delivered&limit=2", token: server.adminToken)
        let next = try #require(filteredPage.json["next_cursor"]?.stringValue)
        let rest = try server.call("GET", "/v1/devices/\(device.id)/commands?state=delivered&limit=2&cursor=\(next)", token: server.adminToken)
        #expect(filteredPage.itemIDs + rest.itemIDs == Array(created[3...].reversed()))
    }

    @Test func longPollWithWaitZeroReturnsAtOnce() async throws {
        let server = try TestServer()
        let device = try server.enroll()
        let poll = BackgroundCall { try server.call("GET", "/v1/executor/commands?wait=0", token: device.token) }
        let answer = try await poll.value()
        #expect(poll.duration < .milliseconds(500), "took \(poll.duration)")
        #expect(answer.status == 200)
        #expect(answer.json["items"] == [])
        let noWait = try server.call("GET", "/v1/executor/commands", token: device.token)
        #expect(noWait.status == 200, "wait defaults to 0")
        #expect(noWait.json["items"] == [])
    }

    @Test func longPollTimesOutWithAnEmptyList() async throws {
        let server = try TestServer()
        let device = try server.enroll()
        let poll = server.longPoll(device.token, wait: 1)
        let answer = try await poll.value()
        let elapsed = poll.duration
        #expect(answer.status == 200)
        #expect(answer.json["items"] == [])
        #expect(elapsed >= .milliseconds(900) && elapsed < .milliseconds(2500), "took \(elapsed)")
    }

    @Test func queuedCommandIsReturnedImmediately() async throws {
        let server = try TestServer()
        let device = try server.enroll()
        let id = try server.queuedCommand(for: device.id, type: "executor.ping")
        let poll = server.longPoll(device.token, wait: 20)
        let answer = try await poll.value()
        #expect(poll.duration < .seconds(1), "took \(poll.duration)")
        #expect(answer.itemIDs == [id])
        #expect(answer.items.first?["state"] == "delivered")
        #expect(answer.items.first?["delivered_at"]?.stringValue != nil)
        let again = try server.call("GET", "/v1/executor/commands?wait=0", token: device.token)
        // On a loaded machine this task may resume late; past the redelivery window handing it out again is right.
        // Both delivery times are the server's, so the check does not depend on when this task ran.
        if let redelivered = again.items.first {
            let first = try #require(answer.items.first?["delivered_at"]?.stringValue.flatMap(Timestamp.parse))
            let second = try #require(redelivered["delivered_at"]?.stringValue.flatMap(Timestamp.parse))
            #expect(second.timeIntervalSince(first) >= Double(CommandStore.redeliveryAfterSeconds),
                    "a delivered command is not handed out again before the redelivery window")
        }
    }

    @Test func commandsForADecommissionedDeviceAre409() throws {
        let server = try TestServer()
        let device = try server.enroll()
        #expect(try server.call("DELETE", "/v1/devices/\(device.id)", token: server.adminToken).status == 204)
        expectProblem(try server.sendCommand(to: device.id), 409, "command for a decommissioned device")
        let rejected = try server.enroll()
        #expect(try server.call("POST", "/v1/devices/\(rejected.id)/reject", token: server.adminToken).status == 200)
        expectProblem(try server.sendCommand(to: rejected.id), 409, "command for a rejected device")
        // A pending device may be given commands; it gets them once approved.
        let pending = try server.enroll(autoApprove: false)
        #expect(try server.sendCommand(to: pending.id).status == 201)
    }

    @Test func waitAboveSixtyIs400() throws {
        let server = try TestServer()
        let device = try server.enroll()
        expectProblem(try server.call("GET", "/v1/executor/commands?wait=61", token: device.token), 400, "wait=61")
        expectProblem(try server.call("GET", "/v1/executor/commands?wait=100000", token: device.token), 400, "wait=100000")
    }

    @Test func commandReachesOnlyItsOwnDeviceAmongTwentyWaiters() async throws {
        let server = try TestServer()
        let devices = try (0..<20).map { _ in try server.enroll() }
        let target = 7
        let seen = Observations()
        // Timing matters, so the sequence runs on a thread of its own and is judged afterwards.
        let (id, polls, createdAt) = try await onOwnThread { () -> (String, [BackgroundCall<TestServer.Answer>], ContinuousClock.Instant) in
            let polls = devices.map { server.longPoll($0.token, wait: 5) }
            let held = try eventuallyBlocking(timeout: 4) { try server.call("GET", "/metrics").showsHeldLongPolls(20) }
            seen.check(held, "twenty long-polls are held")
            let createdAt = ContinuousClock.now
            let id = try server.queuedCommand(for: devices[target].id)
            for poll in polls { _ = try? poll.wait() }
            return (id, polls, createdAt)
        }
        seen.record()

        let answer = try await polls[target].value()
        #expect(polls[target].finishedAt - createdAt < .seconds(1), "the waiting executor is woken at once")
        #expect(answer.itemIDs == [id])
        for (index, poll) in polls.enumerated() where index != target {
            let other = try await poll.value()
            #expect(other.status == 200)
            #expect(other.items.isEmpty, "device \(index) got \(other)")
            #expect(poll.duration > .milliseconds(4500), "device \(index) waited out its long-poll: \(poll.duration)")
        }
    }
}
