import Foundation
import Testing
import FleetJSON
@testable import FleetCore

@Suite struct RolloutGateStatisticsTests {
    @Test func percentilesAreNearestRank() {
        // The classic example: ranks ceil(p / 100 * 5).
        let values: [Double] = [35, 20, 15, 50, 40]
        #expect(GateStatistics.percentile(30, of: values) == 20)
        #expect(GateStatistics.percentile(40, of: values) == 20)
        #expect(GateStatistics.percentile(50, of: values) == 35)
        #expect(GateStatistics.percentile(95, of: values) == 50)
        #expect(GateStatistics.percentile(100, of: values) == 50)
        let twenty = (1...20).map(Double.init)
        #expect(GateStatistics.percentile(50, of: twenty) == 10)
        #expect(GateStatistics.percentile(95, of: twenty) == 19)
        #expect(GateStatistics.percentile(99, of: twenty) == 20)
        let hundred = (1...100).reversed().map(Double.init)
        #expect(GateStatistics.percentile(50, of: hundred) == 50)
        #expect(GateStatistics.percentile(95, of: hundred) == 95)
        #expect(GateStatistics.percentile(99, of: hundred) == 99)
        #expect(GateStatistics.percentile(1, of: [7]) == 7)
        #expect(GateStatistics.percentile(95, of: []) == nil)
    }

    @Test func meanAndMaximumPoolEveryDevicesPoints() {
        let series = [RolloutFixture.series(1, [10, 20, 30]), RolloutFixture.series(2, [100]), RolloutFixture.series(3, [])]
        #expect(GateStatistics.measure(.avg, over: series) == .init(value: 40, devices: 2, points: 4))
        #expect(GateStatistics.measure(.max, over: series) == .init(value: 100, devices: 2, points: 4))
        #expect(GateStatistics.measure(.p50, over: series) == .init(value: 20, devices: 2, points: 4))
        #expect(GateStatistics.measure(.p99, over: series).value == 100)
        #expect(GateStatistics.measure(.avg, over: []) == .init(value: nil, devices: 0, points: 0))
    }

    @Test func aCounterRateCountsTheValueAfterAResetAsIncrease() {
        // +50, +10, reset to 10 (+10), +30: 100 over 40 s.
        let points = RolloutFixture.series(1, [100, 150, 160, 10, 40]).points
        #expect(GateStatistics.rate(of: points) == 2.5)
        #expect(GateStatistics.rate(of: points.reversed()) == 2.5, "points are put in time order first")
        #expect(GateStatistics.rate(of: Array(points.prefix(1))) == nil)
        #expect(GateStatistics.rate(of: [points[0], GateSeries.Point(at: points[0].at, value: 200)]) == nil)
        #expect(GateStatistics.rate(of: RolloutFixture.series(1, [5, 5, 5]).points) == 0)
    }

    @Test func aBatchRateIsTheMeanOfDeviceRatesEachTheSumOfItsSeries() {
        let series = [
            RolloutFixture.series(1, [0, 10]),            // 1/s
            RolloutFixture.series(1, [0, 20, 40]),        // 2/s, a second label set of the same device
            RolloutFixture.series(2, [0, 10, 20, 30]),    // 1/s
            RolloutFixture.series(3, [42]),               // one point: no rate, no device
        ]
        #expect(GateStatistics.measure(.rate, over: series) == .init(value: 2, devices: 2, points: 9))
    }
}

@Suite struct RolloutGateEvaluationTests {
    static func query(_ gate: RolloutGate, baseline: RolloutGate.Baseline = .before) -> GateQuery {
        let window = GateWindow(seconds: gate.windowSeconds, endingAt: RolloutFixture.at(600))
        return GateQuery(gate: gate, devices: RolloutFixture.devices(3), window: window,
                         baseline: .init(kind: baseline, devices: RolloutFixture.devices(3),
                                         window: GateWindow(seconds: gate.windowSeconds, endingAt: RolloutFixture.at(0))))
    }

    static func gate(max: Double? = nil, min: Double? = nil, maxIncrease: Double? = nil, minDevices: Int = 1, minPoints: Int = 1) -> RolloutGate {
        RolloutGate(name: "latency", metric: "inference_latency_ms", stat: .p95, max: max, min: min, maxIncrease: maxIncrease,
                    windowSeconds: 300, minDevices: minDevices, minPoints: minPoints)
    }

    static let after = [RolloutFixture.series(0, [100, 110, 120, 125]), RolloutFixture.series(1, [90, 95])]
    static let before = [RolloutFixture.series(0, [80, 90, 100]), RolloutFixture.series(1, [85])]

    @Test func anAbsoluteBoundPassesOrFails() {
        let pass = GateEvaluation.evaluate(Self.query(Self.gate(max: 125)), measured: Self.after, baseline: Self.before)
        #expect(pass.verdict == .pass)
        #expect(pass.measured == .init(value: 125, devices: 2, points: 6))
        #expect(pass.baseline == .init(value: 100, devices: 2, points: 4), "the baseline is recorded even when unused")
        #expect(pass.upperBound == 125 && pass.lowerBound == nil)
        let fail = GateEvaluation.evaluate(Self.query(Self.gate(max: 120)), measured: Self.after, baseline: Self.before)
        #expect(fail.verdict == .fail)
        #expect(fail.reason == "p95 of inference_latency_ms 125 is above 120")
        let low = GateEvaluation.evaluate(Self.query(Self.gate(min: 130)), measured: Self.after, baseline: Self.before)
        #expect(low.verdict == .fail && low.lowerBound == 130 && low.reason == "p95 of inference_latency_ms 125 is below 130")
    }

    @Test func maxIncreaseIsRelativeToTheBaseline() {
        // Baseline p95 100; 20 % more allows 120; the batch measures 125.
        let fail = GateEvaluation.evaluate(Self.query(Self.gate(maxIncrease: 0.2)), measured: Self.after, baseline: Self.before)
        #expect(fail.verdict == .fail)
        #expect(fail.upperBound == 120)
        #expect(fail.reason == "p95 of inference_latency_ms 125 is above 120 (baseline 100 + 20 %)")
        let pass = GateEvaluation.evaluate(Self.query(Self.gate(maxIncrease: 0.25)), measured: Self.after, baseline: Self.before)
        #expect(pass.verdict == .pass && pass.upperBound == 125)
        // The tighter of max and the relative bound applies.
        let tighter = GateEvaluation.evaluate(Self.query(Self.gate(max: 110, maxIncrease: 0.5)), measured: Self.after, baseline: Self.before)
        #expect(tighter.upperBound == 110 && tighter.verdict == .fail)
        #expect(tighter.reason == "p95 of inference_latency_ms 125 is above 110")
    }

    @Test func aNegativeBaselineIsRaisedByItsMagnitude() {
        let gate = RolloutGate(name: "margin", metric: "score", stat: .avg, maxIncrease: 0.5, windowSeconds: 60)
        let evaluation = GateEvaluation.evaluate(Self.query(gate), measured: [RolloutFixture.series(0, [-6])],
                                                 baseline: [RolloutFixture.series(0, [-10])])
        #expect(evaluation.upperBound == -5 && evaluation.verdict == .pass)
        let worse = GateEvaluation.evaluate(Self.query(gate), measured: [RolloutFixture.series(0, [-4])], baseline: [RolloutFixture.series(0, [-10])])
        #expect(worse.verdict == .fail)
    }

    @Test func tooFewDevicesOrPointsAreInconclusiveNeverAPass() {
        let devices = GateEvaluation.evaluate(Self.query(Self.gate(max: 1000, minDevices: 3)), measured: Self.after, baseline: Self.before)
        #expect(devices.verdict == .inconclusive)
        #expect(devices.reason == "too little data in the window: 2 devices with 6 points; the gate needs at least 3 devices and 1 point")
        let points = GateEvaluation.evaluate(Self.query(Self.gate(max: 1000, minPoints: 7)), measured: Self.after, baseline: Self.before)
        #expect(points.verdict == .inconclusive)
        // A device offline for the whole window has no points and does not count.
        let offline = Self.after + [GateSeries(device: RolloutFixture.device(2), points: [])]
        #expect(GateEvaluation.evaluate(Self.query(Self.gate(max: 1000, minDevices: 3)), measured: offline, baseline: []).verdict == .inconclusive)
        #expect(GateEvaluation.evaluate(Self.query(Self.gate(max: 1000)), measured: [], baseline: []).verdict == .inconclusive)
    }

    @Test func aRelativeGateNeedsEnoughBaselineAndAnAbsoluteOneDoesNot() {
        let relative = GateEvaluation.evaluate(Self.query(Self.gate(maxIncrease: 0.2, minDevices: 2)), measured: Self.after,
                                               baseline: [RolloutFixture.series(0, [80])])
        #expect(relative.verdict == .inconclusive)
        #expect(relative.reason.hasPrefix("too little baseline data (before): 1 device with 1 point"))
        let absolute = GateEvaluation.evaluate(Self.query(Self.gate(max: 1000)), measured: Self.after, baseline: [])
        #expect(absolute.verdict == .pass && absolute.baseline == .init(value: nil, devices: 0, points: 0))
    }

    @Test func anEvaluationReadsBackEqual() throws {
        let evaluation = GateEvaluation.evaluate(Self.query(Self.gate(maxIncrease: 0.2), baseline: .notUpdated),
                                                 measured: Self.after, baseline: Self.before)
        #expect(evaluation.baselineKind == .notUpdated)
        #expect(try GateEvaluation(json: JSON.parse(evaluation.json.serialized()), path: "") == evaluation)
        let empty = GateEvaluation.evaluate(Self.query(Self.gate(max: 1)), measured: [], baseline: [])
        #expect(try GateEvaluation(json: empty.json, path: "") == empty)
    }
}
