import Foundation
import FleetCore
import FleetJSON
import Testing
@testable import FleetServer

/// `GET /v1/telemetry/metrics` and the kinds executors report, against a real PostgreSQL.
@Suite struct TelemetryCatalogueTests {
    static func metrics(_ server: TestServer, _ device: String, _ extra: String = "") throws -> TestServer.Answer {
        try server.call("GET", "/v1/telemetry/metrics?device_id=\(device)\(extra)", token: server.adminToken)
    }

    @Test func aDeviceListsTheMetricsItReportedWithKindsLabelKeysAndTimes() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let other = try server.enroll()
        let base = TelemetryTests.recentMinute()
        let first = try server.call("POST", "/v1/executor/telemetry", token: device.token, json: [
            "batch_id": "b1", "kinds": ["syscalls_total": "counter", "exec_events": "event"],
            "points": [
                TelemetryTests.point("syscalls_total", base, 10),
                TelemetryTests.point("executor_rss_bytes", base, 1e6),
                TelemetryTests.point("exec_events", base.addingTimeInterval(5), 1, labels: ["comm": "sh"]),
            ],
        ])
        #expect(first.status == 200, "\(first)")
        let second = try server.call("POST", "/v1/executor/telemetry", token: device.token, json: [
            "batch_id": "b2", "kinds": ["syscalls_total": "counter", "exec_events": "event"],
            "points": [
                TelemetryTests.point("syscalls_total", base.addingTimeInterval(30), 25),
                TelemetryTests.point("exec_events", base.addingTimeInterval(31), 1, labels: ["filename": "/bin/ls", "comm": "ls"]),
            ],
        ])
        #expect(second.status == 200, "\(second)")
        _ = try TelemetryTests.send(server, other.token, [TelemetryTests.point("theirs_only", base, 1)])

        let answer = try Self.metrics(server, device.id)
        try #require(answer.status == 200, "\(answer)")
        let items = try #require(answer.json["items"]?.arrayValue)
        #expect(items.map { $0["metric"]?.stringValue } == ["exec_events", "executor_rss_bytes", "syscalls_total"])
        #expect(items.map { $0["kind"]?.stringValue } == ["event", "gauge", "counter"])
        #expect(items[0]["label_keys"] == ["comm", "filename"], "label keys of every batch, merged")
        #expect(items[2]["label_keys"] == [])
        #expect(items[2]["first_point_at"]?.stringValue == Timestamp.format(base))
        #expect(items[2]["last_point_at"]?.stringValue == Timestamp.format(base.addingTimeInterval(30)))
        #expect(answer.json["next_cursor"] == .null)

        let page = try Self.metrics(server, device.id, "&limit=2")
        #expect(page.json["items"]?.arrayValue?.count == 2)
        let cursor = try #require(page.json["next_cursor"]?.stringValue)
        let rest = try Self.metrics(server, device.id, "&limit=2&cursor=\(cursor)")
        #expect(rest.json["items"]?.arrayValue?.map { $0["metric"]?.stringValue } == ["syscalls_total"])
        #expect(try Self.metrics(server, device.id, "&prefix=exec").json["items"]?.arrayValue?.count == 2)
    }

    @Test func countersDefaultToRateEventsToSumAndTheAnswerSaysWhich() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let base = TelemetryTests.recentMinute()
        let sent = try server.call("POST", "/v1/executor/telemetry", token: device.token, json: [
            "batch_id": "c1", "kinds": ["failures_total": "counter", "events": "event"],
            "points": [
                TelemetryTests.point("failures_total", base, 0), TelemetryTests.point("failures_total", base.addingTimeInterval(30), 3),
                TelemetryTests.point("failures_total", base.addingTimeInterval(60), 3),
                TelemetryTests.point("events", base.addingTimeInterval(1), 1), TelemetryTests.point("events", base.addingTimeInterval(2), 1),
                TelemetryTests.point("temperature", base, 20), TelemetryTests.point("temperature", base.addingTimeInterval(10), 22),
            ],
        ])
        #expect(sent.status == 200, "\(sent)")
        func ask(_ metric: String, agg: String? = nil) throws -> JSON {
            let parameters = TelemetryTests.window(device.id, metric, from: base, to: base.addingTimeInterval(119), step: 60, agg: agg)
            let answer = try server.call("GET", "/v1/telemetry?" + TelemetryTests.queryString(parameters), token: server.adminToken)
            try #require(answer.status == 200, "\(answer)")
            return answer.json
        }
        let counter = try ask("failures_total")
        #expect(counter["agg"] == "rate")
        #expect(counter["kind"] == "counter")
        #expect(counter["step"] == 60)
        #expect(counter["from"]?.stringValue == Timestamp.format(base))
        #expect(counter["series"]?.arrayValue?.first?["points"]?.arrayValue?.map { $0.arrayValue?[1] } == [.double(0.05), .double(0)])
        #expect(try ask("failures_total", agg: "max")["agg"] == "max", "an explicit agg wins")
        let events = try ask("events")
        #expect(events["agg"] == "sum")
        #expect(events["series"]?.arrayValue?.first?["points"]?.arrayValue?.first?.arrayValue?[1] == .double(2))
        let gauge = try ask("temperature")
        #expect(gauge["agg"] == "avg")
        #expect(gauge["series"]?.arrayValue?.first?["points"]?.arrayValue?.first?.arrayValue?[1] == .double(21))
        let unknown = try ask("never_reported")
        #expect(unknown["agg"] == "avg")
        #expect(unknown["kind"] == .null)
        #expect(unknown["series"] == [])
    }

    @Test func badCatalogueRequestsAndKindsAre4xx() throws {
        let server = try TestServer()
        let device = try server.enroll()
        #expect(try server.call("GET", "/v1/telemetry/metrics", token: server.adminToken).status == 400)
        #expect(try Self.metrics(server, "not-a-uuid").status == 400)
        #expect(try Self.metrics(server, UUID().uuidString.lowercased()).status == 404)
        #expect(try Self.metrics(server, device.id, "&cursor=garbage").status == 400)
        #expect(try Self.metrics(server, device.id, "&limit=0").status == 400)
        #expect(try server.call("GET", "/v1/telemetry/metrics?device_id=\(device.id)", token: device.token).status == 403)
        let base = TelemetryTests.recentMinute()
        for kinds: JSON in [["m": "histogram"], ["9bad": "counter"], ["m": 1], "counter"] {
            let answer = try server.call("POST", "/v1/executor/telemetry", token: device.token, json: [
                "batch_id": .string(UUID().uuidString), "kinds": kinds, "points": [TelemetryTests.point("m", base, 1)],
            ])
            #expect(answer.status == 400, "kinds \(kinds.serialized()): \(answer)")
        }
        #expect(try Self.metrics(server, device.id).json["items"] == [], "a refused batch catalogues nothing")
    }
}
