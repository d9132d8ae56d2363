import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The unprivileged user that runs the cluster when this process is root (PostgreSQL refuses root).
struct ClusterAccount: Sendable {
    let name: String
    let uid: uid_t
    let gid: gid_t

    /// Nil when not running as root: the binaries then run as the current user.
    /// - Throws: `.connection` when root but neither `postgres` nor `nobody` exists.
    static func forCurrentProcess() throws -> ClusterAccount? {
        guard geteuid() == 0 else { return nil }
        for name in ["postgres", "nobody"] {
            if let account = lookup(name) { return account }
        }
        throw PostgresError(kind: .connection,
                            message: "running as root, but neither user postgres nor nobody exists to run PostgreSQL")
    }

    private static func lookup(_ name: String) -> ClusterAccount? {
        var entry = passwd()
        var buffer = [CChar](repeating: 0, count: 16_384)
        var result: UnsafeMutablePointer<passwd>?
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return ClusterAccount(name: name, uid: entry.pw_uid, gid: entry.pw_gid)
    }

    /// Gives `path` (not recursively) to this account.
    func own(_ path: String) throws {
        guard chown(path, uid, gid) == 0 else {
            throw PostgresError(kind: .connection, message: "cannot chown \(path) to \(name): \(String(cString: strerror(errno)))")
        }
    }

    /// Whether this account can reach `directory` (search permission on it and every ancestor).
    func canTraverse(_ directory: String) -> Bool {
        (try? ChildProcess.run("/usr/bin/test", ["-x", directory], as: self).status) == 0
    }
}
