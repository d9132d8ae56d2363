#if canImport(Glibc)
import Glibc
#endif

extension BPFError {
    /// Turns a libbpf or `bpf(2)` return code into a thrown error. libbpf 1.x returns `-errno` and also
    /// sets `errno`; plain system calls return -1 and set `errno`.
    @discardableResult
    static func check(_ result: Int32, _ code: Code, _ operation: String, _ subject: String) throws(BPFError) -> Int32 {
        guard result < 0 else { return result }
        throw BPFError(code: code, operation: operation, subject: subject, errno: result == -1 ? Glibc.errno : -result)
    }

    /// Unwraps a pointer returned by libbpf, which reports failure as NULL with `errno` set.
    static func check<Pointer>(_ pointer: Pointer?, _ code: Code, _ operation: String, _ subject: String) throws(BPFError) -> Pointer {
        guard let pointer else {
            let saved = Glibc.errno
            throw BPFError(code: code, operation: operation, subject: subject, errno: saved == 0 ? EINVAL : saved)
        }
        return pointer
    }
}
