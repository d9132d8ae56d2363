import FoundationEssentials
import Glibc
import FleetSystem

/// The executor's own resource use, read from /proc.
public struct SelfMetrics: Sendable {
    private var lastCPUSeconds: Double?
    private var lastSample: Date?

    public init() {}

    /// Resident memory in bytes.
    public static func residentBytes() -> Double {
        guard let text = FileSystem.readText("/proc/self/status") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
            return kilobytes * 1024
        }
        return 0
    }

    /// User plus system CPU seconds of this process.
    public static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Points for RSS, cumulative CPU seconds and CPU share since the previous sample.
    public mutating func sample(now: Date = Date()) -> [TelemetryPoint] {
        let cpu = Self.cpuSeconds()
        var points = [
            TelemetryPoint(.rssBytes, timestamp: now, value: Self.residentBytes()),
            TelemetryPoint(.cpuSeconds, timestamp: now, value: cpu),
        ]
        if let lastCPUSeconds, let lastSample, now > lastSample {
            points.append(TelemetryPoint(.cpuRatio, timestamp: now,
                                         value: (cpu - lastCPUSeconds) / now.timeIntervalSince(lastSample)))
        }
        lastCPUSeconds = cpu
        lastSample = now
        return points
    }
}
