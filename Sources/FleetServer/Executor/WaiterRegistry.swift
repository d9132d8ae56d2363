import FleetHTTP
import Synchronization

/// Long-polls waiting for news about one thing, by key: executors by device, command waits by command.
/// A notification for a key wakes its waiters; they look in the database again. Registration happens
/// before the first look, so no notification falls in between.
final class WaiterRegistry<Key: Hashable & Sendable>: Sendable {
    final class Waiter: Sendable {
        let key: Key
        private struct State {
            var wakeup: Wakeup?
            var notifiedEarly = false
            var superseded = false
        }
        private let state = Mutex(State())

        init(key: Key) { self.key = key }

        /// Attaches the connection's wake-up handle, firing it at once if news came in the meantime.
        func attach(_ wakeup: Wakeup) {
            let fire = state.withLock { state -> Bool in
                state.wakeup = wakeup
                defer { state.notifiedEarly = false }
                return state.notifiedEarly
            }
            if fire { wakeup.wake() }
        }

        /// A newer long-poll of the same key took over (the executor restarted or its connection broke):
        /// this one should answer empty at once instead of taking commands nobody will read.
        var isSuperseded: Bool { state.withLock { $0.superseded } }

        func supersede() {
            state.withLock { $0.superseded = true }
            notify()
        }

        func notify() {
            let wakeup = state.withLock { state -> Wakeup? in
                if state.wakeup == nil { state.notifiedEarly = true }
                return state.wakeup
            }
            wakeup?.wake()
        }
    }

    private let waiters = Mutex<[Key: [ObjectIdentifier: Waiter]]>([:])

    /// Registers a new waiter. With `supersede`, waiters of the same key still registered here answer
    /// at once: for an executor, a new long-poll means it stopped reading the old one (it restarted, or
    /// its connection broke without the server noticing), and commands handed to the old one would be
    /// lost until redelivery.
    func register(_ key: Key, supersede: Bool = false) -> Waiter {
        let waiter = Waiter(key: key)
        let older = waiters.withLock { waiters -> [Waiter] in
            let older = waiters[key].map { Array($0.values) } ?? []
            waiters[key, default: [:]][ObjectIdentifier(waiter)] = waiter
            return older
        }
        if supersede { for previous in older { previous.supersede() } }
        return waiter
    }

    func remove(_ waiter: Waiter) {
        waiters.withLock { waiters in
            waiters[waiter.key]?[ObjectIdentifier(waiter)] = nil
            if waiters[waiter.key]?.isEmpty == true { waiters[waiter.key] = nil }
        }
    }

    func notify(_ key: Key) {
        let targets = waiters.withLock { $0[key].map { Array($0.values) } ?? [] }
        for waiter in targets { waiter.notify() }
    }

    /// After the notification connection was re-established anything may have been missed: everyone looks again.
    func notifyAll() {
        let targets = waiters.withLock { $0.values.flatMap(\.values) }
        for waiter in targets { waiter.notify() }
    }

    var count: Int { waiters.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    /// The keys somebody waits on now.
    var keys: [Key] { waiters.withLock { Array($0.keys) } }
}
