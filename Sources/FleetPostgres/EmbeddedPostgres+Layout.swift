import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension EmbeddedPostgres {
    /// The real data directory: `directory` with symlinks resolved.
    var dataDirectory: URL { directory.resolvingSymlinksInPath() }

    /// The data directory itself when the socket path fits `sun_path`, else `/tmp/fleet-pg-<hash>`.
    func socketDirectory(for data: URL) -> String {
        "\(data.path)/.s.PGSQL.\(port)".utf8.count <= 100 ? data.path : "/tmp/fleet-pg-\(Self.shortHash(data.path))"
    }

    /// Creates (or finds) the data directory, owned by `account`, and returns its real location.
    func prepareDataDirectory(for account: ClusterAccount?) throws -> URL {
        let manager = FileManager.default
        let path = directory.path
        if (try? manager.destinationOfSymbolicLink(atPath: path)) != nil {
            let real = dataDirectory
            try makePrivateDirectory(real.path, owner: account)
            return real
        }
        if manager.fileExists(atPath: directory.appendingPathComponent("PG_VERSION").path) { return directory }
        if manager.fileExists(atPath: path), !((try? manager.contentsOfDirectory(atPath: path))?.isEmpty ?? false) {
            throw PostgresError(kind: .connection, message: "\(path) exists but is not an empty directory or a PostgreSQL cluster")
        }
        let parent = directory.deletingLastPathComponent().path
        try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        if let account, !account.canTraverse(parent) {
            let real = "/var/lib/fleet/postgres-\(Self.shortHash(path))"
            try manager.createDirectory(atPath: "/var/lib/fleet", withIntermediateDirectories: true)
            try makePrivateDirectory(real, owner: account)
            try? manager.removeItem(atPath: path)
            try manager.createSymbolicLink(atPath: path, withDestinationPath: real)
            return URL(fileURLWithPath: real)
        }
        try makePrivateDirectory(path, owner: account)
        return directory
    }

    /// Creates the socket directory when it is not the data directory, refusing one owned by someone else.
    func prepareSocketDirectory(for data: URL, account: ClusterAccount?) throws -> String {
        let socket = socketDirectory(for: data)
        if socket != data.path { try makePrivateDirectory(socket, owner: account) }
        return socket
    }

    /// Ensures `path` is a real directory (not a symlink) with mode 0700, owned by `owner` (or by us).
    private func makePrivateDirectory(_ path: String, owner: ClusterAccount?) throws {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw PostgresError(kind: .connection, message: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        let allowed: Set<uid_t> = [geteuid(), owner?.uid ?? geteuid()]
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, allowed.contains(info.st_uid) else {
            throw PostgresError(kind: .connection, message: "\(path) is not a directory owned by this user or the cluster's user")
        }
        try owner?.own(path)
        chmod(path, 0o700)
    }

    /// Deletes lock files left by a killed server, which PostgreSQL may refuse to override
    /// (e.g. when the recorded pid now belongs to a process it may not signal).
    func removeStaleLockFiles(data: URL, socket: String) {
        for file in [data.appendingPathComponent("postmaster.pid"), URL(fileURLWithPath: "\(socket)/.s.PGSQL.\(port).lock")]
        where FileManager.default.fileExists(atPath: file.path) && !postmasterIsAlive(lockFile: file, data: data) {
            try? FileManager.default.removeItem(at: file)
        }
    }

    /// Whether the pid on the lock file's first line is a live postmaster of this cluster
    /// (a postmaster's working directory is its data directory).
    func postmasterIsAlive(lockFile: URL, data: URL) -> Bool {
        guard let text = try? String(contentsOf: lockFile, encoding: .utf8),
              let pid = text.split(separator: "\n").first.flatMap({ pid_t($0.trimmingCharacters(in: .whitespaces)) }),
              pid > 0
        else { return false }
        #if os(Linux)
        guard let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd") else { return false }
        return URL(fileURLWithPath: cwd).standardizedFileURL.path == data.standardizedFileURL.path
        #else
        return kill(pid, 0) == 0 || errno == EPERM
        #endif
    }

    /// 8 hex digits of a stable (FNV-1a) hash of `text`.
    static func shortHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let folded = UInt32(truncatingIfNeeded: hash ^ (hash >> 32))
        let hex = String(folded, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
