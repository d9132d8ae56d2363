import FoundationEssentials
import Glibc
import Synchronization

/// Something that contributes samples each telemetry interval (program map exports, the executor itself).
public protocol TelemetrySource: Sendable {
    func sample(now: Date) -> [TelemetryPoint]
}

/// Points produced between samples (command and load latencies), handed over at the next sample.
public final class EventMetrics: TelemetrySource {
    private let pending = Mutex<[TelemetryPoint]>([])

    public init() {}

    public func record(_ point: TelemetryPoint) {
        pending.withLock { $0.append(point) }
    }

    public func sample(now: Date) -> [TelemetryPoint] {
        pending.withLock { points in
            defer { points.removeAll() }
            return points
        }
    }
}

/// The executor's own CPU and memory.
public final class SelfMetricsSource: TelemetrySource {
    private let state = Mutex(SelfMetrics())
    private let outbox: TelemetryOutbox

    public init(outbox: TelemetryOutbox) { self.outbox = outbox }

    public func sample(now: Date) -> [TelemetryPoint] {
        var points = state.withLock { $0.sample(now: now) }
        points.append(TelemetryPoint(.outboxDroppedPoints, timestamp: now, value: Double(outbox.droppedPoints)))
        points.append(TelemetryPoint(.outboxBatches, timestamp: now, value: Double(outbox.count)))
        return points
    }
}
