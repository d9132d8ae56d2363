import Testing
@testable import FleetCore

@Suite struct CommandLifecycleTests {
    @Test func happyPath() {
        #expect(CommandLifecycle.next(.queued, on: .deliver) == .transition(.delivered))
        #expect(CommandLifecycle.next(.delivered, on: .report(.running)) == .transition(.running))
        #expect(CommandLifecycle.next(.running, on: .report(.succeeded)) == .transition(.succeeded))
    }

    @Test func repeatingATerminalReportIsANoOp() {
        #expect(CommandLifecycle.next(.succeeded, on: .report(.succeeded)) == .unchanged)
        #expect(CommandLifecycle.next(.failed, on: .report(.failed)) == .unchanged)
        #expect(CommandLifecycle.next(.running, on: .report(.running)) == .unchanged)
    }

    @Test func aDifferentTerminalReportIsRefused() {
        guard case .refused = CommandLifecycle.next(.succeeded, on: .report(.failed)) else { Issue.record("expected refusal"); return }
        guard case .refused = CommandLifecycle.next(.canceled, on: .report(.running)) else { Issue.record("expected refusal"); return }
        guard case .refused = CommandLifecycle.next(.expired, on: .report(.succeeded)) else { Issue.record("expected refusal"); return }
    }

    @Test func executorsCannotReportServerStates() {
        for state in [CommandState.queued, .delivered, .expired, .canceled] {
            guard case .refused = CommandLifecycle.next(.running, on: .report(state)) else { Issue.record("\(state) accepted"); continue }
        }
    }

    @Test func cancelOnlyBeforeTheEnd() {
        for state in CommandState.allCases {
            let outcome = CommandLifecycle.next(state, on: .cancel)
            if state.isTerminal {
                guard case .refused = outcome else { Issue.record("cancel of \(state) accepted"); continue }
            } else {
                #expect(outcome == .transition(.canceled))
            }
        }
    }

    @Test func onlyUnstartedCommandsExpire() {
        #expect(CommandLifecycle.next(.queued, on: .expire) == .transition(.expired))
        #expect(CommandLifecycle.next(.delivered, on: .expire) == .transition(.expired))
        #expect(CommandLifecycle.next(.running, on: .expire) == .unchanged)
        #expect(CommandLifecycle.next(.succeeded, on: .expire) == .unchanged)
    }

    @Test func failureAndRejectionCanSkipRunning() {
        #expect(CommandLifecycle.next(.delivered, on: .report(.rejected)) == .transition(.rejected))
        #expect(CommandLifecycle.next(.delivered, on: .report(.failed)) == .transition(.failed))
    }
}
