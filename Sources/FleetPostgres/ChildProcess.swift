import Foundation

/// Runs a command to completion with posix_spawn and waitpid, its output going to a log file.
///
/// Foundation's `Process` is not used: it notices the end of a child through a descriptor the child
/// inherits, so a child that starts a daemon (`pg_ctl start`) never counts as finished.
enum ChildProcess {
    /// - Parameters:
    ///   - account: run as this user through `runuser` (or `setpriv`); nil runs as the current user.
    ///   - log: where to write the output; a temporary file (deleted afterwards) when nil.
    /// - Returns: the exit status and the last 4 KB of output.
    static func run(_ executable: String, _ arguments: [String], as account: ClusterAccount? = nil,
                    log: URL? = nil) throws -> (status: Int32, output: String) {
        var argv: [String]
        if let account {
            if let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first(where: isExecutable) {
                argv = [runuser, "-u", account.name, "--", executable] + arguments
            } else if let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first(where: isExecutable) {
                argv = [setpriv, "--reuid=\(account.uid)", "--regid=\(account.gid)", "--init-groups", executable] + arguments
            } else {
                throw PostgresError(kind: .connection, message: "runuser not found: install util-linux to run PostgreSQL as \(account.name)")
            }
        } else {
            argv = [executable] + arguments
        }
        let logURL = log ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("fleet-pg-\(UUID().uuidString.prefix(8)).log")
        defer { if log == nil { try? FileManager.default.removeItem(at: logURL) } }

        let outputFD = open(logURL.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard outputFD >= 0 else { throw PostgresError(kind: .connection, message: "cannot create \(logURL.path)") }
        defer { close(outputFD) }
        if let account { fchown(outputFD, account.uid, account.gid) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 2)

        // Start in "/" so the unprivileged account never needs to read the caller's working directory.
        argv = ["/usr/bin/env", "-C", "/"] + argv
        var pid: pid_t = 0
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else {
            throw PostgresError(kind: .connection, message: "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw PostgresError(kind: .connection, message: "waiting for \(executable) failed") }
        }
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitStatus, tail(of: logURL))
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
