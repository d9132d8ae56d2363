import FoundationEssentials
import Glibc
import FleetSystem
import FleetCore
import FleetJSON
import Synchronization

/// Telemetry waiting for upload, one file per batch in `<state>/outbox`, oldest first. Bounded: past the
/// limit the oldest batches are dropped and counted, so the device never fills its disk. A batch leaves
/// the outbox only once the server has acknowledged it, so nothing acknowledged is lost and a retried
/// batch keeps its id (the server ignores repeats).
public final class TelemetryOutbox: Sendable {
    public struct Batch: Sendable {
        public let file: String
        public let body: [UInt8]
    }

    private let directory: String
    private let maxBatches: Int
    private let droppedFile: String
    private let sequence = Mutex<UInt64>(0)
    private let lock = Mutex(())

    public init(state: StateDirectory, maxBatches: Int = 5000) throws {
        directory = state.file("outbox")
        droppedFile = state.file("outbox.dropped")
        self.maxBatches = maxBatches
        try FileSystem.createDirectory(directory, mode: 0o700)
        let highest = try files().last.flatMap { UInt64(FilePath.lastComponent($0).prefix { $0 != "-" }) } ?? 0
        sequence.withLock { $0 = highest }
    }

    /// Points dropped because the outbox was full, over the executor's lifetime (kept across restarts).
    public var droppedPoints: UInt64 {
        FileSystem.readText(droppedFile).flatMap { UInt64($0.trimmed) } ?? 0
    }

    /// Stores points as one new batch, durable when this returns.
    public func append(_ points: [TelemetryPoint]) throws {
        guard !points.isEmpty else { return }
        let number = sequence.withLock { value -> UInt64 in value += 1; return value }
        let batchID = UUID().uuidString.lowercased()
        var body: JSON = ["batch_id": .string(batchID), "points": .array(points.map(\.json))]
        let kinds = points.reduce(into: [String: JSON]()) { kinds, point in
            if point.kind != .gauge { kinds[point.metric] = .string(point.kind.rawValue) }
        }
        if !kinds.isEmpty, case .object(var members) = body {
            members["kinds"] = .object(kinds)
            body = .object(members)
        }
        let digits = String(number)
        let name = String(repeating: "0", count: max(0, 20 - digits.count)) + digits + "-" + batchID + ".json"
        try lock.withLock { _ in
            try FileSystem.writeAtomically(body.serializedBytes(), to: FilePath.join(directory, name))
            try enforceLimit()
        }
    }

    /// The oldest batch, or nil when the outbox is empty.
    public func oldest() throws -> Batch? {
        try lock.withLock { _ in
            for file in try files() {
                if let data = try? FileSystem.read(file) { return Batch(file: file, body: data) }
            }
            return nil
        }
    }

    /// Removes a batch the server acknowledged.
    public func remove(_ batch: Batch) {
        lock.withLock { _ in Self.delete(batch.file) }
    }

    /// Removes a batch the server will never take (it refused it as malformed), counting its points as dropped.
    public func discard(_ batch: Batch) {
        lock.withLock { _ in
            addDropped(Self.pointCount(batch.body))
            Self.delete(batch.file)
        }
    }

    public var count: Int { (try? files().count) ?? 0 }

    private func files() throws -> [String] {
        try FileSystem.contentsOfDirectory(directory)
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .sorted()
            .map { FilePath.join(directory, $0) }
    }

    private func enforceLimit() throws {
        let all = try files()
        guard all.count > maxBatches else { return }
        var dropped = 0
        for file in all.prefix(all.count - maxBatches) {
            dropped += (try? FileSystem.read(file)).map(Self.pointCount) ?? 0
            Self.delete(file)
        }
        addDropped(dropped)
    }

    /// Removes a batch file; a failure is logged, and the batch is sent again later (the server ignores repeats).
    private static func delete(_ file: String) {
        do { try FileSystem.remove(file) } catch { ExecutorLog.write("cannot remove the sent batch \(file): \(error)") }
    }

    private func addDropped(_ points: Int) {
        guard points > 0 else { return }
        let total = droppedPoints + UInt64(points)
        try? FileSystem.writeAtomically(Array(String(total).utf8), to: droppedFile)
    }

    private static func pointCount(_ body: [UInt8]) -> Int {
        ((try? JSON.parse(body))?["points"]?.arrayValue?.count) ?? 0
    }
}
