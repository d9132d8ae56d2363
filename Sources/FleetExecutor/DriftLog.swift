import Synchronization

/// Logs each deployment's drift once per distinct description, so that drift that lasts (its repair waits for a
/// backoff) does not repeat a line at every reconcile pass.
final class DriftLog: Sendable {
    private let noted = Mutex<[String: String]>([:])
    private let write: @Sendable (String) -> Void

    init(write: @escaping @Sendable (String) -> Void = { ExecutorLog.write($0) }) {
        self.write = write
    }

    /// Records what is wrong with `name` now (nil: nothing); logs it when it changed to something.
    func note(_ name: String, _ drift: String?) {
        let changed = noted.withLock { noted in
            defer { noted[name] = drift }
            return noted[name] != drift
        }
        if changed, let drift { write(drift) }
    }
}
