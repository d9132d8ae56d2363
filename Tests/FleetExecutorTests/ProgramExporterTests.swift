import Foundation
import FleetCore
import Testing
@testable import FleetExecutor

@Suite struct ProgramExporterTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func export(_ kind: ProgramManifest.MapKind, metric: String = "m", keyLabel: String = "key", fields: [String] = []) -> ProgramManifest.MapExport {
        ProgramManifest.MapExport(name: "map", kind: kind, metric: metric, keyLabel: keyLabel, fields: fields)
    }

    func series(_ points: [TelemetryPoint]) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: points.map { point in
            (point.metric + "{" + point.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}", point.value)
        })
    }

    @Test func oneElementCounterIsOneSeries() {
        let points = ProgramExporter.points(for: export(.counter, metric: "syscalls_total"), reading: .entries([0: [1234]]),
                                            singleSeries: true, program: "sys", now: now)
        #expect(series(points) == ["syscalls_total{program=sys}": 1234])
        #expect(points.allSatisfy { $0.timestamp == now })
        let empty = ProgramExporter.points(for: export(.counter), reading: .entries([:]), singleSeries: true, program: "sys", now: now)
        #expect(series(empty) == ["m{program=sys}": 0], "a counter reads as 0 before its first event")
    }

    @Test func largerArrayCounterIsOneSeriesPerIndex() {
        let points = ProgramExporter.points(for: export(.counter, keyLabel: "cpu"), reading: .entries([0: [5], 1: [7]]),
                                            singleSeries: false, program: "p", now: now)
        #expect(series(points) == ["m{cpu=0,program=p}": 5, "m{cpu=1,program=p}": 7])
    }

    @Test func hashCounterLabelsKeysAndFields() {
        let plain = ProgramExporter.points(for: export(.hashCounter, metric: "syscalls_by_id", keyLabel: "syscall_id"),
                                           reading: .entries([0: [3, 99], 257: [8, 99]]), singleSeries: false, program: "p", now: now)
        #expect(series(plain) == ["syscalls_by_id{program=p,syscall_id=0}": 3, "syscalls_by_id{program=p,syscall_id=257}": 8])

        let fielded = ProgramExporter.points(for: export(.hashCounter, metric: "xdp_packets", keyLabel: "proto", fields: ["packets", "bytes"]),
                                             reading: .entries([1: [4, 392]]), singleSeries: false, program: "x", now: now)
        #expect(series(fielded) == ["xdp_packets{field=packets,program=x,proto=1}": 4, "xdp_packets{field=bytes,program=x,proto=1}": 392])
    }

    @Test func log2HistogramIsCumulativeWithUpperBounds() {
        let points = ProgramExporter.points(for: export(.histogramLog2, metric: "runq_latency_us"),
                                            reading: .histogram([2, 0, 5, 1, 0, 0, 0]), singleSeries: false, program: "rq", now: now)
        #expect(series(points) == [
            "runq_latency_us_bucket{le=2,program=rq}": 2,
            "runq_latency_us_bucket{le=4,program=rq}": 2,
            "runq_latency_us_bucket{le=8,program=rq}": 7,
            "runq_latency_us_bucket{le=16,program=rq}": 8,
            "runq_latency_us_bucket{le=+Inf,program=rq}": 8,
            "runq_latency_us_count{program=rq}": 8,
        ])
    }

    @Test func rateLimiterAdmitsAtMostTheRatePerSecond() {
        var limiter = EventRateLimiter(maxPerSecond: 3)
        let first = (0..<5).map { limiter.admit(at: 100.1 + Double($0) * 0.1) }
        #expect(first == [true, true, true, false, false])
        let nextSecond = limiter.admit(at: 101.0)
        #expect(nextSecond, "a new second opens a new window")
    }

    @Test func eventLayoutFollowsCAlignment() throws {
        let exec = try EventLayout(parsing: "u32 pid, u32 ppid, u64 timestamp_ns, char comm[16], char filename[256]")
        #expect(exec.fields.map(\.offset) == [0, 4, 8, 16, 32])
        #expect(exec.size == 288)
        let padded = try EventLayout(parsing: "u8 flag, u32 count, s16 delta, u64 when")
        #expect(padded.fields.map(\.offset) == [0, 4, 8, 16])

        var record = [UInt8](repeating: 0, count: 24)
        record[0] = 1
        record[4] = 0x2a
        record[8] = 0xfe; record[9] = 0xff  // -2
        record[16] = 0x10
        #expect(padded.decode(record) == ["flag": "1", "count": "42", "delta": "-2", "when": "16"])
        #expect(padded.decode(Array(record.prefix(10))) == ["flag": "1", "count": "42", "delta": "-2"], "fields past a short record are left out")
    }

    @Test func eventLayoutDecodesStrings() throws {
        let layout = try EventLayout(parsing: "u32 pid, char comm[8], u8 mac[3]")
        let record: [UInt8] = [7, 0, 0, 0] + Array("bash".utf8) + [0, 0x41, 0x41, 0x41] + [0xde, 0xad, 0x01]
        #expect(layout.decode(record) == ["pid": "7", "comm": "bash", "mac": "dead01"])
    }

    @Test func badLayoutsAreRefused() {
        for text in ["", "u32", "float x", "u32 program", "u32 a, u32 a", "u32 x[2]", "char s[0]", "u24 odd"] {
            #expect(throws: EventLayout.Invalid.self, "\(text)") { try EventLayout(parsing: text) }
        }
    }
}
