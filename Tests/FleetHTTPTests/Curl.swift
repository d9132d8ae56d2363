import Foundation

/// Runs the curl command-line client; appends `-w` to learn the status code.
enum Curl {
    struct Result {
        let status: Int
        let body: String
    }

    static func run(_ arguments: [String], input: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments + ["--max-time", "20", "-w", "\n%{http_code}"]
        let output = Pipe()
        process.standardOutput = output
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        try process.run()
        if let input {
            onAnotherThread {
                try? inputPipe.fileHandleForWriting.write(contentsOf: input)
                try? inputPipe.fileHandleForWriting.close()
            }
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        guard let newline = text.lastIndex(of: "\n") else { return Result(status: 0, body: text) }
        let status = Int(text[text.index(after: newline)...]) ?? 0
        text = String(text[..<newline])
        return Result(status: status, body: text)
    }
}
