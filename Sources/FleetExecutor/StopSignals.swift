import Glibc

/// Turns SIGTERM and SIGINT into a call, on a thread of its own that waits in `sigwait`.
///
/// `install` blocks the signals in the calling thread, and every thread started after it inherits
/// that mask, so the signals reach only the waiting thread. Call it before starting other threads.
public enum StopSignals {
    /// - Parameter handler: called once per signal received, on the waiting thread.
    public static func install(_ handler: @escaping @Sendable (Int32) -> Void) {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let waited = set
        NativeThread.spawn {
            var set = waited
            while true {
                var received: Int32 = 0
                if sigwait(&set, &received) == 0 { handler(received) }
            }
        }.detach()
    }
}
