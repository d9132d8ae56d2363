import Foundation
import FleetJSON
import FleetPostgres
import Testing

/// The server over its own PostgreSQL cluster, which the test stops and starts again: while it is down the
/// server answers 503 with Retry-After (never 500) and stays alive; afterwards it recovers by itself.
@Suite(.serialized) struct DatabaseOutageTests {
    /// The whole outage runs on a thread of its own: on the test pool, a test task that resumes late (other tests
    /// block the pool's threads) would let the held long-poll run out before the outage is over.
    @Test func serverSurvivesADatabaseRestart() async throws {
        let observations = Observations()
        try await onOwnThread { try Self.outage(observations) }
        observations.record()
    }

    struct NotHeld: Error, CustomStringConvertible {
        var description: String { "the long-poll is not held before the database goes away" }
    }

    static func outage(_ check: Observations) throws {
        func problem(_ answer: TestServer.Answer, _ status: Int, _ what: String) {
            check.check(answer.status == status, "\(what): expected \(status), got \(answer)")
            check.check(answer.isProblem, "\(what): not problem+json with a detail: \(answer.headers) \(answer)")
        }
        let root = URL(fileURLWithPath: "/tmp/fleet-outage-\(getpid())")
        let cluster = EmbeddedPostgres(directory: root.appendingPathComponent("pg"), port: try freeLoopbackPort())
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
        check.check(try server.call("GET", "/readyz").status == 200, "/readyz before the outage")

        // A long-poll that is held across the whole outage.
        let held = server.longPoll(device.token, wait: 60)
        guard try eventuallyBlocking(timeout: 5, every: 0.1, { try server.call("GET", "/metrics").showsHeldLongPolls(1) }) else {
            throw NotHeld()
        }

        try cluster.stop()

        problem(try server.call("GET", "/readyz"), 503, "/readyz while the database is down")
        check.check(try server.call("GET", "/healthz").status == 200, "liveness does not depend on the database")
        for round in 0..<3 {  // several rounds, so every pooled connection meets the outage
            for (what, answer) in try Self.requests(server, device: device, writes: true) {
                problem(answer, 503, "\(what) while the database is down (round \(round))")
                check.check(answer.header("Retry-After") != nil, "\(what): no Retry-After")
            }
            // A heartbeat may be answered from the credential cache and presence is flushed later, so 200 is fine
            // here; anything but 200 or 503 is not.
            let heartbeat = try server.call("POST", "/v1/executor/heartbeat", token: device.token)
            check.check(heartbeat.status == 200 || (heartbeat.status == 503 && heartbeat.isProblem), "heartbeat during the outage: \(heartbeat)")
            problem(try server.call("GET", "/v1/executor/commands?wait=0", token: device.token), 503, "long-poll during the outage")
        }
        check.check(try server.call("GET", "/healthz").status == 200, "/healthz during the outage")

        try cluster.start()
        let recovered = try eventuallyBlocking(timeout: 10, every: 0.2) { try server.call("GET", "/readyz").status == 200 }
        check.check(recovered, "/readyz is 200 again without a restart")
        for (what, answer) in try Self.requests(server, device: device, writes: false) {
            check.check((200..<300).contains(answer.status), "\(what) after recovery: \(answer)")
        }

        // A command made now reaches the long-poll held since before the outage: through NOTIFY once the
        // listener is back, or through the look every waiter takes when it reconnects (backoff up to 2 s).
        let start = ContinuousClock.now
        let id = try server.queuedCommand(for: device.id)
        let answer = try held.wait()
        check.check(answer.status == 200, "the held long-poll: \(answer)")
        check.check(answer.itemIDs == [id], "the held long-poll got the command: \(answer)")
        check.check(held.finishedAt - start < .seconds(4), "the held long-poll was woken")
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
