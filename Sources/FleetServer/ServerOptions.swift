import Foundation

/// How `fleet-server serve` was asked to run.
public struct ServerOptions: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public var dataDirectory = URL(fileURLWithPath: ".fleet")
    /// nil: run the embedded PostgreSQL under `<data-dir>/postgres`.
    public var databaseURL: String?
    public var heartbeatIntervalSeconds = 60
    public var maxBodyBytes = 1 << 20
    /// Database connections per process; by default enough for every HTTP thread plus maintenance.
    public var databaseConnections: Int?

    public init() {}
}
