import Synchronization

/// Counters and gauges exposed at /metrics in the Prometheus text format.
final class Metrics: Sendable {
    private let counters = Mutex<[String: Double]>([:])

    func increment(_ name: String, labels: String = "", by amount: Double = 1) {
        let key = labels.isEmpty ? name : "\(name){\(labels)}"
        counters.withLock { $0[key, default: 0] += amount }
    }

    /// Renders the counters plus the gauges sampled now.
    func render(gauges: [(name: String, help: String, value: Double)]) -> String {
        var out = ""
        let snapshot = counters.withLock { $0 }
        var described = Set<String>()
        for key in snapshot.keys.sorted() {
            let name = String(key.prefix { $0 != "{" })
            if described.insert(name).inserted { out += "# TYPE \(name) counter\n" }
            out += "\(key) \(Self.format(snapshot[key]!))\n"
        }
        for gauge in gauges {
            out += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) gauge\n\(gauge.name) \(Self.format(gauge.value))\n"
        }
        return out
    }

    private static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
