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

        func notify() {
            let wakeup = state.withLock { state -> Wakeup? in
                if state.wakeup == nil { state.notifiedEarly = true }
                return state.wakeup
            }
            wakeup?.wake()
        }
    }

    private let waiters = Mutex<[DeviceID: [ObjectIdentifier: Waiter]]>([:])

    func register(_ device: DeviceID) -> Waiter {
        let waiter = Waiter(device: device)
        waiters.withLock { $0[device, default: [:]][ObjectIdentifier(waiter)] = waiter }
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
