/// One loop's backoff between failed calls: capped, with full jitter, and started over as soon as the server has
/// answered any loop since this one began backing off.
struct ReconnectBackoff: Sendable {
    private var backoff: Backoff
    private var returnsSeen: UInt64 = 0

    init(base: Double, cap: Double) {
        backoff = Backoff(base: base, cap: cap)
    }

    /// Seconds to wait before the next attempt, counting one more failure; the count starts over when
    /// `reachability` shows that the server came back since the previous failure.
    mutating func nextDelay<R: RandomNumberGenerator>(after reachability: ServerReachability, using generator: inout R) -> Double {
        if reachability.returns != returnsSeen {
            backoff.reset()
            returnsSeen = reachability.returns
        }
        return backoff.nextDelay(using: &generator)
    }

    mutating func nextDelay(after reachability: ServerReachability) -> Double {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(after: reachability, using: &generator)
    }

    /// This loop's own call succeeded.
    mutating func reset() { backoff.reset() }
}
