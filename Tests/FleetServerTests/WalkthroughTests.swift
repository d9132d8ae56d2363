import Foundation
import FleetJSON
import Synchronization
import Testing

/// The README's walk-through, end to end through real HTTP.
@Suite struct WalkthroughTests {
    @Test func enrolmentCommandLongPollStatus() throws {
        let server = try TestServer()
        let device = try server.enroll(labels: ["env": "lab"])
        #expect(device.status == "active")

        let listed = try server.call("GET", "/v1/devices?selector=env%3Dlab", token: server.adminToken)
        #expect(listed.status == 200)
        #expect(listed.json["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [device.id])

        // The executor waits first; the command created afterwards wakes it.
        let received = Mutex<TestServer.Answer?>(nil)
        let waiting = Thread {
            received.withLock { $0 = try? server.call("GET", "/v1/executor/commands?wait=20", token: device.token) }
        }
        waiting.start()
        Thread.sleep(forTimeInterval: 0.3)
        let created = try server.sendCommand(to: device.id, type: "executor.ping", payload: ["echo": "hi"])
        #expect(created.status == 201)
        let commandID = try #require(created.json["id"]?.stringValue)

        let deadline = Date().addingTimeInterval(10)
        while received.withLock({ $0 }) == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let poll = try #require(received.withLock { $0 })
        #expect(poll.status == 200)
        #expect(poll.json["items"]?.arrayValue?.first?["id"]?.stringValue == commandID)
        #expect(poll.json["items"]?.arrayValue?.first?["state"] == "delivered")

        let running = try server.call("POST", "/v1/executor/commands/\(commandID)/status", token: device.token, json: ["state": "running"])
        #expect(running.json["state"] == "running")
        let done = try server.call("POST", "/v1/executor/commands/\(commandID)/status", token: device.token,
                                   json: ["state": "succeeded", "result": ["pong": true]])
        #expect(done.status == 200)

        let final = try server.call("GET", "/v1/commands/\(commandID)", token: server.adminToken)
        #expect(final.json["state"] == "succeeded")
        #expect(final.json["result"]?["pong"] == .bool(true))
        #expect(final.json["delivered_at"]?.stringValue != nil)
        #expect(final.json["finished_at"]?.stringValue != nil)
    }
}

