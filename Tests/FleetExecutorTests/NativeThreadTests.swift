import Synchronization
import Testing
@testable import FleetExecutor

@Suite struct NativeThreadTests {
    @Test func joinWaitsForTheThreadsWork() {
        let counter = Mutex(0)
        let threads = (0..<4).map { _ in NativeThread.spawn { for _ in 0..<1000 { counter.withLock { $0 += 1 } } } }
        for thread in threads { thread.join() }
        #expect(counter.withLock { $0 } == 4000)
    }

    @Test func waitEndsAtItsTimeoutWithoutASignal() {
        let wake = WakeSignal()
        let started = ContinuousClock.now
        wake.wait(seconds: 0.2)
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(190) && waited < .seconds(5))
    }

    @Test func signalWakesAWaiterEarlyAndEveryLaterWait() {
        let wake = WakeSignal()
        let woke = Mutex<Duration?>(nil)
        let waiter = NativeThread.spawn {
            let started = ContinuousClock.now
            wake.wait(seconds: 30)
            woke.withLock { $0 = ContinuousClock.now - started }
        }
        let sleeper = NativeThread.spawn { wake.wait(seconds: 0.1) }
        sleeper.join()
        wake.signal()
        waiter.join()
        #expect((woke.withLock { $0 } ?? .seconds(60)) < .seconds(10))

        let started = ContinuousClock.now
        wake.wait(seconds: 30)
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test func completionFlagReleasesTheWaiter() {
        let flag = CompletionFlag()
        NativeThread.spawn { flag.complete() }.detach()
        flag.wait()
    }
}
