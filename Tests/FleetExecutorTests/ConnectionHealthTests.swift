import FleetClient
import Synchronization
import Testing
@testable import FleetExecutor

@Suite struct ConnectionHealthTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    static let refused = FleetClientError(kind: .transport, title: "cannot reach http://127.0.0.1:9", detail: "Connection refused")

    @Test func theReconnectionIsLoggedOnceHoweverManyLoopsGetThrough() {
        let lines = Lines()
        let health = ConnectionHealth(wake: WakeSignal(), log: { lines.append($0) })
        let start = ContinuousClock.now
        health.unanswered(at: start)
        health.unanswered(at: start + .seconds(3))
        health.answered(at: start + .milliseconds(12_340))
        health.answered(at: start + .seconds(13))
        health.answered(at: start + .seconds(14))
        #expect(lines.all == ["reconnected to the server after 12.3 s offline"])
    }

    @Test func observeCountsAnAnswerOfAnyStatusAsReachingTheServer() throws {
        let health = ConnectionHealth(wake: WakeSignal(), log: { _ in })
        #expect(throws: FleetClientError.self) { try health.observe { () throws -> Int in throw Self.refused } }
        #expect(health.reachability.offlineSince != nil)
        let conflict = FleetClientError(kind: .http(status: 409), title: "Conflict", detail: "")
        #expect(throws: conflict) { try health.observe { () throws -> Int in throw conflict } }
        #expect(health.reachability.offlineSince == nil && health.reachability.returns == 1)
        #expect(try health.observe { 7 } == 7)
        #expect(health.reachability.returns == 1)
    }

    @Test func aLoopWaitingToRetryWakesWhenAnotherLoopReachesTheServer() {
        let health = ConnectionHealth(wake: WakeSignal(), log: { _ in })
        health.unanswered()
        let seen = health.reachability.returns
        let waited = Mutex<Duration?>(nil)
        let waiting = CompletionFlag()
        let loop = NativeThread.spawn {
            let started = ContinuousClock.now
            waiting.complete()
            health.waitBeforeRetry(30, returnsSeen: seen)
            waited.withLock { $0 = ContinuousClock.now - started }
        }
        waiting.wait()
        WakeSignal().wait(seconds: 0.2)
        health.answered()
        loop.join()
        #expect((waited.withLock { $0 } ?? .seconds(60)) < .seconds(10))
    }

    @Test func aRetryAfterTheServerAlreadyCameBackDoesNotWait() {
        let health = ConnectionHealth(wake: WakeSignal(), log: { _ in })
        health.unanswered()
        let seen = health.reachability.returns
        health.answered()  // while this loop's own call was still failing
        let started = ContinuousClock.now
        health.waitBeforeRetry(30, returnsSeen: seen)
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test func aRetryWaitsItsDelayWhileTheServerStaysAway() {
        let health = ConnectionHealth(wake: WakeSignal(), log: { _ in })
        health.unanswered()
        let started = ContinuousClock.now
        health.waitBeforeRetry(0.2, returnsSeen: health.reachability.returns)
        #expect(ContinuousClock.now - started >= .milliseconds(190))
    }
}
