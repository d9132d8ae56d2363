import Foundation
import FleetBPF

/// The compiled objects of `bpf/`, built with `make -C bpf` once per test process when missing.
enum TestObjects {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private static let build: Result<Void, TestFailure> = {
        let result = Shell.run(["make", "-s", "-C", repositoryRoot.appendingPathComponent("bpf").path])
        return result.status == 0 ? .success(()) : .failure(TestFailure("make -C bpf failed: \(result.output)"))
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        try build.get()
        let path = repositoryRoot.appendingPathComponent("bpf/build/\(name).bpf.o").path
        guard let data = FileManager.default.contents(atPath: path) else { throw TestFailure("missing \(path)") }
        return [UInt8](data)
    }

    static func open(_ name: String) throws -> BPFObjectFile {
        try BPFObjectFile.open(bytes: bytes(name), name: name)
    }

    static func load(_ name: String) throws -> BPFObject {
        try open(name).load()
    }

    /// A name no other test run uses, for pins, namespaces and interfaces.
    static func uniqueSuffix() -> String {
        String(UInt32.random(in: 0...UInt32.max), radix: 16)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum Shell {
    /// Runs a command to completion; stdout and stderr are returned together.
    @discardableResult
    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = "/opt/swift/usr/bin:/usr/sbin:/usr/bin:/sbin:/bin:" + (environment["PATH"] ?? "")
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs a command and throws when it fails.
    @discardableResult
    static func check(_ arguments: [String]) throws -> String {
        let result = run(arguments)
        guard result.status == 0 else { throw TestFailure("\(arguments.joined(separator: " ")): \(result.output)") }
        return result.output
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(5), _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}

/// Makes `count` getpid system calls.
func makeSyscalls(_ count: Int) {
    for _ in 0..<count { _ = getpid() }
}

/// The getpid system call number, the key syscall_count uses for it.
#if arch(x86_64)
let getpidSyscall: UInt64 = 39
#elseif arch(arm64)
let getpidSyscall: UInt64 = 172
#endif
