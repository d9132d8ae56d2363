import Testing
@testable import FleetExecutor

@Suite struct ReconnectBackoffTests {
    /// Always the top of the range: the ceiling a delay may reach.
    struct Highest: RandomNumberGenerator { mutating func next() -> UInt64 { .max } }

    let start = ContinuousClock.now

    @Test func delaysGrowToTheCapAndNeverPastIt() {
        var generator = Highest()
        var backoff = ReconnectBackoff(base: 0.5, cap: 4)
        let reachability = ServerReachability()
        let ceilings = (0..<30).map { _ in backoff.nextDelay(after: reachability, using: &generator) }
        #expect(ceilings.prefix(4) == [0.5, 1, 2, 4])
        #expect(ceilings.allSatisfy { $0 <= 4 }, "a long outage still retries every few seconds: \(ceilings.max() ?? 0)")
    }

    @Test func fullJitterSpreadsRetriesOverTheWholeWindow() {
        var backoff = ReconnectBackoff(base: 0.5, cap: 4)
        let reachability = ServerReachability()
        for _ in 0..<10 { _ = backoff.nextDelay(after: reachability) }
        let delays = (0..<400).map { _ in backoff.nextDelay(after: reachability) }
        #expect(delays.allSatisfy { (0...4).contains($0) })
        #expect(delays.min()! < 0.5 && delays.max()! > 3.5, "from at once to the cap: \(delays.min()!) to \(delays.max()!)")
    }

    @Test func anotherLoopsAnswerStartsTheBackoffOver() {
        var generator = Highest()
        var backoff = ReconnectBackoff(base: 0.5, cap: 4)
        var reachability = ServerReachability()
        reachability.recordNoAnswer(at: start)
        for _ in 0..<6 { _ = backoff.nextDelay(after: reachability, using: &generator) }
        #expect(backoff.nextDelay(after: reachability, using: &generator) == 4)

        _ = reachability.recordAnswer(at: start + .seconds(20))  // the heartbeat got through
        reachability.recordNoAnswer(at: start + .seconds(21))     // and this loop's next call did not
        #expect(backoff.nextDelay(after: reachability, using: &generator) == 0.5, "counting starts over after the server came back")
        #expect(backoff.nextDelay(after: reachability, using: &generator) == 1, "and grows again while it stays away")
    }

    @Test func theLoopsOwnSuccessStartsTheBackoffOver() {
        var generator = Highest()
        var backoff = ReconnectBackoff(base: 0.5, cap: 4)
        let reachability = ServerReachability()
        for _ in 0..<5 { _ = backoff.nextDelay(after: reachability, using: &generator) }
        backoff.reset()
        #expect(backoff.nextDelay(after: reachability, using: &generator) == 0.5)
    }
}
