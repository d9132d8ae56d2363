import FoundationEssentials
import Glibc
import FleetCore
import FleetBPF
import Synchronization

/// Forwards the records of one ring buffer as events: each admitted record becomes a point of the export's
/// metric with value 1, labelled with its decoded fields (`layout`; only those in `labels` when the manifest
/// names them) or, without a layout, with `size` and the
/// first 64 bytes as hex in `data`. Records over `max_per_second`, or beyond `maximumPending` waiting for the
/// next sample, are dropped and counted in `<metric>_dropped_total`.
///
/// The libbpf consumer is not Sendable, so it lives on a thread of its own that polls until `stop()`.
final class RingBufferForwarder: TelemetrySource {
    /// Events held between two samples; bounded so one batch stays well under the server's 10,000 points.
    static let maximumPending = 5000

    private struct State {
        var pending: [TelemetryPoint] = []
        var dropped: UInt64 = 0
        var limiter: EventRateLimiter
        var stopping = false
    }

    private let export: ProgramManifest.RingBufferExport
    private let program: String
    private let state: Mutex<State>
    private let finished = CompletionFlag()

    /// Starts polling `map` at once.
    init(map: BPFMap, export: ProgramManifest.RingBufferExport, program: String) {
        self.export = export
        self.program = program
        state = Mutex(State(limiter: EventRateLimiter(maxPerSecond: export.maxPerSecond)))
        NativeThread.spawn { [self] in poll(map) }.detach()
    }

    /// Stops polling and waits for the thread to end; pending events stay for the next `sample`.
    func stop() {
        let wasStopping = state.withLock { state in
            defer { state.stopping = true }
            return state.stopping
        }
        if !wasStopping { finished.wait() }
    }

    func sample(now: Date) -> [TelemetryPoint] {
        let (events, dropped) = state.withLock { state in
            defer { state.pending.removeAll(keepingCapacity: true) }
            return (state.pending, state.dropped)
        }
        return events + [TelemetryPoint(metric: export.metric + "_dropped_total", kind: .counter, labels: ["program": program],
                                        timestamp: now, value: Double(dropped))]
    }

    private func poll(_ map: BPFMap) {
        defer { finished.complete() }
        let buffer: BPFRingBuffer
        do {
            buffer = try BPFRingBuffer(map: map) { [self] record in receive(record) }
        } catch {
            ExecutorLog.write("ring buffer \(program)/\(export.name) cannot be read: \(error)")
            return
        }
        while !state.withLock({ $0.stopping }) {
            do { try buffer.poll(timeout: .milliseconds(200)) } catch {
                ExecutorLog.write("ring buffer \(program)/\(export.name) stopped: \(error)")
                return
            }
        }
        _ = try? buffer.consume()
    }

    private func receive(_ record: BPFRingBufferRecord) {
        let now = Date()
        let admitted = state.withLock { state in
            guard state.pending.count < Self.maximumPending, state.limiter.admit(at: now.timeIntervalSince1970) else {
                state.dropped += 1
                return false
            }
            return true
        }
        guard admitted else { return }
        var labels = export.layout.map { export.labels(of: $0.decode(record.bytes)) }
            ?? ["size": String(record.bytes.count), "data": record.bytes.prefix(64).hexString]
        labels["program"] = program
        let point = TelemetryPoint(metric: export.metric, kind: .event, labels: labels, timestamp: now, value: 1)
        state.withLock { $0.pending.append(point) }
    }
}
