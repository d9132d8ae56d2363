/// A request that waits for news: the connection is suspended (`MHD_suspend_connection`) and holds no thread
/// while it waits.
///
/// Order of calls, all on libmicrohttpd worker threads except where noted:
/// 1. `register` once, with the `Wakeup` that resumes this request; keep it and call `wake()` from any thread
///    when there may be news.
/// 2. `poll` once right after `register` (closing the gap between the handler's own check and registration),
///    then again after every wake-up. A non-nil result ends the long-poll with that response; nil waits again.
/// 3. `timeout` when the deadline passes, or when the server stops, before `poll` answered.
/// 4. `finished` exactly once when the long-poll ends for any reason (answered, timed out, client gone,
///    server stopping); use it to drop the `Wakeup`. A client that disconnects while suspended is only noticed
///    when the request resumes (deadline, wake-up or server stop).
///
/// The closures must not block for long: each call occupies one of the server's worker threads.
public final class LongPoll: Sendable {
    let deadline: ContinuousClock.Instant
    let register: @Sendable (Wakeup) -> Void
    let poll: @Sendable () -> Response?
    let timeout: @Sendable () -> Response
    let finished: @Sendable () -> Void

    public init(
        deadline: ContinuousClock.Instant,
        register: @escaping @Sendable (Wakeup) -> Void,
        poll: @escaping @Sendable () -> Response?,
        timeout: @escaping @Sendable () -> Response,
        finished: @escaping @Sendable () -> Void
    ) {
        self.deadline = deadline
        self.register = register
        self.poll = poll
        self.timeout = timeout
        self.finished = finished
    }
}
