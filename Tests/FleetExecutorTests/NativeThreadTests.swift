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

@Suite struct WakeSignalPulseTests {
    @Test func pulseWakesOnlyTheWaitersWhoseConditionHolds() {
        let wake = WakeSignal()
        let ready = Mutex(false)
        let woke = Mutex<Duration?>(nil)
        let waiting = CompletionFlag()
        let waiter = NativeThread.spawn {
            let started = ContinuousClock.now
            waiting.complete()
            wake.wait(seconds: 30) { ready.withLock { $0 } }
            woke.withLock { $0 = ContinuousClock.now - started }
        }
        waiting.wait()
        WakeSignal().wait(seconds: 0.1)
        wake.pulse()
        WakeSignal().wait(seconds: 0.3)
        #expect(woke.withLock { $0 } == nil, "a pulse does not end a wait whose condition is false")
        ready.withLock { $0 = true }
        wake.pulse()
        waiter.join()
        #expect((woke.withLock { $0 } ?? .seconds(60)) < .seconds(10))
    }

    @Test func aPulseLeavesNoTraceForLaterWaits() {
        let wake = WakeSignal()
        wake.pulse()
        let started = ContinuousClock.now
        wake.wait(seconds: 0.2)
        #expect(ContinuousClock.now - started >= .milliseconds(190))
    }
}
