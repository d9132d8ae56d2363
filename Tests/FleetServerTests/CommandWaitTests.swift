import Foundation
import FleetJSON
import Testing

/// `GET /v1/commands/{id}?wait=N`: a suspended long-poll that answers when the command becomes terminal
/// (executor report, cancel, expiry) or when N seconds have passed.
@Suite struct CommandWaitTests {
    /// `GET /v1/commands/{id}?wait=N`, started at once on its own thread.
    static func waitingGet(_ server: TestServer, _ command: String, wait: Int) -> BackgroundCall<TestServer.Answer> {
        BackgroundCall { try server.call("GET", "/v1/commands/\(command)?wait=\(wait)", token: server.adminToken, timeout: .seconds(wait + 30)) }
    }

    static func report(_ server: TestServer, _ device: TestServer.EnrolledDevice, _ command: String, _ state: String) throws {
        let answer = try server.call("POST", "/v1/executor/commands/\(command)/status", token: device.token, json: ["state": .string(state)])
        try #require(answer.status == 200, "reporting \(state): \(answer)")
    }

    @Test func waitingGetAnswersPromptlyAfterTheTerminalReportAndNotBefore() async throws {
        let server = try TestServer()
        let device = try server.enroll()
        let id = try server.queuedCommand(for: device.id)
        #expect(try server.call("GET", "/v1/executor/commands", token: device.token).itemIDs == [id])
        let seen = Observations()
        // Timing matters, so the sequence runs on a thread of its own and is judged afterwards.
        let (waiting, reportedAt) = try await onOwnThread { () -> (BackgroundCall<TestServer.Answer>, ContinuousClock.Instant) in
            let waiting = Self.waitingGet(server, id, wait: 20)
            seen.check(try eventuallyBlocking(timeout: 5) { try server.call("GET", "/metrics").showsHeldLongPolls(1) }, "the GET is held")
            try Self.report(server, device, id, "running")
            Thread.sleep(forTimeInterval: 0.5)
            seen.check(try server.call("GET", "/metrics").showsHeldLongPolls(1), "still held after the running report")
            let reportedAt = ContinuousClock.now
            try Self.report(server, device, id, "succeeded")
            _ = try? waiting.wait()
            return (waiting, reportedAt)
        }
        seen.record()
        let answer = try await waiting.value()
        #expect(answer.status == 200, "\(answer)")
        #expect(answer.json["id"]?.stringValue == id)
        #expect(answer.json["state"] == "succeeded")
        #expect(waiting.finishedAt > reportedAt, "answered before the terminal report")
        #expect(waiting.finishedAt - reportedAt < .seconds(1), "answered \(waiting.finishedAt - reportedAt) after the report")
    }

    @Test func waitingGetAnswersWithTheUnfinishedCommandWhenTheTimeRunsOut() async throws {
        let server = try TestServer()
        let device = try server.enroll()
        let id = try server.queuedCommand(for: device.id)
        let waiting = Self.waitingGet(server, id, wait: 1)
        let answer = try await waiting.value()
        #expect(answer.status == 200, "\(answer)")
        #expect(answer.json["state"] == "queued")
        #expect(waiting.duration >= .milliseconds(900) && waiting.duration < .milliseconds(2500), "took \(waiting.duration)")
    }

    @Test func terminalCommandAndWaitZeroAnswerAtOnce() async throws {
        let server = try TestServer()
        let device = try server.enroll()
        let queued = try server.queuedCommand(for: device.id)
        let atOnce = BackgroundCall { try server.call("GET", "/v1/commands/\(queued)?wait=0", token: server.adminToken) }
        #expect(try await atOnce.value().json["state"] == "queued")
        #expect(atOnce.duration < .milliseconds(500), "wait=0 took \(atOnce.duration)")
        #expect(try server.call("POST", "/v1/commands/\(queued)/cancel", token: server.adminToken).status == 200)
        let finished = Self.waitingGet(server, queued, wait: 20)
        #expect(try await finished.value().json["state"] == "canceled")
        #expect(finished.duration < .milliseconds(500), "a terminal command took \(finished.duration)")
    }

    @Test func cancelWakesAWaitingGet() async throws {
        let server = try TestServer()
        let device = try server.enroll()
        let id = try server.queuedCommand(for: device.id)
        let (waiting, canceledAt, held) = try await onOwnThread { () -> (BackgroundCall<TestServer.Answer>, ContinuousClock.Instant, Bool) in
            let waiting = Self.waitingGet(server, id, wait: 20)
            let held = try eventuallyBlocking(timeout: 5) { try server.call("GET", "/metrics").showsHeldLongPolls(1) }
            let canceledAt = ContinuousClock.now
            _ = try server.call("POST", "/v1/commands/\(id)/cancel", token: server.adminToken)
            _ = try? waiting.wait()
            return (waiting, canceledAt, held)
        }
        #expect(held, "the GET is held")
        #expect(try await waiting.value().json["state"] == "canceled")
        #expect(waiting.finishedAt - canceledAt < .seconds(1), "answered \(waiting.finishedAt - canceledAt) after the cancel")
    }

    @Test func rejectingTheDeviceWakesAWaitingGet() async throws {
        let server = try TestServer()
        let device = try server.enroll()
        let id = try server.queuedCommand(for: device.id)
        let (waiting, rejectedAt, held) = try await onOwnThread { () -> (BackgroundCall<TestServer.Answer>, ContinuousClock.Instant, Bool) in
            let waiting = Self.waitingGet(server, id, wait: 20)
            let held = try eventuallyBlocking(timeout: 5) { try server.call("GET", "/metrics").showsHeldLongPolls(1) }
            let rejectedAt = ContinuousClock.now
            _ = try server.call("POST", "/v1/devices/\(device.id)/reject", token: server.adminToken)
            _ = try? waiting.wait()
            return (waiting, rejectedAt, held)
        }
        #expect(held, "the GET is held")
        let answer = try await waiting.value()
        #expect(answer.json["state"] == "canceled")
        #expect(answer.json["error"] == "device rejected")
        #expect(waiting.finishedAt - rejectedAt < .seconds(1), "answered \(waiting.finishedAt - rejectedAt) after the reject")
    }

    @Test func expiryWakesAWaitingGet() async throws {
        let server = try TestServer()
        let device = try server.enroll()
        let id = try server.queuedCommand(for: device.id, extra: ["ttl_seconds": 1])
        let waiting = Self.waitingGet(server, id, wait: 20)
        let answer = try await waiting.value()
        #expect(answer.json["state"] == "expired", "\(answer)")
        // The TTL is one second and expiry runs once a second.
        #expect(waiting.duration < .seconds(4), "took \(waiting.duration)")
    }

    @Test func badWaitValuesAre400() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let id = try server.queuedCommand(for: device.id)
        for value in ["61", "-1", "abc", "1.5", "100000"] {
            expectProblem(try server.call("GET", "/v1/commands/\(id)?wait=\(value)", token: server.adminToken), 400, "wait=\(value)")
        }
    }

    @Test func waitingForAnUnknownCommandIs404() throws {
        let server = try TestServer()
        expectProblem(try server.call("GET", "/v1/commands/\(UUID())?wait=5", token: server.adminToken), 404, "unknown command")
    }
}
