import FleetClient

/// Whether the executor reaches its server, learnt from the outcome of every call any of its loops makes.
///
/// Pure: the caller passes the time. `ConnectionHealth` shares one between the loops.
struct ServerReachability: Sendable, Equatable {
    /// When the first call of the current outage went unanswered; nil while the server answers.
    private(set) var offlineSince: ContinuousClock.Instant?
    /// How many outages have ended. A loop that saw fewer began its backoff before the server came back.
    private(set) var returns: UInt64 = 0

    /// A call got no answer: an outage begins, unless one is already under way.
    mutating func recordNoAnswer(at now: ContinuousClock.Instant) {
        if offlineSince == nil { offlineSince = now }
    }

    /// A call got an answer (any status). Returns how long the server was out of reach when this ends an
    /// outage: once per outage, however many calls then succeed.
    mutating func recordAnswer(at now: ContinuousClock.Instant) -> Duration? {
        guard let since = offlineSince else { return nil }
        offlineSince = nil
        returns += 1
        return since.duration(to: now)
    }

    /// Whether a failed call means the server was out of reach: no HTTP answer at all, or a gateway's answer that
    /// it has no server to pass the request to. Any other status is an answer of a reachable server.
    static func meansUnreachable(_ error: any Error) -> Bool {
        guard let failure = error as? FleetClientError else { return false }
        switch failure.kind {
        case .transport: return true
        case .http(let status): return [502, 503, 504].contains(status)
        case .invalidResponse, .invalidConfiguration, .unresolved: return false
        }
    }
}
