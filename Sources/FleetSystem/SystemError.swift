import Glibc

/// A failed system call on a file or directory: what was attempted, on which path, and `errno`.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    public let operation: String
    public let path: String
    public let errno: Int32

    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// True when the path does not exist.
    public var isNotFound: Bool { errno == ENOENT || errno == ENOTDIR }

    public var description: String { "cannot \(operation) \(path): \(String(cString: strerror(errno)))" }
}
