import FleetSystem

/// The executor's private directory (`--state-dir`): identity, command journal, telemetry outbox.
public struct StateDirectory: Sendable {
    public let path: String

    public init(_ path: String) {
        self.path = path
    }

    public func file(_ name: String) -> String { FilePath.join(path, name) }

    /// Creates the directory (0700) when missing.
    public func prepare() throws {
        try FileSystem.createDirectory(path, mode: 0o700)
    }
}

/// A failure of the executor that is safe to show and to report to the server.
public struct ExecutorError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
