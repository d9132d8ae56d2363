import Foundation

/// How `fleet-server serve` was asked to run.
public struct ServerOptions: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// HTTP worker threads. Handlers wait on the database, so more threads than cores keep both busy.
    public var threads = ServerOptions.defaultThreads
    public static var defaultThreads: Int { max(8, 4 * ProcessInfo.processInfo.activeProcessorCount) }
    public var dataDirectory = URL(fileURLWithPath: ".fleet")
    /// nil: run the embedded PostgreSQL under `<data-dir>/postgres`.
    public var databaseURL: String?
    public var heartbeatIntervalSeconds = 60
    public var maxBodyBytes = 1 << 20
    /// Largest streamed upload (a program object with its form fields); 413 beyond.
    public var maxUploadBytes = 256 << 20
    /// Where uploads are staged while they are validated (anonymous files, unlinked at once); nil for the system's temporary directory.
    public var uploadStagingDirectory: String?
    /// Database connections per process; by default enough for every HTTP thread plus maintenance.
    public var databaseConnections: Int?
    /// Days of telemetry kept; older day partitions are dropped and older points are not accepted.
    public var telemetryRetentionDays = 7

    public init() {}
}
