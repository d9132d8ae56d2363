/// What a metric's values are, which decides how a query combines them by default.
public enum MetricKind: String, Sendable, CaseIterable {
    /// A cumulative count read from a map or the process (it only grows, but for resets): shown as a rate.
    case counter
    /// A reading at one moment (memory, latency, a model's output): averaged.
    case gauge
    /// One point per event, each of value 1: summed per step.
    case event

    /// The aggregation a telemetry query uses when it names none.
    public var defaultAggregation: String {
        switch self {
        case .counter: "rate"
        case .gauge: "avg"
        case .event: "sum"
        }
    }
}
