import Dispatch
import Synchronization

/// Drives one `LongPoll` on its connection: performs what `LongPollState` decides, keeps the deadline timer,
/// and reports the end exactly once.
final class LongPollSession: Sendable {
    enum Outcome {
        /// Queue this response, then call `finish()`.
        case respond(Response)
        /// The connection is suspended (or already being resumed); return MHD_Result.YES.
        case suspended
        /// The session already ended; close the connection.
        case close
    }

    private let longPoll: LongPoll
    private let connection: Connection
    private let registry: LongPollRegistry
    private let state = Mutex(LongPollState())
    private let deadlineTimer = Mutex<DispatchWorkItem?>(nil)

    private static let timerQueue = DispatchQueue(label: "FleetHTTP.long-poll-deadlines")

    init(longPoll: LongPoll, connection: Connection, registry: LongPollRegistry) {
        self.longPoll = longPoll
        self.connection = connection
        self.registry = registry
    }

    /// Registers the session (server and caller) and arms the deadline. Call once, on the worker thread,
    /// before the first `run()`.
    func start() {
        let accepted = registry.insert(self)
        longPoll.register(Wakeup(session: self))
        if !accepted {
            expire()
            return
        }
        let remaining = ContinuousClock.now.duration(to: longPoll.deadline)
        guard remaining > .zero else {
            expire()
            return
        }
        deadlineTimer.withLock { slot in
            let timer = DispatchWorkItem { [weak self] in self?.expire() }
            Self.timerQueue.asyncAfter(deadline: .now() + Self.dispatchInterval(remaining), execute: timer)
            slot = timer
        }
    }

    /// One visit of the access handler: poll (again) until there is an answer or the connection is suspended.
    /// Runs on the worker thread that owns the connection.
    func run() -> Outcome {
        while true {
            switch state.withLock({ $0.beginRound() }) {
            case .closed:
                return .close
            case .answerTimeout:
                return .respond(longPoll.timeout())
            case .poll:
                if let response = longPoll.poll() {
                    return .respond(response)
                }
            }
            if state.withLock({ $0.prepareToSuspend() }) == .pollAgain {
                continue
            }
            connection.suspend()
            if state.withLock({ $0.didSuspend() }) == .resume {
                connection.resume()
            }
            return .suspended
        }
    }

    func wake() {
        if state.withLock({ $0.wake() }) == .resume {
            connection.resume()
        }
    }

    /// Ends the wait: the next round answers with `timeout()`.
    func expire() {
        if state.withLock({ $0.expire() }) == .resume {
            connection.resume()
        }
    }

    /// Marks the long-poll over; the first call cancels the timer, deregisters and calls `finished()`.
    func finish() {
        guard state.withLock({ $0.finish() }) else { return }
        deadlineTimer.withLock { timer in
            timer?.cancel()
            timer = nil
        }
        registry.remove(self)
        longPoll.finished()
    }

    private static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        let maximumSeconds: Int64 = 365 * 24 * 3600
        guard seconds < maximumSeconds else { return .seconds(Int(maximumSeconds)) }
        return .nanoseconds(Int(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
    }
}
