import FoundationEssentials
import Glibc
import FleetCore

/// Turns map readings into telemetry points, per the manifest's export kinds. Pure: no map access.
///
/// Naming, for an export with metric `m` of deployment `p` (every series carries `program=p`):
/// - `counter`: a one-element array (per-CPU values summed) is one series `m`; a larger array is one series
///   per index, labelled with `key_label` (default `key`).
/// - `hash_counter`: one series `m` per key, labelled `key_label=<decimal key>`.
/// - For both, when the manifest lists `fields` the value's u64 fields are exported as separate series of
///   `m` labelled `field=<name>`; otherwise only the first u64 is exported, without a `field` label.
/// - `histogram_log2` (slot i counts values in [2^i, 2^(i+1)); slot 0 also holds 0): Prometheus style,
///   cumulative `m_bucket{le="<2^(i+1)>"}` up to the highest non-empty slot, plus `m_bucket{le="+Inf"}` and
///   `m_count`. Values are as read from the kernel, cumulative since the map was created.
public enum ProgramExporter {
    /// What was read from one exported map.
    public enum Reading: Sendable, Equatable {
        /// Integer key -> u64 fields (per-CPU values already summed).
        case entries([UInt64: [UInt64]])
        /// The slots of a log2 histogram.
        case histogram([UInt64])
    }

    /// - Parameter singleSeries: true for a one-element array, exported without a key label.
    public static func points(for export: ProgramManifest.MapExport, reading: Reading, singleSeries: Bool,
                              program: String, now: Date) -> [TelemetryPoint] {
        let base = ["program": program]
        switch reading {
        case .entries(let entries):
            var points: [TelemetryPoint] = []
            for key in entries.keys.sorted() {
                var labels = base
                if !singleSeries || export.kind == .hashCounter { labels[export.keyLabel] = String(key) }
                points += fieldPoints(export, values: entries[key]!, labels: labels, now: now)
            }
            if points.isEmpty && singleSeries && export.kind == .counter {
                points = fieldPoints(export, values: [0], labels: base, now: now)
            }
            return points
        case .histogram(let slots):
            var points: [TelemetryPoint] = []
            var cumulative: UInt64 = 0
            let highest = slots.lastIndex { $0 != 0 } ?? -1
            for (slot, count) in slots.enumerated() where slot <= highest {
                cumulative &+= count
                let bound = slot >= 63 ? "+Inf" : String(UInt64(1) << UInt64(slot + 1))
                if bound == "+Inf" { break }
                points.append(TelemetryPoint(metric: export.metric + "_bucket", kind: .counter, labels: base.merging(["le": bound]) { $1 },
                                             timestamp: now, value: Double(cumulative)))
            }
            let total = slots.reduce(UInt64(0), &+)
            points.append(TelemetryPoint(metric: export.metric + "_bucket", kind: .counter, labels: base.merging(["le": "+Inf"]) { $1 },
                                         timestamp: now, value: Double(total)))
            points.append(TelemetryPoint(metric: export.metric + "_count", kind: .counter, labels: base, timestamp: now, value: Double(total)))
            return points
        }
    }

    private static func fieldPoints(_ export: ProgramManifest.MapExport, values: [UInt64], labels: [String: String],
                                    now: Date) -> [TelemetryPoint] {
        if export.fields.isEmpty {
            return [TelemetryPoint(metric: export.metric, kind: .counter, labels: labels, timestamp: now, value: Double(values.first ?? 0))]
        }
        return export.fields.enumerated().map { index, field in
            TelemetryPoint(metric: export.metric, kind: .counter, labels: labels.merging(["field": field]) { $1 }, timestamp: now,
                           value: Double(index < values.count ? values[index] : 0))
        }
    }
}

/// Admits at most `maxPerSecond` events per wall-clock second (a fixed one-second window).
public struct EventRateLimiter: Sendable {
    public let maxPerSecond: Int
    private var window: Int64 = .min
    private var admitted = 0

    public init(maxPerSecond: Int) {
        self.maxPerSecond = maxPerSecond
    }

    /// Whether an event at `time` (seconds, any epoch) may pass; counts it when it does.
    public mutating func admit(at time: Double) -> Bool {
        let second = Int64(time.rounded(.down))
        if second != window {
            window = second
            admitted = 0
        }
        guard admitted < maxPerSecond else { return false }
        admitted += 1
        return true
    }
}
