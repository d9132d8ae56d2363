import Foundation
import FleetCore
import FleetPostgres

/// Writes a bulk rendering's chunks on a connection of its own, one chunk at a time, while the caller reads and
/// renders the next one: PostgreSQL writing and the server rendering overlap instead of taking turns.
///
/// Each chunk is written in its own transaction, on a connection opened for the rendering outside the pool (a
/// rendering that waited for a second pooled connection while holding one could starve the pool). The first
/// failure stops the writes and is rethrown by the next `submit` or by `finish`.
final class ChunkWriter: @unchecked Sendable {  // mutable state only under `condition`
    typealias Work = @Sendable (PostgresConnection) throws -> [DeviceID]

    private let condition = NSCondition()
    private var work: Work?
    private var closing = false
    private var finished = false
    private var failure: (any Error)?
    /// Devices a chunk could not write (changed while it was being rendered), to render again one by one.
    private var retry: [DeviceID] = []

    init(pool: PostgresPool) {
        Thread.detachNewThread { [self] in
            do {
                let connection = try pool.connectUnpooled()
                defer { connection.close() }
                while let next = nextWork() {
                    do {
                        let skipped = try connection.transaction(next)
                        condition.withLock { retry += skipped }
                    } catch {
                        condition.withLock { failure = error }
                    }
                    condition.withLock { work = nil; condition.broadcast() }
                }
            } catch {
                condition.withLock { failure = error }
            }
            condition.withLock { finished = true; work = nil; condition.broadcast() }
        }
    }

    /// Waits for the chunk in hand; nil once closing with nothing left, or after a failure.
    private func nextWork() -> Work? {
        condition.lock()
        defer { condition.unlock() }
        while work == nil, !closing, failure == nil { condition.wait() }
        return failure == nil ? work : nil
    }

    /// Hands over a chunk, after the previous one is written.
    /// - Throws: the failure of an earlier chunk.
    func submit(_ next: @escaping Work) throws {
        condition.lock()
        defer { condition.unlock() }
        while work != nil, failure == nil, !finished { condition.wait() }
        if let failure { throw failure }
        guard !finished else { throw PostgresError(kind: .connection, message: "the rendering's writer stopped", sqlState: nil) }
        work = next
        condition.broadcast()
    }

    /// Waits until every chunk is written; returns the devices to render again.
    /// - Throws: the first failure.
    func finish() throws -> [DeviceID] {
        condition.lock()
        defer { condition.unlock() }
        closing = true
        condition.broadcast()
        while !finished { condition.wait() }
        if let failure { throw failure }
        return retry
    }
}
