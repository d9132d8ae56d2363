import Testing
@testable import FleetHTTP

@Suite struct LongPollStateTests {
    @Test func suspendsWhenNothingHappened() {
        var state = LongPollState()
        #expect(state.beginRound() == .poll)
        #expect(state.prepareToSuspend() == .suspend)
        #expect(state.didSuspend() == .none)
        #expect(state.phase == .suspended)
    }

    @Test func wakeWhileSuspendedResumesOnceAndCoalesces() {
        var state = LongPollState()
        _ = state.beginRound()
        _ = state.prepareToSuspend()
        _ = state.didSuspend()
        #expect(state.wake() == .resume)
        #expect(state.wake() == .none)
        #expect(state.expire() == .none)
        #expect(state.beginRound() == .answerTimeout)
    }

    @Test func wakeDuringPollIsRememberedAndPollsAgain() {
        var state = LongPollState()
        #expect(state.beginRound() == .poll)
        #expect(state.wake() == .none)
        #expect(state.prepareToSuspend() == .pollAgain)
        #expect(state.beginRound() == .poll)
        #expect(state.prepareToSuspend() == .suspend)
    }

    @Test func wakeWhileSuspendingResumesRightAfterSuspension() {
        var state = LongPollState()
        _ = state.beginRound()
        #expect(state.prepareToSuspend() == .suspend)
        #expect(state.wake() == .none)
        #expect(state.didSuspend() == .resume)
        #expect(state.phase == .resuming)
        #expect(state.wake() == .none)
        #expect(state.beginRound() == .poll)
    }

    @Test func expiryAnswersWithTimeout() {
        var state = LongPollState()
        _ = state.beginRound()
        #expect(state.expire() == .none)
        #expect(state.prepareToSuspend() == .pollAgain)
        #expect(state.beginRound() == .answerTimeout)
    }

    @Test func finishHappensOnceAndSilencesWakeups() {
        var state = LongPollState()
        _ = state.beginRound()
        _ = state.prepareToSuspend()
        _ = state.didSuspend()
        let first = state.finish()
        let second = state.finish()
        #expect(first)
        #expect(!second)
        #expect(state.wake() == .none)
        #expect(state.expire() == .none)
        #expect(state.beginRound() == .closed)
    }
}
