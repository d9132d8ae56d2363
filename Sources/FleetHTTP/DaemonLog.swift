import Glibc
import Synchronization

/// Receives libmicrohttpd's diagnostics: writes them to standard error and keeps the latest few so that a
/// failed start can say why.
final class DaemonLog: Sendable {
    private let recent = Mutex<[String]>([])
    private static let kept = 8

    func record(_ message: String) {
        let line = message.trimmingCharacters(in: "\n")
        recent.withLock { lines in
            lines.append(line)
            if lines.count > Self.kept { lines.removeFirst(lines.count - Self.kept) }
        }
        let text = "FleetHTTP: \(line)\n"
        _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    }

    /// Messages recorded since the last call, oldest first.
    func drain() -> [String] {
        recent.withLock { lines in
            defer { lines.removeAll() }
            return lines
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var text = Substring(self)
        while text.last == character { text = text.dropLast() }
        return String(text)
    }
}
