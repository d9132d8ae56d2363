import Glibc

/// A file being written next to its final path (`<path>.partial-<pid>`) that takes the final name only
/// on `commit()`; dropped without a commit, it is closed and removed, and `path` is left as it was.
final class PartialFile {
    let path: String
    let temporaryPath: String
    private var descriptor: Int32
    private var committed = false

    /// - Throws: `FleetClientError` (`.invalidConfiguration`) when the temporary file cannot be created.
    init(replacing path: String) throws {
        self.path = path
        temporaryPath = "\(path).partial-\(getpid())"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FleetClientError(kind: .invalidConfiguration, title: "cannot write \(path)", detail: String(cString: strerror(errno)))
        }
    }

    /// Appends all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw FleetClientError(kind: .invalidConfiguration, title: "cannot write \(path)", detail: String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    /// Flushes the file to disk and gives it its final name.
    func commit() throws {
        func fail() -> FleetClientError {
            FleetClientError(kind: .invalidConfiguration, title: "cannot write \(path)", detail: String(cString: strerror(errno)))
        }
        guard fsync(descriptor) == 0 else { throw fail() }
        let closed = close(descriptor)
        descriptor = -1
        guard closed == 0 else { throw fail() }
        guard rename(temporaryPath, path) == 0 else { throw fail() }
        committed = true
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if !committed { unlink(temporaryPath) }
    }
}
