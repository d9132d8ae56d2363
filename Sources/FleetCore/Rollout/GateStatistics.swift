import FoundationEssentials

/// The statistics a gate reduces a window of many devices' telemetry to.
///
/// - `avg`, `max`, `p50`, `p95`, `p99` pool the points of every device: the p95 of a batch is the p95 of all
///   the latencies its devices measured, so a device that reports more often weighs more, as it served more.
/// - Percentiles are **nearest-rank**: the value at rank `ceil(p / 100 * n)` of the `n` sorted points. The
///   answer is always a value a device reported, and with few points the high percentiles are the maximum,
///   which errs towards stopping a rollout rather than letting a bad version through.
/// - `rate` is for counters: per series, the increase over the window divided by the time between its first
///   and last point, where a drop in value is a counter reset and the value after it counts as increase from
///   zero (as Prometheus's `rate` treats resets; unlike it, nothing is extrapolated to the window's edges). A
///   device's rate is the sum over its series; the batch's is the mean over devices, so that a batch of five
///   compares fairly with a baseline of five hundred.
public enum GateStatistics {
    /// One statistic over a set of series, with how much data it stands on.
    public struct Measurement: Sendable, Equatable {
        /// Nil when no device contributed a value.
        public var value: Double?
        /// Devices that contributed: with a point in the window, or for `rate` with a series of two points
        /// at different times. A device offline for the whole window contributes nothing.
        public var devices: Int
        /// Points the value stands on (for `rate`, those of the series that gave a rate).
        public var points: Int

        public init(value: Double?, devices: Int, points: Int) {
            self.value = value
            self.devices = devices
            self.points = points
        }
    }

    public static func measure(_ stat: RolloutGate.Statistic, over series: [GateSeries]) -> Measurement {
        if stat == .rate { return measureRate(series) }
        let values = series.flatMap { $0.points.map(\.value) }
        let devices = Set(series.lazy.filter { !$0.points.isEmpty }.map(\.device)).count
        let value: Double? = switch stat {
        case .avg: mean(values)
        case .max: values.max()
        case .p50: percentile(50, of: values)
        case .p95: percentile(95, of: values)
        case .p99: percentile(99, of: values)
        case .rate: nil
        }
        return Measurement(value: value, devices: devices, points: values.count)
    }

    /// The arithmetic mean; nil for no values.
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The nearest-rank percentile: the value at rank `ceil(p / 100 * n)` (at least 1) of the sorted values;
    /// nil for no values.
    /// - Parameter p: 1 to 100.
    public static func percentile(_ p: Int, of values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let rank = Swift.max(1, (p * values.count + 99) / 100)
        return values.sorted()[Swift.min(rank, values.count) - 1]
    }

    /// The per-second increase of one counter series, a drop being a reset; nil with fewer than two points
    /// or when they all carry one time.
    public static func rate(of points: [GateSeries.Point]) -> Double? {
        guard points.count >= 2 else { return nil }
        let sorted = points.sorted { $0.at < $1.at }
        let seconds = sorted[sorted.count - 1].at.timeIntervalSince(sorted[0].at)
        guard seconds > 0 else { return nil }
        var increase = 0.0
        for (previous, point) in zip(sorted, sorted.dropFirst()) {
            increase += point.value >= previous.value ? point.value - previous.value : point.value
        }
        return increase / seconds
    }

    private static func measureRate(_ series: [GateSeries]) -> Measurement {
        var perDevice: [DeviceID: Double] = [:]
        var points = 0
        for item in series {
            guard let rate = rate(of: item.points) else { continue }
            perDevice[item.device, default: 0] += rate
            points += item.points.count
        }
        // Summed in a fixed order, so that every replica computes the same last bit.
        return Measurement(value: mean(perDevice.values.sorted()), devices: perDevice.count, points: points)
    }
}
