import Foundation
import Testing
import FleetCore
import FleetJSON
@testable import FleetClient

@Suite struct TelemetryTests {
    static let device = DeviceID(rawValue: UUID(uuidString: "0B5F6C1E-8D1A-4F5E-9C2B-3A4D5E6F7A8B")!)
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func querySendsEveryGivenParameterAndDecodesSeries() throws {
        let answer: JSON = ["series": [[
            "device_id": "0b5f6c1e-8d1a-4f5e-9c2b-3a4d5e6f7a8b", "metric": "syscalls_total", "labels": ["cpu": "0"],
            "points": [["2027-01-15T08:00:00.000000Z", 1.5], ["2027-01-15T08:00:30.000000Z", nil]],
        ]], "agg": "rate", "step": 30, "from": "2027-01-15T08:00:00.000000Z", "to": "2027-01-15T08:10:00.000000Z", "kind": "counter"]
        let transport = RecordingTransport([.json(200, answer.serialized())])
        let client = FleetClient(configuration: ClientConfiguration(server: "http://fleet.test", token: BearerToken("fla_t")), transport: transport)
        let query = MetricQuery(device: Self.device, metric: "syscalls_total", from: Self.start, to: Self.start.addingTimeInterval(600),
                                stepSeconds: 30, aggregation: .rate, labels: try LabelSelector(parsing: "cpu in (0,1)"))
        let result = try client.telemetry(query)
        #expect(transport.requests.first?.url == "http://fleet.test/v1/telemetry?device_id=0b5f6c1e-8d1a-4f5e-9c2b-3a4d5e6f7a8b"
            + "&metric=syscalls_total&from=2027-01-15T08%3A00%3A00.000000Z&to=2027-01-15T08%3A10%3A00.000000Z&step=30&agg=rate"
            + "&labels=cpu%20in%20%280%2C1%29")
        let series = try #require(result.series.first)
        #expect(series.labels == ["cpu": "0"])
        #expect(series.points == [MetricPoint(time: Self.start, value: 1.5), MetricPoint(time: Self.start.addingTimeInterval(30), value: nil)])
        #expect(series.title == #"syscalls_total{cpu="0"}"#)
        #expect(result.aggregation == .rate && result.stepSeconds == 30 && result.kind == "counter")
        #expect(result.from == Self.start && result.to == Self.start.addingTimeInterval(600))
        #expect(result.json == answer)
    }

    @Test func malformedPointIsAnInvalidResponse() throws {
        let answer: JSON = ["series": [["device_id": "0b5f6c1e-8d1a-4f5e-9c2b-3a4d5e6f7a8b", "metric": "m", "labels": [:], "points": [["yesterday", 1]]]],
                            "agg": "avg", "step": 10, "from": "2027-01-15T08:00:00Z", "to": "2027-01-15T09:00:00Z", "kind": nil]
        let transport = RecordingTransport([.json(200, answer.serialized())])
        let client = FleetClient(configuration: ClientConfiguration(server: "http://fleet.test", token: nil), transport: transport)
        let error = try #require(throws: FleetClientError.self) { try client.telemetry(MetricQuery(device: Self.device, metric: "m")) }
        #expect(error.kind == .invalidResponse)
        #expect(error.detail.contains("series[0].points[0]"))
    }

    static func result(_ series: [MetricSeries], _ aggregation: MetricAggregation) -> MetricQueryResult {
        MetricQueryResult(series: series, aggregation: aggregation, stepSeconds: 10, from: start, to: start.addingTimeInterval(60))
    }

    @Test func pointsTableShowsTimesWithoutZeroFractionsAndNullValues() {
        let series = MetricSeries(device: Self.device, metric: "m", labels: [:], points: [
            MetricPoint(time: Self.start, value: 2), MetricPoint(time: Self.start.addingTimeInterval(0.5), value: nil),
        ])
        #expect(Table.renderSeries(Self.result([series], .max)) == """
            m
            TIME                          MAX
            2027-01-15T08:00:00Z            2
            2027-01-15T08:00:00.500000Z     -

            """)
    }

    @Test func aColumnOfValuesHasOneFormatWithThousandsAndItsUnitInTheHeader() {
        let values: [Double] = [21898, 61_300.25, 263_527, 5]
        let series = MetricSeries(device: Self.device, metric: "syscalls_total", labels: [:], points: values.enumerated().map {
            MetricPoint(time: Self.start.addingTimeInterval(Double($0.offset) * 10), value: $0.element)
        })
        #expect(Table.renderSeries(Self.result([series], .rate)) == """
            syscalls_total
            TIME                   RATE (/s)
            2027-01-15T08:00:00Z      21,898
            2027-01-15T08:00:10Z      61,300
            2027-01-15T08:00:20Z     263,527
            2027-01-15T08:00:30Z           5

            """)
        let memory = NumberColumn([3_000_000, 12_500_000, nil], unit: NumberColumn.unit(ofMetric: "executor_rss_bytes"))
        #expect(memory.unitLabel == "MiB")
        #expect(memory.cells == [" 2.86", "11.92", "    -"], "four significant digits of the largest value")
        let small = NumberColumn([0.0123, 0.5, 0.25], unit: NumberColumn.unit(ofMetric: "inference_latency_ms"))
        #expect(small.unitLabel == "ms")
        #expect(small.cells == ["0.0123", "0.5000", "0.2500"])
        #expect(NumberColumn([1_234_567.891, -2], unit: nil).cells == ["1,234,568", "       -2"])
        #expect(NumberColumn([1.5, 2], unit: .seconds, perSecond: true).unitLabel == "s/s")
        #expect(NumberColumn.unit(ofMetric: "executor_cpu_seconds_total") == .seconds)
        #expect(NumberColumn.unit(ofMetric: "runq_latency_us_bucket") == nil)
    }

    @Test func theAggregationNoteSaysWhatTheValuesAre() {
        #expect(Table.aggregationNote(Self.result([], .rate)) == "rate per second, 10s steps")
        #expect(Table.aggregationNote(Self.result([], .avg)) == "avg per 10s step")
    }

    @Test func timesAreTimestampsNowOrDurationsAgo() throws {
        let now = Self.start
        #expect(try TimeText.parse("now", now: now) == now)
        #expect(try TimeText.parse("10m", now: now) == now.addingTimeInterval(-600))
        #expect(try TimeText.parse("now-1h30m", now: now) == now.addingTimeInterval(-5400))
        #expect(try TimeText.parse("2027-01-15T07:00:00Z", now: now) == now.addingTimeInterval(-3600))
        #expect(throws: TimeText.ParseError(text: "yesterday")) { try TimeText.parse("yesterday", now: now) }
        #expect(throws: TimeText.ParseError.self) { try TimeText.parse("now-", now: now) }
    }

    @Test func stepDurationsAreWholeSeconds() throws {
        #expect(try DurationText.parseSeconds("30s") == 30)
        #expect(try DurationText.parseSeconds("5m") == 300)
        #expect(throws: DurationText.ParseError.self) { try DurationText.parseSeconds("1500ms") }
    }
}
