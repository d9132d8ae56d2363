import Foundation
import FleetCore
import FleetJSON
import FleetPostgres
import Testing
@testable import FleetServer

/// Telemetry through the API against a real PostgreSQL: ingest, idempotency, validation, who may do what,
/// bucketed queries with every aggregation, day partitions and retention.
@Suite struct TelemetryTests {
    // MARK: - Helpers

    static func point(_ metric: String, _ ts: Date, _ value: Double, labels: [String: String]? = nil) -> JSON {
        var members: [String: JSON] = ["metric": .string(metric), "ts": .string(Timestamp.format(ts)), "value": .double(value)]
        if let labels { members["labels"] = labels.json }
        return .object(members)
    }

    static func send(_ server: TestServer, _ token: String, batch: String = UUID().uuidString, _ points: [JSON]) throws -> TestServer.Answer {
        try server.call("POST", "/v1/executor/telemetry", token: token, json: ["batch_id": .string(batch), "points": .array(points)])
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    /// `GET /v1/telemetry` with the given parameters; requires 200.
    static func query(_ server: TestServer, token: String? = nil, _ parameters: [String: String]) throws -> [JSON] {
        let answer = try server.call("GET", "/v1/telemetry?" + queryString(parameters), token: token ?? server.adminToken)
        try #require(answer.status == 200, "GET /v1/telemetry \(parameters): \(answer)")
        return try #require(answer.json["series"]?.arrayValue)
    }

    static func queryString(_ parameters: [String: String]) -> String {
        parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\(encoded($0.value))" }.joined(separator: "&")
    }

    /// A series' points as (seconds since the epoch, value).
    static func points(_ series: JSON) -> [(Double, Double)] {
        (series["points"]?.arrayValue ?? []).compactMap { pair in
            guard let items = pair.arrayValue, items.count == 2, let text = items[0].stringValue, let date = Timestamp.parse(text),
                  let value = items[1].doubleValue else { return nil }
            return (date.timeIntervalSince1970, value)
        }
    }

    static func values(_ series: JSON) -> [Double] { points(series).map(\.1) }

    /// A minute boundary ten minutes ago, so test points sit in known 60-second buckets in the past.
    static func recentMinute() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 - 600)
    }

    static func window(_ device: String, _ metric: String, from: Date, to: Date, step: Int, agg: String? = nil) -> [String: String] {
        var parameters = ["device_id": device, "metric": metric, "from": Timestamp.format(from), "to": Timestamp.format(to), "step": String(step)]
        if let agg { parameters["agg"] = agg }
        return parameters
    }

    // MARK: - Ingest and query

    @Test func ingestedPointsComeBackWithEveryAggregation() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let other = try server.enroll()
        let base = Self.recentMinute()
        func at(_ seconds: Double) -> Date { base.addingTimeInterval(seconds) }
        let answer = try Self.send(server, device.token, [
            Self.point("cpu_usage", at(0), 1, labels: ["cpu": "0"]),
            Self.point("cpu_usage", at(10), 3, labels: ["cpu": "0"]),
            Self.point("cpu_usage", at(20), 5, labels: ["cpu": "0"]),
            Self.point("cpu_usage", at(60), 10, labels: ["cpu": "0"]),
            Self.point("cpu_usage", at(70), 20, labels: ["cpu": "0"]),
            Self.point("cpu_usage", at(5), 100, labels: ["cpu": "1"]),
            Self.point("mem_bytes", at(5), 7),
            Self.point("cpu_usage", at(500), 1000, labels: ["cpu": "0"]),  // after `to`
        ])
        #expect(answer.status == 200, "\(answer)")
        #expect(answer.json == ["accepted": 8, "dropped": 0, "duplicate": false])
        #expect(try Self.send(server, other.token, [Self.point("cpu_usage", at(10), 999, labels: ["cpu": "0"])]).status == 200)

        let expected: [String: ([Double], [Double])] = [
            "avg": ([3, 15], [100]), "min": ([1, 10], [100]), "max": ([5, 20], [100]),
            "sum": ([9, 30], [100]), "last": ([5, 20], [100]),
        ]
        for (agg, (cpu0, cpu1)) in expected {
            let series = try Self.query(server, Self.window(device.id, "cpu_usage", from: base, to: at(119), step: 60, agg: agg))
            try #require(series.count == 2, "agg=\(agg): one series per label set: \(series)")
            #expect(series[0]["labels"] == ["cpu": "0"])
            #expect(series[1]["labels"] == ["cpu": "1"])
            #expect(series[0]["device_id"]?.stringValue == device.id)
            #expect(series[0]["metric"] == "cpu_usage")
            #expect(Self.values(series[0]) == cpu0, "agg=\(agg) cpu 0")
            #expect(Self.values(series[1]) == cpu1, "agg=\(agg) cpu 1")
            #expect(Self.points(series[0]).map(\.0) == [base.timeIntervalSince1970, base.timeIntervalSince1970 + 60],
                    "buckets are labelled by their start")
        }
        let avg = try Self.query(server, Self.window(device.id, "cpu_usage", from: base, to: at(119), step: 60))
        #expect(avg.map(Self.values) == [[3, 15], [100]], "agg defaults to avg")

        var selected = Self.window(device.id, "cpu_usage", from: base, to: at(119), step: 60, agg: "max")
        selected["labels"] = "cpu in (1, 7)"
        let onlyCPU1 = try Self.query(server, selected)
        #expect(onlyCPU1.count == 1)
        #expect(onlyCPU1.first?["labels"] == ["cpu": "1"])
        selected["labels"] = "cpu!=1"
        #expect(try Self.query(server, selected).map { $0["labels"] } == [["cpu": "0"]])
        selected["labels"] = "!cpu"
        #expect(try Self.query(server, selected).isEmpty)

        let memory = try Self.query(server, Self.window(device.id, "mem_bytes", from: base, to: at(119), step: 60))
        #expect(memory.count == 1)
        #expect(memory.first?["labels"] == [:], "points without labels form the series with no labels")
        #expect(memory.first.map(Self.values) == [7])

        let theirs = try Self.query(server, Self.window(other.id, "cpu_usage", from: base, to: at(119), step: 60, agg: "sum"))
        #expect(theirs.map(Self.values) == [[999]], "one device's points never mix with another's")

        // Without from/to the last hour is shown, with a step that keeps it to about 300 buckets.
        let defaulted = try Self.query(server, ["device_id": device.id, "metric": "cpu_usage", "agg": "sum"])
        #expect(defaulted.map { Self.values($0).reduce(0, +) } == [1039, 100])
    }

    @Test func rateCountsIncreasesAcrossCounterResets() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let base = Self.recentMinute()
        func at(_ seconds: Double) -> Date { base.addingTimeInterval(seconds) }
        let counter: [(Double, Double)] = [(0, 100), (10, 110), (20, 130), (30, 5), (40, 25), (60, 45), (70, 65)]
        let answer = try Self.send(server, device.token, counter.map { Self.point("packets_total", at($0.0), $0.1, labels: ["iface": "eth0"]) })
        #expect(answer.json["accepted"] == 7, "\(answer)")

        let series = try Self.query(server, Self.window(device.id, "packets_total", from: base, to: at(119), step: 60, agg: "rate"))
        try #require(series.count == 1, "\(series)")
        // First bucket: +10, +20, reset to 5 (counts 5), +20 = 55 over 60 s; second: +20, +20 = 40 over 60 s.
        let rates = Self.values(series[0])
        try #require(rates.count == 2, "\(series)")
        #expect(abs(rates[0] - 55.0 / 60) < 1e-9)
        #expect(abs(rates[1] - 40.0 / 60) < 1e-9)

        // A range starting mid-series still sees the sample before it: at +30 the reset (5), at +40 +20.
        let later = try Self.query(server, Self.window(device.id, "packets_total", from: at(30), to: at(59), step: 60, agg: "rate"))
        #expect(later.map(Self.values) == [[25.0 / 60]])
    }

    @Test func duplicateBatchIsANoOp() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let other = try server.enroll()
        let base = Self.recentMinute()
        let points = (0..<5).map { Self.point("events_total", base.addingTimeInterval(Double($0)), 1) }
        let first = try Self.send(server, device.token, batch: "batch-1", points)
        #expect(first.status == 200)
        #expect(first.json == ["accepted": 5, "dropped": 0, "duplicate": false])
        let again = try Self.send(server, device.token, batch: "batch-1", points)
        #expect(again.status == 200, "\(again)")
        #expect(again.json == ["accepted": 0, "dropped": 0, "duplicate": true])
        // Even a retry with different content is the same batch: the id decides.
        let altered = try Self.send(server, device.token, batch: "batch-1", [Self.point("events_total", base, 50)])
        #expect(altered.json["duplicate"] == true)

        let sums = try Self.query(server, Self.window(device.id, "events_total", from: base, to: base.addingTimeInterval(59), step: 60, agg: "sum"))
        #expect(sums.map(Self.values) == [[5]], "no doubled values")

        let elsewhere = try Self.send(server, other.token, batch: "batch-1", points)
        #expect(elsewhere.json["duplicate"] == false, "batch ids are per device")
    }

    @Test func concurrentBatchesAllLand() async throws {
        let server = try TestServer()
        let device = try server.enroll()
        // A day with no partition yet, so the four requests also race to create it.
        let day = Date().addingTimeInterval(-5 * 86_400)
        let start = TelemetryPartition(containing: day).start
        let calls = (0..<4).map { batch in
            BackgroundCall {
                try Self.send(server, device.token, batch: "parallel-\(batch)", (0..<1000).map { index in
                    Self.point("samples", start.addingTimeInterval(Double(batch * 1000 + index)), 1)
                })
            }
        }
        var accepted: Int64 = 0
        for call in calls {
            let answer = try await call.value()
            #expect(answer.status == 200, "\(answer)")
            accepted += answer.json["accepted"]?.int64Value ?? 0
        }
        #expect(accepted == 4000)

        // The same batch sent twice at once is stored once.
        let twins = (0..<2).map { _ in
            BackgroundCall { try Self.send(server, device.token, batch: "twin", [Self.point("samples", start.addingTimeInterval(5000), 1)]) }
        }
        var duplicates: [Bool] = []
        for call in twins { duplicates.append(try await call.value().json["duplicate"]?.boolValue ?? false) }
        #expect(duplicates.sorted { !$0 && $1 } == [false, true], "exactly one of two simultaneous copies is stored")

        let sums = try Self.query(server, Self.window(device.id, "samples", from: start, to: start.addingTimeInterval(86_399), step: 86_400, agg: "sum"))
        #expect(sums.map(Self.values) == [[4001]])
    }

    // MARK: - Validation and access

    @Test func invalidBatchesAre400() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let now = Date()
        let good = Self.point("ok_metric", now, 1)
        func expectRejected(_ body: JSON, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let answer = try server.call("POST", "/v1/executor/telemetry", token: device.token, json: body)
            expectProblem(answer, 400, what, sourceLocation: sourceLocation)
        }
        func withPoint(_ point: JSON) -> JSON { ["batch_id": "b", "points": .array([good, point])] }

        try expectRejected(["batch_id": "b", "points": [good], "device_id": .string(device.id)], "unknown top-level field")
        try expectRejected(withPoint(["metric": "m", "ts": .string(Timestamp.format(now)), "value": 1, "unit": "s"]), "unknown point field")
        try expectRejected(["points": [good]], "missing batch_id")
        try expectRejected(["batch_id": "", "points": [good]], "empty batch_id")
        try expectRejected(["batch_id": .string(String(repeating: "b", count: 129)), "points": [good]], "batch_id too long")
        try expectRejected(["batch_id": "b"], "missing points")
        try expectRejected(["batch_id": "b", "points": []], "no points")
        try expectRejected(["batch_id": "b", "points": "many"], "points not an array")
        try expectRejected(["batch_id": "b", "points": [1]], "point not an object")
        try expectRejected(["batch_id": "b", "points": .array(Array(repeating: good, count: 10_001))], "too many points")
        for ts in ["yesterday", "2026-11-29 07:00:00", "2026-02-30T00:00:00Z", "1700000000"] {
            try expectRejected(withPoint(["metric": "m", "ts": .string(ts), "value": 1]), "bad ts \(ts)")
        }
        try expectRejected(withPoint(Self.point("m", now.addingTimeInterval(7200), 1)), "ts two hours ahead")
        try expectRejected(withPoint(["metric": "m", "value": 1]), "missing ts")
        for metric in ["", "1st", "has-dash", "has space", "ünïcode", String(repeating: "m", count: 201)] {
            try expectRejected(withPoint(Self.point(metric, now, 1)), "bad metric name \(metric.prefix(20))")
        }
        try expectRejected(withPoint(["metric": "m", "ts": .string(Timestamp.format(now)), "value": "1.5"]), "value as a string")
        try expectRejected(withPoint(["metric": "m", "ts": .string(Timestamp.format(now)), "value": nil]), "null value")
        try expectRejected(withPoint(["metric": "m", "ts": .string(Timestamp.format(now)), "value": 1, "labels": ["k": 1]]), "label value not a string")
        try expectRejected(withPoint(Self.point("m", now, 1, labels: ["bad key!": "v"])), "bad label key")
        try expectRejected(withPoint(Self.point("m", now, 1, labels: ["k": String(repeating: "v", count: 257)])), "label value too long")
        let manyLabels = Dictionary(uniqueKeysWithValues: (0..<33).map { ("k\($0)", "v") })
        try expectRejected(withPoint(Self.point("m", now, 1, labels: manyLabels)), "too many labels")
        for raw in ["{\"batch_id\": \"b\", \"points\": [{\"metric\": \"m\", \"ts\": \"\(Timestamp.format(now))\", \"value\": NaN}]}",
                    "{\"batch_id\": \"b\", \"points\": [{\"metric\": \"m\", \"ts\": \"\(Timestamp.format(now))\", \"value\": Infinity}]}",
                    "{\"batch_id\": \"b\", \"points\": [{\"metric\": \"m\", \"ts\": \"\(Timestamp.format(now))\", \"value\": 1e999}]}"] {
            let answer = try server.call("POST", "/v1/executor/telemetry", token: device.token, raw: Array(raw.utf8),
                                         headers: [("Content-Type", "application/json")])
            expectProblem(answer, 400, "a value JSON cannot carry: \(raw.suffix(12))")
        }
        let query = try Self.query(server, ["device_id": device.id, "metric": "ok_metric"])
        #expect(query.isEmpty, "a rejected batch stores nothing, not even its valid points")
        let retried = try Self.send(server, device.token, batch: "b", [good])
        #expect(retried.json["duplicate"] == false, "a rejected batch does not use up its id")
    }

    @Test func pointsOlderThanTheRetentionWindowAreDropped() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let now = Date()
        let answer = try Self.send(server, device.token, [
            Self.point("temp", now.addingTimeInterval(-8 * 86_400), 1),
            Self.point("temp", now.addingTimeInterval(-60), 2),
        ])
        #expect(answer.status == 200)
        #expect(answer.json == ["accepted": 1, "dropped": 1, "duplicate": false])
        let allOld = try Self.send(server, device.token, batch: "old", [Self.point("temp", now.addingTimeInterval(-30 * 86_400), 1)])
        #expect(allOld.json == ["accepted": 0, "dropped": 1, "duplicate": false])
        #expect(try Self.send(server, device.token, batch: "old", [Self.point("temp", now, 1)]).json["duplicate"] == true,
                "a batch whose points were all dropped still counts as received")
    }

    @Test func devicesWriteOnlyAsThemselves() throws {
        let server = try TestServer()
        let a = try server.enroll()
        let b = try server.enroll()
        let now = Date()
        let fromB = try Self.send(server, b.token, [Self.point("uptime_seconds", now, 42)])
        #expect(fromB.status == 200)
        let claimingA = try server.call("POST", "/v1/executor/telemetry", token: b.token,
                                        json: ["batch_id": "x", "device_id": .string(a.id), "points": [Self.point("uptime_seconds", now, 1)]])
        expectProblem(claimingA, 400, "a device naming another device in the body")
        #expect(try Self.query(server, ["device_id": a.id, "metric": "uptime_seconds"]).isEmpty, "nothing was written as A")
        #expect(try Self.query(server, ["device_id": b.id, "metric": "uptime_seconds", "agg": "last"]).map(Self.values) == [[42]])
    }

    @Test func whoMayWriteAndRead() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let pending = try server.enroll(autoApprove: false)
        try #require(pending.status == "pending")
        let viewer = try server.createToken(role: "viewer")
        let operatorToken = try server.createToken(role: "operator")
        let point = Self.point("m", Date(), 1)
        let readPath = "/v1/telemetry?device_id=\(device.id)&metric=m"

        expectProblem(try Self.send(server, pending.token, [point]), 403, "pending device ingesting")
        for person in [viewer, operatorToken, server.adminToken] {
            expectProblem(try Self.send(server, person, [point]), 403, "a person's token ingesting")
        }
        expectProblem(try server.call("POST", "/v1/executor/telemetry", json: ["batch_id": "b", "points": [point]]), 401, "no token ingesting")
        #expect(try Self.send(server, device.token, [point]).status == 200)

        for person in [viewer, operatorToken, server.adminToken] {
            let answer = try server.call("GET", readPath, token: person)
            #expect(answer.status == 200, "\(answer)")
            #expect(answer.json["series"]?.arrayValue?.count == 1)
        }
        expectProblem(try server.call("GET", readPath, token: device.token), 403, "a device token reading telemetry")
        expectProblem(try server.call("GET", readPath), 401, "no token reading telemetry")

        let approved = try server.call("POST", "/v1/devices/\(pending.id)/approve", token: server.adminToken)
        #expect(approved.status == 200)
        #expect(try Self.send(server, pending.token, [point]).status == 200, "once approved the device may ingest")
    }

    @Test func badQueriesAre400() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let now = Date()
        func expectBad(_ parameters: [String: String], _ what: String, status: Int = 400, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let answer = try server.call("GET", "/v1/telemetry?" + Self.queryString(parameters), token: server.adminToken)
            expectProblem(answer, status, what, sourceLocation: sourceLocation)
        }
        let valid = ["device_id": device.id, "metric": "m"]
        func with(_ key: String, _ value: String?) -> [String: String] {
            var parameters = valid
            parameters[key] = value
            return parameters
        }
        try expectBad(with("device_id", nil), "missing device_id")
        try expectBad(with("device_id", "not-a-uuid"), "device_id not a UUID")
        try expectBad(with("metric", nil), "missing metric")
        try expectBad(with("metric", "bad-name"), "bad metric name")
        try expectBad(with("from", "an hour ago"), "from not RFC 3339")
        try expectBad(with("to", "2026-13-01T00:00:00Z"), "to not a date")
        var reversed = valid
        reversed["from"] = Timestamp.format(now)
        reversed["to"] = Timestamp.format(now.addingTimeInterval(-60))
        try expectBad(reversed, "from after to")
        for step in ["0", "9", "86401", "ten", "1.5"] { try expectBad(with("step", step), "step \(step)") }
        var wide = with("step", "10")
        wide["from"] = Timestamp.format(now.addingTimeInterval(-30 * 86_400))
        try expectBad(wide, "far too many buckets")
        wide["step"] = nil
        wide["from"] = "0001-01-01T00:00:00Z"
        try expectBad(wide, "too many buckets even at the largest default step")
        for agg in ["median", "AVG", "p99"] { try expectBad(with("agg", agg), "agg \(agg)") }
        try expectBad(with("labels", "cpu in (0"), "malformed label selector")
        try expectBad(["device_id": UUID().uuidString, "metric": "m"], "unknown device", status: 404)

        var edge = with("step", "10")
        edge["from"] = Timestamp.format(now.addingTimeInterval(-99_980))
        edge["to"] = Timestamp.format(now)
        #expect(try server.call("GET", "/v1/telemetry?" + Self.queryString(edge), token: server.adminToken).status == 200,
                "10,000 buckets are fine")
    }

    // MARK: - Partitions and retention

    @Test func partitionsAreMadeOnDemandAndDroppedByRetention() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let now = Date()
        let days: [Double] = [-4, -1, 0]
        let answer = try Self.send(server, device.token, days.map { Self.point("disk_free", now.addingTimeInterval($0 * 86_400), $0) })
        #expect(answer.json == ["accepted": 3, "dropped": 0, "duplicate": false], "\(answer)")

        let pool = PostgresPool(conninfo: server.conninfo, size: 2)
        defer { pool.close() }
        let store = TelemetryStore(pool: pool, retentionDays: 2)
        let existing = try pool.withConnection { try store.existingPartitions(on: $0) }
        for offset in days {
            #expect(existing.contains(TelemetryPartition(containing: now.addingTimeInterval(offset * 86_400))),
                    "the partition for day \(offset) was created at ingest")
        }

        // A store with a two-day window drops the partition of four days ago, keeps yesterday's and today's.
        let report = try #require(try store.maintain(now: now, force: true))
        let old = TelemetryPartition(containing: now.addingTimeInterval(-4 * 86_400))
        #expect(report.dropped == [old])
        #expect(try store.maintain(now: now) == nil, "not again within a minute")
        let after = try pool.withConnection { try store.existingPartitions(on: $0) }
        let today = TelemetryPartition(containing: now)
        for day in today.day...(today.day + 2) {
            #expect(after.contains(TelemetryPartition(day: day)), "today and the two days after are ready")
        }
        #expect(!after.contains(old))
        #expect(after.contains(TelemetryPartition(containing: now.addingTimeInterval(-86_400))))

        let series = try Self.query(server, Self.window(device.id, "disk_free", from: now.addingTimeInterval(-5 * 86_400), to: now,
                                                         step: 86_400, agg: "sum"))
        #expect(series.map(Self.values) == [[-1, 0]], "data older than the window is gone, the rest remains")

        // Batch ids are forgotten a day after the window; a fresh one is still known.
        try pool.query("UPDATE telemetry_batches SET received_at = now() - interval '4 days'")
        #expect(try store.maintain(now: now, force: true)?.prunedBatches == 1)
    }

    // MARK: - Pure parts

    @Test func partitionNamesRoundTrip() throws {
        let day = try #require(Timestamp.parse("2026-11-29T13:45:00Z"))
        let partition = TelemetryPartition(containing: day)
        #expect(partition.name == "telemetry_20261129")
        #expect(TelemetryPartition(name: "telemetry_20261129") == partition)
        #expect(partition.start == Timestamp.parse("2026-11-29T00:00:00Z"))
        #expect(partition.end == Timestamp.parse("2026-11-30T00:00:00Z"))
        #expect(partition.createStatement == "CREATE TABLE IF NOT EXISTS telemetry_20261129 PARTITION OF telemetry "
            + "FOR VALUES FROM ('2026-11-29 00:00:00+00') TO ('2026-11-30 00:00:00+00')")
        #expect(TelemetryPartition(containing: Timestamp.parse("1969-12-31T23:59:59Z")!).name == "telemetry_19691231")
        for name in ["telemetry_2026112", "telemetry_20261131", "telemetry_2026-11-2", "telemetry_20261129; DROP TABLE x", "devices", "telemetry_batches"] {
            #expect(TelemetryPartition(name: name) == nil, "\(name)")
        }
        #expect(partition.isEntirelyBefore(Timestamp.parse("2026-11-30T00:00:00Z")!))
        #expect(!partition.isEntirelyBefore(Timestamp.parse("2026-11-29T23:59:59Z")!))
    }

    @Test func queryDefaultsKeepAboutThreeHundredBuckets() throws {
        let now = try #require(Timestamp.parse("2026-11-29T12:00:00Z"))
        let device = DeviceID.random()
        let defaults = try TelemetryQuery(["device_id": device.description, "metric": "m"], now: now)
        #expect(defaults.to == now)
        #expect(defaults.from == now.addingTimeInterval(-3600))
        #expect(defaults.step == 12)
        #expect(defaults.aggregation == .avg)
        #expect(defaults.selector.requirements.isEmpty)
        let day = try TelemetryQuery(["device_id": device.description, "metric": "m", "from": "2026-11-28T12:00:00Z"], now: now)
        #expect(day.step == 288)
        #expect(TelemetryQuery.bucketCount(from: day.from, to: day.to, step: day.step) <= 301)
        let short = try TelemetryQuery(["device_id": device.description, "metric": "m", "from": "2026-11-29T11:59:00Z"], now: now)
        #expect(short.step == 10, "never below ten seconds")
        #expect(MetricName.isValid("node_cpu:rate5m"))
        #expect(MetricName.isValid("_private"))
        #expect(!MetricName.isValid("9lives"))
    }
}
