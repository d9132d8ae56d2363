/// The life of one long-poll as a pure state machine; `LongPollSession` performs the actions it returns.
///
/// Phases: `running` (a worker thread is inside the access handler) -> `suspending` (between the decision and
/// `MHD_suspend_connection` returning) -> `suspended` -> `resuming` (`MHD_resume_connection` issued, the access
/// handler will run again) -> `running` ... -> `finished`. Only the transition into `resuming` yields `.resume`,
/// so the connection is resumed at most once per suspension and never while not suspended.
struct LongPollState: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        case running, suspending, suspended, resuming, finished
    }

    enum Round: Sendable, Equatable {
        /// Run `poll()`.
        case poll
        /// Answer with `timeout()`.
        case answerTimeout
        /// Already finished: close the connection without calling anything.
        case closed
    }

    enum SuspendDecision: Sendable, Equatable {
        case suspend, pollAgain
    }

    enum WakeAction: Sendable, Equatable {
        case none, resume
    }

    private(set) var phase: Phase = .running
    private(set) var wakePending = false
    private(set) var expired = false

    /// Someone may have news for this request.
    mutating func wake() -> WakeAction {
        switch phase {
        case .running, .suspending:
            wakePending = true
            return .none
        case .suspended:
            phase = .resuming
            return .resume
        case .resuming, .finished:
            return .none
        }
    }

    /// The deadline passed or the server is stopping: the next round answers with `timeout()`.
    mutating func expire() -> WakeAction {
        guard phase != .finished else { return .none }
        expired = true
        return wake()
    }

    /// The access handler runs for this request (first time, or after a resume) and starts a round.
    mutating func beginRound() -> Round {
        guard phase != .finished else { return .closed }
        precondition(phase == .running || phase == .resuming, "round begun while \(phase)")
        phase = .running
        wakePending = false
        return expired ? .answerTimeout : .poll
    }

    /// `poll()` had nothing; decide whether to suspend or to poll again because news came meanwhile.
    mutating func prepareToSuspend() -> SuspendDecision {
        precondition(phase == .running, "suspend prepared while \(phase)")
        if wakePending || expired {
            wakePending = false
            return .pollAgain
        }
        phase = .suspending
        return .suspend
    }

    /// `MHD_suspend_connection` returned; resume at once if a wake-up arrived in between.
    mutating func didSuspend() -> WakeAction {
        precondition(phase == .suspending, "suspension completed while \(phase)")
        if wakePending || expired {
            wakePending = false
            phase = .resuming
            return .resume
        }
        phase = .suspended
        return .none
    }

    /// The long-poll ends; returns true only for the first call, whose caller runs `finished()`.
    mutating func finish() -> Bool {
        guard phase != .finished else { return false }
        phase = .finished
        return true
    }
}
