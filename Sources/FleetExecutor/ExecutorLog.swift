import FoundationEssentials
import Glibc

/// Lines on standard error, each stamped with the time.
public enum ExecutorLog {
    public static func write(_ message: String) {
        let line = "\(Date().formatted(.iso8601)) \(message)\n"
        _ = line.withCString { Glibc.write(2, $0, strlen($0)) }
    }
}
