import Foundation

/// Plain lines on standard error, prefixed with the UTC time.
public enum Log {
    public static func info(_ message: String) { write("info", message) }
    public static func error(_ message: String) { write("error", message) }

    private static func write(_ level: String, _ message: String) {
        FileHandle.standardError.write(Data("\(Date().formatted(.iso8601)) \(level) \(message)\n".utf8))
    }
}
