import Foundation
import FleetClient
import FleetJSON
import Testing

// Shared helpers for the integration suites (role matrix, bad input, devices, commands, cross-process,
// database outage, system endpoints). Blocking work that can take long (long-polls, child processes) runs on
// its own thread so the Swift concurrency pool, two threads wide on small machines, stays free.

/// Runs blocking work on a dedicated thread and resumes the caller when it is done.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

/// Blocking work started at once on its own thread. It records when it finished, on that thread, so timings
/// do not depend on when the (possibly busy) concurrency pool gets round to resuming the test.
final class BackgroundCall<Value: Sendable>: @unchecked Sendable {  // mutable state only under `condition`
    let startedAt = ContinuousClock.now
    private let condition = NSCondition()
    private var outcome: Result<Value, any Error>?
    private var finished: ContinuousClock.Instant?

    init(_ body: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            let result = Result { try body() }
            condition.lock()
            outcome = result
            finished = .now
            condition.broadcast()
            condition.unlock()
        }
        thread.start()
    }

    /// Waits, off the concurrency pool, for the result.
    func value() async throws -> Value {
        try await onOwnThread { try self.wait() }
    }

    /// When the work finished (after `value()` returned).
    var finishedAt: ContinuousClock.Instant {
        condition.lock()
        defer { condition.unlock() }
        return finished ?? .now
    }

    /// How long the work took, start to finish.
    var duration: Duration { finishedAt - startedAt }

    /// Blocks the calling thread until the result is there; only for code already on its own thread.
    func wait() throws -> Value {
        condition.lock()
        defer { condition.unlock() }
        while outcome == nil { condition.wait() }
        return try outcome!.get()
    }
}

/// Expectations gathered on a plain thread (where Swift Testing cannot attribute issues) and recorded later.
final class Observations: @unchecked Sendable {  // `items` only under `lock`
    private let lock = NSLock()
    private var items: [(what: String, ok: Bool)] = []

    func check(_ ok: Bool, _ what: String) {
        lock.withLock { items.append((what, ok)) }
    }

    /// Records one expectation per check, on the test's task.
    func record(sourceLocation: SourceLocation = #_sourceLocation) {
        for item in lock.withLock({ items }) { #expect(item.ok, "\(item.what)", sourceLocation: sourceLocation) }
    }
}

/// Blocking variant of `eventually` for code running on its own thread.
func eventuallyBlocking(timeout seconds: Double, every interval: Double = 0.05, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        Thread.sleep(forTimeInterval: interval)
    }
}

extension TestServer.Answer {
    /// Whether this `/metrics` answer reports exactly `count` held long-polls.
    func showsHeldLongPolls(_ count: Int) -> Bool {
        String(decoding: body, as: UTF8.self).split(separator: "\n").contains { $0 == "fleet_longpolls_held \(count)" }
    }
}

/// Polls `condition` until it holds or `timeout` runs out; returns whether it held.
func eventually(timeout: Duration, every interval: Duration = .milliseconds(100),
                _ condition: () throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while true {
        if try condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: interval)
    }
}

extension TestServer.Answer {
    /// The `detail` of a problem+json answer.
    var problemDetail: String? { json["detail"]?.stringValue }

    /// True for a 4xx/5xx answer in problem+json with a non-empty `detail`.
    var isProblem: Bool {
        (header("Content-Type") ?? "").lowercased().hasPrefix("application/problem+json") && !(problemDetail ?? "").isEmpty
    }

    var items: [JSON] { json["items"]?.arrayValue ?? [] }
    var itemIDs: [String] { items.compactMap { $0["id"]?.stringValue } }
}

/// Records an issue unless `answer` is a problem+json answer with exactly `status`.
func expectProblem(_ answer: TestServer.Answer, _ status: Int, _ what: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(answer.status == status, "\(what): expected \(status), got \(answer)", sourceLocation: sourceLocation)
    #expect(answer.isProblem, "\(what): not problem+json with a detail: \(answer.headers) \(answer)", sourceLocation: sourceLocation)
}

extension TestServer {
    /// Ids of `GET /v1/devices?<query>` (one page), as the admin sees them.
    func listedDeviceIDs(_ query: String) throws -> Set<String> {
        let answer = try call("GET", "/v1/devices?\(query)", token: adminToken)
        try #require(answer.status == 200, "GET /v1/devices?\(query): \(answer)")
        return Set(answer.itemIDs)
    }

    /// A fresh command for `device`; requires 201 and returns its id.
    func queuedCommand(for device: String, type: String = "executor.ping", extra: [String: JSON] = [:]) throws -> String {
        let answer = try sendCommand(to: device, type: type, extra: extra)
        try #require(answer.status == 201, "creating a command: \(answer)")
        return try #require(answer.json["id"]?.stringValue)
    }

    /// The command as `GET /v1/commands/{id}` shows it.
    func command(_ id: String) throws -> JSON {
        let answer = try call("GET", "/v1/commands/\(id)", token: adminToken)
        try #require(answer.status == 200, "GET /v1/commands/\(id): \(answer)")
        return answer.json
    }

    /// The device as `GET /v1/devices/{id}` shows it.
    func device(_ id: String) throws -> JSON {
        let answer = try call("GET", "/v1/devices/\(id)", token: adminToken)
        try #require(answer.status == 200, "GET /v1/devices/\(id): \(answer)")
        return answer.json
    }

    /// `GET /v1/executor/commands?wait=N`, started at once on its own thread; the caller does other things meanwhile.
    func longPoll(_ deviceToken: String, wait: Int) -> BackgroundCall<TestServer.Answer> {
        BackgroundCall { try self.call("GET", "/v1/executor/commands?wait=\(wait)", token: deviceToken, timeout: .seconds(wait + 30)) }
    }
}

/// Things about the built package: where the `fleet-server` binary is.
enum BuiltProducts {
    /// The package root, three levels above this file (Tests/FleetServerTests/<file>).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Where the binaries are: beside the running test bundle (so `--scratch-path` builds test their own), else
    /// `.build/debug`.
    static let directory: URL = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        if FileManager.default.isExecutableFile(atPath: bundle.appendingPathComponent("fleet-server").path) { return bundle }
        return packageRoot.appendingPathComponent(".build/debug")
    }()

    static var fleetServer: URL { directory.appendingPathComponent("fleet-server") }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try #require(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    try #require(bound == 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    try #require(named == 0)
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Runs `fleet-server` with `arguments` to completion; returns its exit status and standard output.
func runFleetServer(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
    try await onOwnThread {
        let process = Process()
        process.executableURL = BuiltProducts.fleetServer
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: NSTemporaryDirectory())
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }
}

/// A `fleet-server serve` child process on a loopback port; terminated by `stop()` (or when released).
final class ServerProcess: @unchecked Sendable {  // the Process is only touched in init and stop(), never concurrently
    let process = Process()
    let port: Int
    var client: HTTPEndpoint { HTTPEndpoint(base: "http://127.0.0.1:\(port)") }
    private let dataDirectory: URL

    /// Starts the server over `conninfo` and waits until `/healthz` answers.
    init(conninfo: String, heartbeatInterval: Int = 60) async throws {
        port = try freeLoopbackPort()
        dataDirectory = URL(fileURLWithPath: "/tmp/fleet-tests-\(getpid())/process-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        try #require(FileManager.default.isExecutableFile(atPath: BuiltProducts.fleetServer.path),
                     "build first: \(BuiltProducts.fleetServer.path) is missing")
        process.executableURL = BuiltProducts.fleetServer
        process.arguments = ["serve", "--database-url", conninfo, "--listen", "127.0.0.1:\(port)", "--threads", "4",
                             "--heartbeat-interval", String(heartbeatInterval), "--data-dir", dataDirectory.path]
        process.currentDirectoryURL = dataDirectory
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let client = self.client
        let up = try await eventually(timeout: .seconds(20)) {
            (try? client.call("GET", "/healthz", timeout: .seconds(2)))?.status == 200
        }
        if !up { stop() }
        try #require(up, "fleet-server serve did not come up on port \(port)")
    }

    deinit { stop() }

    /// Sends SIGTERM (SIGKILL after 10 s) and waits for the process to exit.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Any Fleet server by base URL (a child process, for instance), called like `TestServer.call`.
struct HTTPEndpoint: Sendable {
    let base: String

    @discardableResult
    func call(_ method: String, _ path: String, token: String? = nil, json: JSON? = nil,
              timeout: Duration = .seconds(30)) throws -> TestServer.Answer {
        var headers: [(name: String, value: String)] = []
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if json != nil { headers.append(("Content-Type", "application/json")) }
        let response = try CurlTransport().send(HTTPRequest(method: HTTPMethod(rawValue: method), url: base + path, headers: headers,
                                                            body: json?.serializedBytes(), timeout: timeout))
        return TestServer.Answer(status: response.status, headers: response.headers, body: response.body)
    }
}
