import FleetCore
import FleetHTTP
import Synchronization

/// Executors waiting in a long-poll, by device. A notification for a device wakes its waiters; they look
/// in the database again. Registration happens before the first look, so no notification falls in between.
final class WaiterRegistry: Sendable {
    final class Waiter: Sendable {
        let device: DeviceID
        private struct State {
            var wakeup: Wakeup?
            var notifiedEarly = false
            var superseded = false
        }
        private let state = Mutex(State())

        init(device: DeviceID) { self.device = device }

        /// Attaches the connection's wake-up handle, firing it at once if news came in the meantime.
        func attach(_ wakeup: Wakeup) {
            let fire = state.withLock { state -> Bool in
                state.wakeup = wakeup
                defer { state.notifiedEarly = false }
                return state.notifiedEarly
            }
            if fire { wakeup.wake() }
        }

        /// A newer long-poll of the same device took over (the executor restarted or its connection broke):
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

    private let waiters = Mutex<[DeviceID: [ObjectIdentifier: Waiter]]>([:])

    /// Registers a new waiter. With `supersede`, waiters of the same device still registered here answer
    /// at once: a new long-poll means the executor stopped reading the old one (it restarted, or its
    /// connection broke without the server noticing), and commands handed to the old one would be lost
    /// until redelivery.
    func register(_ device: DeviceID, supersede: Bool = false) -> Waiter {
        let waiter = Waiter(device: device)
        let older = waiters.withLock { waiters -> [Waiter] in
            let older = waiters[device].map { Array($0.values) } ?? []
            waiters[device, default: [:]][ObjectIdentifier(waiter)] = waiter
            return older
        }
        if supersede { for previous in older { previous.supersede() } }
        return waiter
    }

    func remove(_ waiter: Waiter) {
        waiters.withLock { waiters in
            waiters[waiter.device]?[ObjectIdentifier(waiter)] = nil
            if waiters[waiter.device]?.isEmpty == true { waiters[waiter.device] = nil }
        }
    }

    func notify(_ device: DeviceID) {
        let targets = waiters.withLock { $0[device].map { Array($0.values) } ?? [] }
        for waiter in targets { waiter.notify() }
    }

    /// After the notification connection was re-established anything may have been missed: everyone looks again.
    func notifyAll() {
        let targets = waiters.withLock { $0.values.flatMap(\.values) }
        for waiter in targets { waiter.notify() }
    }

    var count: Int { waiters.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}
