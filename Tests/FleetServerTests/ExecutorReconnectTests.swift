import Foundation
import FleetJSON
import Testing

/// The executor as a separate process against a `fleet-server` child that goes away and comes back on the same port.
@Suite struct ExecutorReconnectTests {
    /// The pauses the executor logged before retrying a call ("... retrying in 3.2 s").
    static func retryDelays(in log: String) -> [Double] {
        log.components(separatedBy: "retrying in ").dropFirst().compactMap { rest in
            rest.split(separator: " ", maxSplits: 1).first.flatMap { Double($0) }
        }
    }

    static func reconnections(in log: String) -> Int {
        log.split(separator: "\n").filter { $0.contains("reconnected to the server after ") && $0.hasSuffix(" s offline") }.count
    }

    @Test func aCommandReachesTheExecutorWithinSecondsOfTheServerReturning() async throws {
        let server = try TestServer()
        let remote = try RestartableServer(conninfo: server.conninfo)
        let checks = Observations()
        try await onOwnThread {
            defer { remote.cleanUp() }
            try remote.start()
            let executor = try ExecutorProcess(server: server, serverURL: remote.base)
            defer { executor.cleanUp(pins: []) }
            try executor.start()
            let device = executor.deviceID
            let first = try server.runToCompletion(on: device, type: "executor.ping", payload: [:], timeout: 20, log: executor.output)
            try #require(first["state"] == "succeeded", "executor.ping before any outage: \(first)\n\(executor.output)")
            checks.check(Self.reconnections(in: executor.output) == 0, "no reconnection before an outage:\n\(executor.output)")

            // The first outage is long enough for a backoff without a cap of a few seconds to grow far past one.
            for (outage, seconds) in [(1, 22.0), (2, 4.0)] {
                remote.kill9()
                Thread.sleep(forTimeInterval: seconds)
                try remote.start()
                let ready = Date()
                let command = try server.runToCompletion(on: device, type: "executor.ping", payload: ["outage": .int(Int64(outage))],
                                                         timeout: 40, log: executor.output)
                let took = Date().timeIntervalSince(ready)
                checks.check(command["state"] == "succeeded", "executor.ping after outage \(outage): \(command)")
                checks.check(took <= 8, "after \(seconds) s down the command succeeded \(took.rounded()) s after the server was ready"
                             + " (no more than 8 s)\n\(executor.output)")
                checks.check(Self.reconnections(in: executor.output) == outage,
                             "one reconnection line per outage after outage \(outage):\n\(executor.output)")
            }
            let delays = Self.retryDelays(in: executor.output)
            checks.check(!delays.isEmpty && delays.allSatisfy { $0 <= 4 },
                         "every retry pause is at most 4 s: \(delays.max() ?? -1) s at most over \(delays.count) retries")
            executor.stop()
            checks.check(Self.reconnections(in: executor.output) == 2, "no reconnection line but the two:\n\(executor.output)")
        }
        checks.record()
    }
}
