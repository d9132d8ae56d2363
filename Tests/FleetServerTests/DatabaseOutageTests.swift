import Foundation
import FleetJSON
import FleetPostgres
import Testing

/// The server over its own PostgreSQL cluster, which the test stops and starts again: while it is down the
/// server answers 503 with Retry-After (never 500) and stays alive; afterwards it recovers by itself.
@Suite(.serialized) struct DatabaseOutageTests {
    @Test func serverSurvivesADatabaseRestart() async throws {
        let root = URL(fileURLWithPath: "/tmp/fleet-outage-\(getpid())")
        let cluster = EmbeddedPostgres(directory: root.appendingPathComponent("pg"), port: 5433)
        defer {
            try? cluster.stop()
            let real = root.appendingPathComponent("pg").resolvingSymlinksInPath()
            if real.path != root.appendingPathComponent("pg").path { try? FileManager.default.removeItem(at: real) }
            try? FileManager.default.removeItem(at: root)
        }
        try cluster.start()
        try cluster.createDatabase("fleet")
        let server = try TestServer(conninfo: cluster.conninfo(database: "fleet"))
        let device = try server.enroll()
        #expect(try server.call("GET", "/readyz").status == 200)

        // A long-poll that is held across the whole outage.
        let held = server.longPoll(device.token, wait: 60)
        let holding = try await eventually(timeout: .seconds(5)) { try server.call("GET", "/metrics").showsHeldLongPolls(1) }
        try #require(holding, "the long-poll is held before the database goes away")

        try await onOwnThread { try cluster.stop() }

        let ready = try server.call("GET", "/readyz")
        expectProblem(ready, 503, "/readyz while the database is down")
        #expect(try server.call("GET", "/healthz").status == 200, "liveness does not depend on the database")
        for round in 0..<3 {  // several rounds, so every pooled connection meets the outage
            for (what, answer) in try Self.requests(server, device: device, writes: true) {
                expectProblem(answer, 503, "\(what) while the database is down (round \(round))")
                #expect(answer.header("Retry-After") != nil, "\(what): no Retry-After")
            }
            // A heartbeat may be answered from the credential cache and presence is flushed later, so 200 is fine
            // here; anything but 200 or 503 is not.
            let heartbeat = try server.call("POST", "/v1/executor/heartbeat", token: device.token)
            #expect(heartbeat.status == 200 || (heartbeat.status == 503 && heartbeat.isProblem), "heartbeat during the outage: \(heartbeat)")
            let poll = try server.call("GET", "/v1/executor/commands?wait=0", token: device.token)
            expectProblem(poll, 503, "long-poll during the outage")
        }
        #expect(try server.call("GET", "/healthz").status == 200)

        try await onOwnThread { try cluster.start() }
        let recovered = try await eventually(timeout: .seconds(10), every: .milliseconds(200)) {
            try server.call("GET", "/readyz").status == 200
        }
        #expect(recovered, "/readyz is 200 again without a restart")
        for (what, answer) in try Self.requests(server, device: device, writes: false) {
            #expect((200..<300).contains(answer.status), "\(what) after recovery: \(answer)")
        }

        // A command made now reaches the long-poll held since before the outage: through NOTIFY once the
        // listener is back, or through the look every waiter takes when it reconnects (backoff up to 2 s).
        let start = ContinuousClock.now
        let id = try server.queuedCommand(for: device.id)
        let answer = try await held.value()
        #expect(answer.status == 200, "\(answer)")
        #expect(answer.itemIDs == [id])
        #expect(held.finishedAt - start < .seconds(4), "the held long-poll was woken")
    }

    /// One request of each kind that needs the database.
    /// (A command is a write the held long-poll would receive, so after recovery only the reads run.)
    static func requests(_ server: TestServer, device: TestServer.EnrolledDevice, writes: Bool) throws -> [(String, TestServer.Answer)] {
        var answers = [
            ("GET /v1/devices", try server.call("GET", "/v1/devices", token: server.adminToken)),
            ("GET /v1/devices/{id}", try server.call("GET", "/v1/devices/\(device.id)", token: server.adminToken)),
            ("GET /v1/devices/{id}/commands", try server.call("GET", "/v1/devices/\(device.id)/commands", token: server.adminToken)),
            ("GET /v1/tokens", try server.call("GET", "/v1/tokens", token: server.adminToken)),
        ]
        if writes {
            answers.append(("POST /v1/devices/{id}/commands", try server.call("POST", "/v1/devices/\(device.id)/commands", token: server.adminToken,
                                                                              json: ["type": "state.sync"])))
            answers.append(("PATCH /v1/devices/{id}", try server.call("PATCH", "/v1/devices/\(device.id)", token: server.adminToken,
                                                                      json: ["labels": ["x": "y"]])))
        }
        return answers
    }
}
