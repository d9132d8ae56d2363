import FleetSystem
import Glibc

/// Mounts the bpf filesystem (for pins) and tracefs (for tracepoint ids) when they are missing.
public enum BPFFileSystem {
    public static let bpfMountPoint = "/sys/fs/bpf"
    public static let traceFSMountPoint = "/sys/kernel/tracing"

    /// Mounts bpffs at `/sys/fs/bpf` unless one is mounted there already.
    /// - Throws: `BPFError` `.mount` (needs CAP_SYS_ADMIN in the initial mount namespace).
    public static func ensureMounted() throws(BPFError) {
        try ensure(type: "bpf", at: bpfMountPoint)
    }

    /// Mounts tracefs at `/sys/kernel/tracing` unless one is mounted there already.
    /// - Throws: `BPFError` `.mount`.
    public static func ensureTraceFSMounted() throws(BPFError) {
        try ensure(type: "tracefs", at: traceFSMountPoint)
    }

    /// True when a filesystem of `type` is mounted at `path`, according to `/proc/self/mounts`.
    static func isMounted(type: String, at path: String) -> Bool {
        // procfs reports size 0, so read to EOF rather than by the file's size.
        guard let text = FileSystem.readText("/proc/self/mounts") else { return false }
        return text.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 2 && fields[1] == path && fields[2] == type
        }
    }

    private static func ensure(type: String, at path: String) throws(BPFError) {
        if isMounted(type: type, at: path) { return }
        if mount(type, path, type, 0, nil) != 0 {
            let failure = errno
            // Another thread or process may have mounted it meanwhile.
            if failure == EBUSY && isMounted(type: type, at: path) { return }
            throw BPFError(code: .mount, operation: "mount \(type)", subject: path, errno: failure)
        }
    }
}
