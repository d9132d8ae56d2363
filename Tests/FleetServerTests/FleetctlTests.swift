import Foundation
import FleetJSON
import Testing

/// The `fleetctl` binary against a real server: devices named by name, listings without inventories,
/// and `send command --wait` riding the server's command wait.
@Suite struct FleetctlTests {
    static var fleetctl: URL { BuiltProducts.directory.appendingPathComponent("fleetctl") }

    static func fleetctl(_ server: TestServer, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try ProgramFixtures.run(fleetctl.path, ["--server", server.base, "--token", server.adminToken] + arguments)
    }

    static func named(_ server: TestServer, _ name: String) throws -> String {
        let id = try server.enroll().id
        let answer = try server.call("PATCH", "/v1/devices/\(id)", token: server.adminToken, json: ["name": .string(name)])
        try #require(answer.status == 200, "\(answer)")
        return id
    }

    /// How many `GET /v1/commands/{id}` the server has answered or held, from `/metrics`.
    static func commandGets(_ server: TestServer) throws -> Int {
        let text = String(decoding: try server.call("GET", "/metrics").body, as: UTF8.self)
        return text.split(separator: "\n").filter { $0.hasPrefix(#"fleet_http_requests_total{route="/v1/commands/{id}","#) }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0) { $0 + Int($1) }
    }

    @Test func devicesAreNamedByNameOrIDAndAnAmbiguousNameIsAnError() throws {
        let server = try TestServer()
        let edge = try Self.named(server, "edge-1")
        let first = try Self.named(server, "gw")
        let second = try Self.named(server, "gw")

        let byName = try Self.fleetctl(server, ["-o", "json", "get", "device", "edge-1"])
        #expect(byName.status == 0, "\(byName.errors)")
        #expect(try JSON.parse(Array(byName.output.utf8))["id"]?.stringValue == edge)
        let labeled = try Self.fleetctl(server, ["label", "device", "edge-1", "env=lab"])
        #expect(labeled.status == 0, "\(labeled.errors)")
        #expect(try server.device(edge)["labels"] == ["env": "lab"])
        #expect(try Self.fleetctl(server, ["get", "commands", edge]).status == 0, "an ID works as before")

        let missing = try Self.fleetctl(server, ["get", "device", "nope"])
        #expect(missing.status == 1)
        #expect(missing.errors == "error: no device is named 'nope'\n")

        let ambiguous = try Self.fleetctl(server, ["send", "command", "gw", "executor.ping"])
        #expect(ambiguous.status == 1)
        let lines = ambiguous.errors.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("error: 2 devices are named 'gw': "), "\(ambiguous.errors)")
        #expect(ambiguous.errors.contains(first) && ambiguous.errors.contains(second) && ambiguous.errors.contains("give the ID"))
        #expect(try server.call("GET", "/v1/devices/\(first)/commands", token: server.adminToken).items.isEmpty, "nothing was sent")
    }

    @Test func listingsLeaveTheInventoryOutUnlessAskedAndOneDeviceKeepsIt() throws {
        let server = try TestServer()
        let id = try server.enroll().id  // enrolled with the inventory {"arch": "x86_64"}

        let listed = try Self.fleetctl(server, ["-o", "json", "get", "devices"])
        #expect(listed.status == 0, "\(listed.errors)")
        let item = try #require(try JSON.parse(Array(listed.output.utf8))["items"]?.arrayValue?.first)
        #expect(item["id"]?.stringValue == id)
        #expect(item["inventory"] == nil, "\(item)")
        let yaml = try Self.fleetctl(server, ["-o", "yaml", "get", "devices"])
        #expect(yaml.status == 0 && !yaml.output.contains("inventory") && yaml.output.contains("hardware_id:"), "\(yaml.output)")

        let shown = try Self.fleetctl(server, ["-o", "json", "get", "devices", "--show-inventory"])
        #expect(try JSON.parse(Array(shown.output.utf8))["items"]?.arrayValue?.first?["inventory"] == ["arch": "x86_64"])
        let one = try Self.fleetctl(server, ["-o", "json", "get", "device", id])
        #expect(try JSON.parse(Array(one.output.utf8))["inventory"] == ["arch": "x86_64"])
    }

    @Test func sendCommandWaitAsksAHandfulOfTimesAndReturnsOnTheReport() async throws {
        let server = try TestServer()
        let device = try server.enroll()

        // Nobody answers: three seconds of waiting are a few requests, not one per 200 ms.
        let before = try Self.commandGets(server)
        let unanswered = try await onOwnThread { try Self.fleetctl(server, ["send", "command", device.id, "executor.ping", "--wait", "--timeout", "3s"]) }
        #expect(unanswered.status == 2, "\(unanswered.errors)")
        #expect(unanswered.errors.contains("is still queued after 3s"), "\(unanswered.errors)")
        let asked = try Self.commandGets(server) - before
        #expect(asked >= 1 && asked <= 2, "\(asked) GET /v1/commands/{id} in 3 s")

        // The executor reports while fleetctl waits: it ends at once with the outcome.
        let seen = Observations()
        let (run, reportedAt) = try await onOwnThread { () -> (BackgroundCall<(status: Int32, output: String, errors: String)>, ContinuousClock.Instant) in
            let run = BackgroundCall { try Self.fleetctl(server, ["-o", "json", "send", "command", device.id, "executor.ping", "--wait", "--timeout", "30s"]) }
            seen.check(try eventuallyBlocking(timeout: 10) { try server.call("GET", "/metrics").showsHeldLongPolls(1) }, "fleetctl's wait is held")
            // The command of the first part is still queued too; the newest is fleetctl's.
            let claimed = try server.call("GET", "/v1/executor/commands", token: device.token)
            seen.check(claimed.itemIDs.count == 2, "both commands are handed out: \(claimed)")
            let id = claimed.itemIDs.last ?? ""
            let reportedAt = ContinuousClock.now
            _ = try server.call("POST", "/v1/executor/commands/\(id)/status", token: device.token, json: ["state": "succeeded", "result": ["pong": true]])
            _ = try? run.wait()
            return (run, reportedAt)
        }
        seen.record()
        let outcome = try await run.value()
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(try JSON.parse(Array(outcome.output.utf8))["result"] == ["pong": true])
        #expect(run.finishedAt - reportedAt < .seconds(2), "fleetctl ended \(run.finishedAt - reportedAt) after the report")
    }
}
