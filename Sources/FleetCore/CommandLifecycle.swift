/// The command state machine: which event moves a command where. Pure; the stores apply its answers.
public enum CommandLifecycle {
    public enum Event: Sendable, Equatable {
        case deliver
        case report(CommandState)
        case expire
        case cancel
    }

    public enum Outcome: Sendable, Equatable {
        /// Move to this state.
        case transition(CommandState)
        /// Nothing changes and nothing is wrong (a repeated terminal report).
        case unchanged
        /// The event is not allowed in this state; the reason is safe to show.
        case refused(String)
    }

    public static func next(_ state: CommandState, on event: Event) -> Outcome {
        switch event {
        case .deliver:
            switch state {
            case .queued, .delivered: return .transition(.delivered)
            default: return .refused("command is \(state.rawValue)")
            }
        case .expire:
            switch state {
            case .queued, .delivered: return .transition(.expired)
            default: return .unchanged
            }
        case .cancel:
            if state.isTerminal { return .refused("command is already \(state.rawValue)") }
            return .transition(.canceled)
        case .report(let reported):
            switch reported {
            case .running:
                switch state {
                case .queued, .delivered: return .transition(.running)
                case .running: return .unchanged
                default: return .refused("command is already \(state.rawValue)")
                }
            case .succeeded, .failed, .rejected:
                switch state {
                case .queued, .delivered, .running: return .transition(reported)
                case reported: return .unchanged
                default: return .refused("command is already \(state.rawValue)")
                }
            default:
                return .refused("an executor cannot report '\(reported.rawValue)'; use running, succeeded, failed or rejected")
            }
        }
    }
}
