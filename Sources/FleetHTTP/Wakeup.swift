/// Thread-safe handle that resumes a suspended long-poll so its `poll` runs again.
///
/// A `wake()` that arrives before the connection is suspended is remembered; one after the long-poll
/// finished is a no-op; several while a wake-up is already pending coalesce into one `poll`.
public final class Wakeup: Sendable {
    private let session: LongPollSession

    init(session: LongPollSession) {
        self.session = session
    }

    /// Asks for `poll` to run again soon. Never blocks on the request; safe from any thread.
    public func wake() {
        session.wake()
    }
}
