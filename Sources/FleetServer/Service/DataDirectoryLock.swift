import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive hold on a data directory, so that one process at a time runs the embedded PostgreSQL in it.
///
/// It is a `flock` on `<data-dir>/server.lock`, whose text is the holder's pid. The kernel releases it when the
/// process ends, however it ends: a killed server leaves no stale lock. The descriptor is close-on-exec, so the
/// PostgreSQL the holder starts does not keep it.
public final class DataDirectoryLock: Sendable {
    public let file: URL
    private let descriptor: Int32

    /// Takes the lock without waiting and writes this process's pid into the file.
    /// - Throws: `DataDirectoryLockError.inUse` when another process holds it; `.system` when the file cannot
    ///   be opened, locked or written.
    public init(directory: URL) throws(DataDirectoryLockError) {
        file = directory.appendingPathComponent("server.lock")
        let path = file.path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            let holder = failure == EWOULDBLOCK ? Self.recordedPID(fd) : nil
            close(fd)
            if failure == EWOULDBLOCK { throw .inUse(directory: directory.path, holder: holder) }
            throw .system(operation: "lock", path: path, errno: failure)
        }
        let text = Array("\(getpid())\n".utf8)
        guard ftruncate(fd, 0) == 0, pwrite(fd, text, text.count, 0) == text.count else {
            let failure = errno
            close(fd)
            throw .system(operation: "write", path: path, errno: failure)
        }
        descriptor = fd
    }

    /// Closing the descriptor releases the lock.
    deinit { close(descriptor) }

    /// The pid the holder wrote; nil while it has not written it yet.
    private static func recordedPID(_ fd: Int32) -> pid_t? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return pid_t(String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Why the data directory could not be locked. The text is safe to show.
public enum DataDirectoryLockError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Another process (pid `holder`, when known) holds the lock: a server or a `migrate`/`token create` on the same directory.
    case inUse(directory: String, holder: pid_t?)
    /// A system call on the lock file failed.
    case system(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .inUse(let directory, let holder):
            "the data directory \(directory) is in use by another fleet-server\(holder.map { " (pid \($0))" } ?? ""); "
                + "replicas share a database with --database-url"
        case .system(let operation, let path, let errno):
            "cannot \(operation) \(path): \(String(cString: strerror(errno)))"
        }
    }
}
