import FoundationEssentials
import Glibc
import FleetCore

/// Lines on standard error, each stamped with the time (RFC 3339, UTC).
public enum ExecutorLog {
    public static func write(_ message: String) {
        let line = "\(Timestamp.format(Date())) \(message)\n"
        _ = line.withCString { Glibc.write(2, $0, strlen($0)) }
    }
}
