import FleetJSON

/// When to send the status document: when it differs from the one the server last took, and again after
/// `refreshSeconds` without change (so a server that lost it learns it again), never otherwise.
public struct StatusReportSchedule: Sendable, Equatable {
    public let refreshSeconds: Double
    public private(set) var lastSent: JSON?
    public private(set) var lastSentAt: Double?

    public init(refreshSeconds: Double = 600) {
        self.refreshSeconds = refreshSeconds
    }

    /// True when `document` should go out at `now` (seconds on the caller's monotonic clock).
    public func isDue(_ document: JSON, now: Double) -> Bool {
        guard document == lastSent, let lastSentAt else { return true }
        return now - lastSentAt >= refreshSeconds
    }

    /// When the next refresh is due; nil before anything was sent.
    public var refreshAt: Double? { lastSentAt.map { $0 + refreshSeconds } }

    /// The server took `document` at `now`.
    public mutating func sent(_ document: JSON, now: Double) {
        lastSent = document
        lastSentAt = now
    }
}
