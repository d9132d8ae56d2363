import Synchronization

/// The long-polls currently held by one server, so that stopping can end each of them.
final class LongPollRegistry: Sendable {
    private struct State {
        var stopping = false
        var sessions: [ObjectIdentifier: LongPollSession] = [:]
    }

    private let state = Mutex(State())

    var count: Int {
        state.withLock { $0.sessions.count }
    }

    /// Adds a session; returns false once the server is stopping (the session must then expire at once).
    func insert(_ session: LongPollSession) -> Bool {
        state.withLock { state in
            guard !state.stopping else { return false }
            state.sessions[ObjectIdentifier(session)] = session
            return true
        }
    }

    func remove(_ session: LongPollSession) {
        state.withLock { _ = $0.sessions.removeValue(forKey: ObjectIdentifier(session)) }
    }

    /// Refuses further sessions and returns the ones currently held.
    func beginStopping() -> [LongPollSession] {
        state.withLock { state in
            state.stopping = true
            return Array(state.sessions.values)
        }
    }
}
