import Foundation

/// Lines on standard error, stamped like the executor core's.
enum ExecutorLog {
    static func write(_ message: String) {
        FileHandle.standardError.write(Data("\(Date().formatted(.iso8601)) \(message)\n".utf8))
    }
}
