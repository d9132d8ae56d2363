import Glibc

/// Owns one file descriptor (a program, map or link obtained from `bpf_obj_get` or `bpf_link_create`).
final class FileDescriptor: Sendable {
    let rawValue: Int32

    init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    deinit {
        close(rawValue)
    }
}
