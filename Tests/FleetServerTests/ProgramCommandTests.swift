import Foundation
import FleetJSON
import Testing

/// Server behaviour around program commands and long-polls that executors rely on.
@Suite struct ProgramCommandTests {
    @Test func programLoadIsFilledInFromTheRegistry() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let program = try server.registeredProgram()
        let id = try #require(program["id"]?.stringValue)

        let created = try server.sendCommand(to: device.id, type: "program.load", payload: ["program_id": .string(id)])
        #expect(created.status == 201, "\(created)")
        #expect(created.json["payload"]?["sha256"] == program["sha256"])
        #expect(created.json["payload"]?["name"] == program["name"])

        let explicit = try server.sendCommand(to: device.id, type: "program.load",
                                              payload: ["program_id": .string(id), "name": "mine", "sha256": "kept"])
        #expect(explicit.json["payload"]?["name"] == "mine")
        #expect(explicit.json["payload"]?["sha256"] == "kept")
    }

    @Test func programCommandsNeedAnExistingProgram() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let missing = try server.sendCommand(to: device.id, type: "program.load", payload: ["program_id": .string(UUID().uuidString)])
        #expect(missing.status == 422, "\(missing)")
        let noID = try server.sendCommand(to: device.id, type: "program.replace", payload: ["name": "x"])
        #expect(noID.status == 400, "\(noID)")
        let notObject = try server.sendCommand(to: device.id, type: "program.load", payload: "x")
        #expect(notObject.status == 400, "\(notObject)")
    }

    @Test func aNewLongPollSupersedesTheOldOne() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let old = BackgroundCall { try server.call("GET", "/v1/executor/commands?wait=30", token: device.token) }
        #expect(eventuallyBlocking(timeout: 5) { server.app.heldLongPolls == 1 })
        let new = BackgroundCall { try server.call("GET", "/v1/executor/commands?wait=30", token: device.token) }
        let oldAnswer = try old.wait()
        #expect(oldAnswer.status == 200 && oldAnswer.itemIDs.isEmpty, "the old poll answers empty: \(oldAnswer)")
        #expect(old.duration < .seconds(10))
        #expect(eventuallyBlocking(timeout: 5) { server.app.heldLongPolls == 1 })
        let command = try server.queuedCommand(for: device.id)
        let newAnswer = try new.wait()
        #expect(newAnswer.itemIDs == [command], "the command goes to the new poll: \(newAnswer)")
    }

    @Test func aPeekDoesNotEndAHeldLongPoll() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let held = BackgroundCall { try server.call("GET", "/v1/executor/commands?wait=30", token: device.token) }
        #expect(eventuallyBlocking(timeout: 5) { server.app.heldLongPolls == 1 })
        let peek = try server.call("GET", "/v1/executor/commands?wait=0", token: device.token)
        #expect(peek.status == 200 && peek.itemIDs.isEmpty)
        let command = try server.queuedCommand(for: device.id)
        #expect(try held.wait().itemIDs == [command])
    }
}
