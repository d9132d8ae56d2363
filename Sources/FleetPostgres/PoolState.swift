import Foundation

/// The pool's mutable state behind one condition variable.
final class PoolState: @unchecked Sendable {
    // @unchecked Sendable: every field is read and written only while `condition` is locked (see `locked`).
    var idle: [PostgresConnection] = []
    var open = 0
    var waiting = 0
    var closed = false
    private let condition = NSCondition()

    func locked<T>(_ body: (PoolState) throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body(self)
    }

    /// Waits for a signal; call only inside `locked`. False when the deadline passed.
    func wait(until deadline: Date) -> Bool {
        condition.wait(until: deadline)
    }

    func signal() {
        condition.lock()
        condition.signal()
        condition.unlock()
    }

    func broadcast() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }
}
