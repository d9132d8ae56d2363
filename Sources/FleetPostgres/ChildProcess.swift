import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command to completion and captures its output.
///
/// Uses `posix_spawn` rather than Foundation `Process`: on Linux, `Process` detects exit through a
/// socket the child inherits, so `waitUntilExit()` hangs until a daemon started by the child
/// (the postmaster started by `pg_ctl start`) exits too. Here every descriptor above 2 is closed.
enum ChildProcess {
    /// - Parameters:
    ///   - account: run as this user through `runuser` (or `setpriv`); nil runs as the current user.
    ///   - log: where to write stdout and stderr; a temporary file (deleted afterwards) when nil.
    /// - Returns: the exit status (128 + signal when killed) and the last 4 KB of output.
    static func run(_ executable: String, _ arguments: [String], as account: ClusterAccount? = nil,
                    log: URL? = nil) throws -> (status: Int32, output: String) {
        let argv = try commandLine(executable, arguments, as: account)
        let logURL = log ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("fleet-pg-\(UUID().uuidString.prefix(8)).log")
        defer { if log == nil { try? FileManager.default.removeItem(at: logURL) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInheritedDescriptors(&actions)
        if let addChdir = glibcFunction("posix_spawn_file_actions_addchdir_np", as: AddChdir.self) {
            _ = addChdir(&actions, "/")
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = noSignals
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, environ)
        guard spawned == 0 else {
            throw PostgresError(kind: .connection, message: "cannot run \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else {
                throw PostgresError(kind: .connection, message: "waiting for \(executable) failed: \(String(cString: strerror(errno)))")
            }
        }
        let signal = status & 0x7f
        return (signal == 0 ? (status >> 8) & 0xff : 128 + signal, tail(of: logURL))
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// glibc's `_np` spawn actions are not visible to Swift's Glibc module; look them up at run time.
    private static func glibcFunction<F>(_ name: String, as type: F.Type) -> F? {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name).map { unsafeBitCast($0, to: type) }
    }

    /// Closes every descriptor above 2 in the child (`addclosefrom_np`, glibc 2.34+, else the ones open now).
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let addCloseFrom = glibcFunction("posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self) {
            _ = addCloseFrom(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    private static func commandLine(_ executable: String, _ arguments: [String], as account: ClusterAccount?) throws -> [String] {
        guard let account else { return [executable] + arguments }
        if let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first(where: isExecutable) {
            return [runuser, "-u", account.name, "--", executable] + arguments
        }
        if let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first(where: isExecutable) {
            return [setpriv, "--reuid=\(account.uid)", "--regid=\(account.gid)", "--init-groups", executable] + arguments
        }
        throw PostgresError(kind: .connection, message: "runuser not found: install util-linux to run PostgreSQL as \(account.name)")
    }

    static func isExecutable(_ path: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: path)
    }

    /// The last `limit` bytes of a text file.
    static func tail(of file: URL, limit: Int = 4096) -> String {
        guard let data = try? Data(contentsOf: file) else { return "" }
        return String(decoding: data.suffix(limit), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
