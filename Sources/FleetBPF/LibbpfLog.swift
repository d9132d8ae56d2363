internal import CLibBPF
import Glibc

/// What libbpf prints through its print callback (`libbpf_set_print`), collected per thread while a call
/// runs, so that a failure can carry libbpf's own reason. Everything printed outside `collect`, and debug
/// messages always, goes on at once to the print function installed before (libbpf's default, which
/// writes warnings and information to standard error).
enum LibbpfLog {
    /// One warning or information message, as libbpf formatted it.
    struct Message {
        let level: libbpf_print_level
        /// The whole line, with libbpf's `libbpf: ` prefix and the newline.
        let text: String

        var isWarning: Bool { level == LIBBPF_WARN }

        /// The line without the prefix and the trailing newline, e.g. `elf: 'x' is not a proper ELF object`.
        var reason: String {
            let line = text.hasPrefix("libbpf: ") ? text.dropFirst("libbpf: ".count) : Substring(text)
            return String(line.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        }
    }

    /// Runs `body`, collecting the warnings and information libbpf prints on this thread meanwhile.
    /// Nested calls collect their own messages. Pass the messages on with `pass(_:)` when nothing else
    /// reports them.
    static func collect<Result>(_ body: () -> Result) -> (result: Result, messages: [Message]) {
        guard let key = installation.key else { return (body(), []) }
        let collector = Collector()
        let outer = pthread_getspecific(key)
        pthread_setspecific(key, Unmanaged.passUnretained(collector).toOpaque())
        let result = withExtendedLifetime(collector) { body() }
        pthread_setspecific(key, outer)
        return (result, collector.messages)
    }

    /// Prints collected messages the way they would have been printed had nothing collected them.
    static func pass(_ messages: [Message]) {
        guard let next = installation.next else { return }
        for message in messages {
            message.text.withCString { text in
                _ = withVaList([text]) { next(message.level, "%s", $0) }
            }
        }
    }

    private final class Collector {
        var messages: [Message] = []
    }

    // @unchecked: both values are set once, before libbpf can call `print`, and never change; a C function
    // pointer holds no state.
    private struct Installation: @unchecked Sendable {
        /// The thread-specific slot that holds the `Collector` of a running `collect`; nil when none could be made.
        let key: pthread_key_t?
        /// The print function libbpf had before ours.
        let next: libbpf_print_fn_t?
    }

    private static let installation: Installation = {
        var key = pthread_key_t()
        guard pthread_key_create(&key, nil) == 0 else { return Installation(key: nil, next: nil) }
        return Installation(key: key, next: libbpf_set_print(printCallback))
    }()

    private static let printCallback: libbpf_print_fn_t = { level, format, arguments in
        let installation = LibbpfLog.installation
        guard level != LIBBPF_DEBUG, let format, let arguments, let key = installation.key, let slot = pthread_getspecific(key) else {
            return installation.next?(level, format, arguments) ?? 0
        }
        var buffer = [CChar](repeating: 0, count: 1024)
        let written = vsnprintf(&buffer, buffer.count, format, arguments)
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        Unmanaged<Collector>.fromOpaque(slot).takeUnretainedValue().messages.append(Message(level: level, text: text))
        return written
    }
}
