import FoundationEssentials

/// The points of one metric with one label set from one device, as a gate evaluation reads them.
///
/// A device may have several series of one metric (one per label set); counters are told apart per series,
/// since a reset is only visible within one.
public struct GateSeries: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public var at: Date
        public var value: Double

        public init(at: Date, value: Double) {
            self.at = at
            self.value = value
        }
    }

    public var device: DeviceID
    /// In any order; the statistics that care sort them by time.
    public var points: [Point]

    public init(device: DeviceID, points: [Point]) {
        self.device = device
        self.points = points
    }
}
