import Glibc

/// The file operations Fleet's device-side code needs, straight over POSIX calls.
///
/// Foundation's `FileManager` would bring several megabytes into the static executor; these cover
/// what it used: whole-file reads, atomic writes, directories and removal.
public enum FileSystem {
    /// Reads a whole file, regular or not (`/proc` files report size 0 and are read to their end).
    /// - Throws: `SystemError` when the file cannot be opened or read.
    public static func read(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        var bytes = [UInt8]()
        if fstat(fd, &info) == 0 && info.st_size > 0 { bytes.reserveCapacity(Int(info.st_size)) }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError(operation: "read", path: path, errno: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Reads a whole file; nil when it does not exist.
    /// - Throws: `SystemError` for any other failure (permissions, a directory, I/O).
    public static func readIfPresent(_ path: String) throws(SystemError) -> [UInt8]? {
        do { return try read(path) } catch where error.isNotFound { return nil }
    }

    /// Reads a file as UTF-8 text (invalid sequences replaced); nil when it cannot be read.
    public static func readText(_ path: String) -> String? {
        guard let bytes = try? read(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Replaces `path` atomically: writes a temporary file beside it, syncs it, renames it over.
    /// A crash leaves either the old file or the new one, never half of one.
    /// - Throws: `SystemError`; the temporary file is removed on failure.
    public static func writeAtomically(_ bytes: some Collection<UInt8>, to path: String, mode: mode_t = 0o600) throws(SystemError) {
        let temporary = FilePath.join(FilePath.parent(path), ".\(FilePath.lastComponent(path)).\(getpid()).tmp")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemError(operation: "create", path: temporary, errno: errno) }
        var failure: SystemError?
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in writeAll(fd, UnsafeRawBufferPointer(buffer)) }
            ?? Array(bytes).withUnsafeBytes { writeAll(fd, $0) }
        if let code = contiguous {
            failure = SystemError(operation: "write", path: temporary, errno: code)
        } else if fchmod(fd, mode) != 0 {
            failure = SystemError(operation: "chmod", path: temporary, errno: errno)
        } else if fsync(fd) != 0 {
            failure = SystemError(operation: "sync", path: temporary, errno: errno)
        }
        close(fd)
        if failure == nil && rename(temporary, path) != 0 {
            failure = SystemError(operation: "replace", path: path, errno: errno)
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
    }

    /// Writes every byte, retrying short writes and EINTR; the errno of a failure, nil on success.
    private static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32? {
        var offset = 0
        while offset < buffer.count {
            let count = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += count
        }
        return nil
    }

    /// True when something exists at `path` (following symbolic links).
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// True when `path` is a directory (following symbolic links).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates a directory and any missing parents; existing directories are left as they are.
    /// - Parameter mode: for the directories this call creates.
    /// - Throws: `SystemError` when a component cannot be created or is not a directory.
    public static func createDirectory(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        if isDirectory(path) { return }
        let parent = FilePath.parent(path)
        if parent != path && parent != "." && parent != "/" { try createDirectory(parent, mode: mode) }
        if mkdir(path, mode) != 0 {
            let code = errno
            if code == EEXIST && isDirectory(path) { return }
            throw SystemError(operation: "create the directory", path: path, errno: code)
        }
    }

    /// Names in a directory, without `.` and `..`, sorted.
    /// - Throws: `SystemError` when it cannot be opened.
    public static func contentsOfDirectory(_ path: String) throws(SystemError) -> [String] {
        guard let directory = opendir(path) else { throw SystemError(operation: "list", path: path, errno: errno) }
        defer { closedir(directory) }
        var names = [String]()
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Removes a file, a symbolic link or a directory with everything in it. A missing path is not an error.
    /// - Throws: `SystemError` for the first entry that cannot be removed.
    public static func remove(_ path: String) throws(SystemError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw SystemError(operation: "inspect", path: path, errno: errno)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in try contentsOfDirectory(path) { try remove(FilePath.join(path, name)) }
            if rmdir(path) != 0 && errno != ENOENT { throw SystemError(operation: "remove", path: path, errno: errno) }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw SystemError(operation: "remove", path: path, errno: errno)
        }
    }
}
