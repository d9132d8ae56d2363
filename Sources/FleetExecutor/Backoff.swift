/// Exponential backoff with full jitter: after n failures wait a random time in [0, min(cap, base * 2^n)].
public struct Backoff: Sendable {
    public var base: Double
    public var cap: Double
    public private(set) var failures = 0

    public init(base: Double = 0.5, cap: Double = 30) {
        self.base = base
        self.cap = cap
    }

    /// Seconds to wait before the next attempt, counting one more failure.
    public mutating func nextDelay<R: RandomNumberGenerator>(using generator: inout R) -> Double {
        let ceiling = min(cap, base * Double(1 << min(failures, 20)))
        failures += 1
        return Double.random(in: 0...ceiling, using: &generator)
    }

    public mutating func nextDelay() -> Double {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    public mutating func reset() { failures = 0 }
}
