import FoundationEssentials
import Glibc

/// The executor's private directory (`--state-dir`): identity, command journal, telemetry outbox.
public struct StateDirectory: Sendable {
    public let url: URL

    public init(_ path: String) {
        url = URL(fileURLWithPath: path)
    }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Creates the directory (0700) when missing.
    public func prepare() throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Writes a file atomically (temp file + rename) with the given mode, so a crash never leaves half a file.
    public static func writeAtomically(_ bytes: [UInt8], to file: URL, mode: mode_t = 0o600) throws {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(getpid()).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw ExecutorError("cannot write \(temporary.path): \(String(cString: strerror(errno)))") }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else {
                close(fd)
                throw ExecutorError("cannot write \(temporary.path): \(String(cString: strerror(errno)))")
            }
            written += n
        }
        fchmod(fd, mode)
        fsync(fd)
        close(fd)
        guard rename(temporary.path, file.path) == 0 else {
            throw ExecutorError("cannot replace \(file.path): \(String(cString: strerror(errno)))")
        }
    }
}

/// A failure of the executor that is safe to show and to report to the server.
public struct ExecutorError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
