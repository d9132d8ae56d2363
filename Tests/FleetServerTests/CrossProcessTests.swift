import Foundation
import FleetJSON
import Testing

/// Two replicas over one database: a command created on one wakes an executor long-polling on the other,
/// through PostgreSQL NOTIFY, within a couple of seconds.
@Suite struct CrossProcessTests {
    @Test func commandCreatedOnOneReplicaWakesALongPollOnTheOther() async throws {
        let a = try TestServer()
        let b = try await ServerProcess(conninfo: a.conninfo)
        defer { b.stop() }
        let device = try a.enroll()
        let client = b.client

        // The executor waits on process B, and the command is created through process A (on a thread of its
        // own, so that the timing is the servers', not the test runner's).
        let (held, id, waiting, start) = try await onOwnThread { () -> (Bool, String, BackgroundCall<TestServer.Answer>, ContinuousClock.Instant) in
            let waiting = BackgroundCall { try client.call("GET", "/v1/executor/commands?wait=20", token: device.token) }
            let held = try eventuallyBlocking(timeout: 5) { try client.call("GET", "/metrics").showsHeldLongPolls(1) }
            let start = ContinuousClock.now
            let id = try a.queuedCommand(for: device.id)
            _ = try? waiting.wait()
            return (held, id, waiting, start)
        }
        #expect(held, "process B holds the long-poll")
        let answer = try await waiting.value()
        let elapsed = waiting.finishedAt - start
        #expect(answer.status == 200, "\(answer)")
        #expect(answer.itemIDs == [id])
        #expect(elapsed < .seconds(2), "B answered after \(elapsed)")
        #expect(try a.command(id)["state"] == "delivered")
    }

    @Test func commandCreatedOnTheChildProcessWakesALongPollInProcess() async throws {
        let a = try TestServer()
        let b = try await ServerProcess(conninfo: a.conninfo)
        defer { b.stop() }
        let device = try a.enroll()

        let client = b.client
        let (held, created, waiting, start) = try await onOwnThread {
            () -> (Bool, TestServer.Answer, BackgroundCall<TestServer.Answer>, ContinuousClock.Instant) in
            let waiting = a.longPoll(device.token, wait: 20)
            let held = try eventuallyBlocking(timeout: 5) { try a.call("GET", "/metrics").showsHeldLongPolls(1) }
            let start = ContinuousClock.now
            let created = try client.call("POST", "/v1/devices/\(device.id)/commands", token: a.adminToken,
                                          json: ["type": "executor.ping", "payload": ["via": "b"]])
            _ = try? waiting.wait()
            return (held, created, waiting, start)
        }
        #expect(held, "process A holds the long-poll")
        #expect(created.status == 201, "\(created)")
        let id = try #require(created.json["id"]?.stringValue)
        let answer = try await waiting.value()
        let elapsed = waiting.finishedAt - start
        #expect(answer.itemIDs == [id])
        #expect(answer.items.first?["payload"] == ["via": "b"])
        #expect(elapsed < .seconds(2), "A answered after \(elapsed)")
    }

    @Test func reportOnOneReplicaWakesACommandWaitOnTheOther() async throws {
        let a = try TestServer()
        let b = try await ServerProcess(conninfo: a.conninfo)
        defer { b.stop() }
        let device = try a.enroll()
        let id = try a.queuedCommand(for: device.id)
        let client = b.client
        let (held, waiting, reportedAt) = try await onOwnThread { () -> (Bool, BackgroundCall<TestServer.Answer>, ContinuousClock.Instant) in
            let waiting = BackgroundCall { try client.call("GET", "/v1/commands/\(id)?wait=20", token: a.adminToken) }
            let held = try eventuallyBlocking(timeout: 5) { try client.call("GET", "/metrics").showsHeldLongPolls(1) }
            let reportedAt = ContinuousClock.now
            _ = try a.call("POST", "/v1/executor/commands/\(id)/status", token: device.token, json: ["state": "failed", "error": "boom"])
            _ = try? waiting.wait()
            return (held, waiting, reportedAt)
        }
        #expect(held, "process B holds the command wait")
        let answer = try await waiting.value()
        #expect(answer.json["state"] == "failed", "\(answer)")
        #expect(answer.json["error"] == "boom")
        #expect(waiting.finishedAt - reportedAt < .seconds(2), "B answered \(waiting.finishedAt - reportedAt) after the report on A")
    }

    @Test func revocationOnOneReplicaTakesEffectOnTheOther() async throws {
        let a = try TestServer()
        let b = try await ServerProcess(conninfo: a.conninfo)
        defer { b.stop() }
        let created = try a.call("POST", "/v1/tokens", token: a.adminToken, json: ["name": "both", "role": "viewer"])
        let token = try #require(created.json["token"]?.stringValue)
        let id = try #require(created.json["id"]?.stringValue)
        #expect(try b.client.call("GET", "/v1/devices", token: token).status == 200, "B caches the token")

        // The fleet_auth notification clears B's cache; without it B would accept the token for up to 5 s.
        let client = b.client
        let (revoked, refusedAfter) = try await onOwnThread { () -> (Int, Duration?) in
            let revoked = try a.call("DELETE", "/v1/tokens/\(id)", token: a.adminToken).status
            let start = ContinuousClock.now
            let refused = try eventuallyBlocking(timeout: 4) { try client.call("GET", "/v1/devices", token: token).status == 401 }
            return (revoked, refused ? ContinuousClock.now - start : nil)
        }
        #expect(revoked == 204)
        let after = try #require(refusedAfter, "B still accepts a token revoked on A")
        #expect(after < .seconds(2), "B refused the revoked token only after \(after)")
    }
}
