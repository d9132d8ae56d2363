import Glibc
internal import CLibBPF

/// A failed eBPF operation, safe to show: it names the step, the object involved and the kernel's
/// error, and carries the verifier log when the kernel rejected a program.
public struct BPFError: Error, CustomStringConvertible, Sendable {
    /// The stage that failed.
    public enum Code: String, Sendable, Hashable {
        case open, rodata, load, attach, detach, update, pin, unpin, adopt, map, ringBuffer, probe, mount
        /// A program, map, variable or interface with the given name does not exist.
        case notFound
        /// The request cannot be applied to this program, map or value.
        case invalidArgument
        /// The kernel or libbpf cannot do this kind of operation.
        case unsupported
        /// A map's type, key size, value size or maximum entries differ from the map it should reuse.
        case layoutMismatch
    }

    public let code: Code
    /// The libbpf or system call (or the library step) that failed, e.g. `bpf_object__load`.
    public let operation: String
    /// What the operation was applied to: an object, program, map, variable or path.
    public let subject: String
    /// The `errno` value reported by the kernel or libbpf, when there is one.
    public let errno: Int32?
    /// A reason written by this library, when the failure did not come from a C call.
    public let reason: String?
    /// The verifier's log for the program the kernel rejected.
    public let verifierLog: String?
    /// The warnings libbpf printed during the failed call, without its `libbpf: ` prefix, e.g.
    /// `elf: 'x' is not a proper ELF object`.
    public let libbpfWarnings: [String]

    public init(code: Code, operation: String, subject: String, errno: Int32? = nil,
                reason: String? = nil, verifierLog: String? = nil, libbpfWarnings: [String] = []) {
        self.code = code
        self.operation = operation
        self.subject = subject
        self.errno = errno
        self.reason = reason
        self.verifierLog = verifierLog
        self.libbpfWarnings = libbpfWarnings
    }

    /// Text of `errno`, e.g. "Permission denied", or libbpf's for its own codes ("BPF object format invalid").
    public var errnoText: String? {
        errno.map { code in
            var buffer = [CChar](repeating: 0, count: 128)
            _ = libbpf_strerror(code, &buffer, buffer.count)
            return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }
    }

    /// Why the call failed in words: this library's reason, else what libbpf warned, joined with "; ".
    public var explanation: String? {
        reason ?? (libbpfWarnings.isEmpty ? nil : libbpfWarnings.joined(separator: "; "))
    }

    public var description: String {
        var text = "\(operation) failed for '\(subject)'"
        if let explanation { text += ": \(explanation)" }
        if let errno, let errnoText { text += explanation == nil ? ": \(errnoText) (errno \(errno))" : " (\(errnoText))" }
        if let line = verifierLog?.verifierSummary { text += "; verifier: \(line)" }
        return text
    }
}

extension String {
    /// The verifier's reason for rejecting a program: the lines after the last instruction trace line,
    /// without the statistics, joined with "; ".
    var verifierSummary: String? {
        let lines = split(whereSeparator: \.isNewline).map { String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()) }.filter { !$0.isEmpty }
        let lastInstruction = lines.lastIndex { $0.first?.isNumber == true && $0.contains(": ") } ?? -1
        let reason = lines[(lastInstruction + 1)...].filter {
            !$0.hasPrefix("processed ") && !$0.hasPrefix("verification time") && !$0.hasPrefix("stack depth")
                && !$0.hasPrefix("-- ")
        }
        return reason.isEmpty ? lines.last : reason.joined(separator: "; ")
    }
}
