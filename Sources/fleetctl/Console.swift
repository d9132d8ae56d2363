import Foundation

/// Messages for people on stderr, so that stdout carries only results.
enum Console {
    static func error(_ message: String) {
        note("error: \(message)")
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
