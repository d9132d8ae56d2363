import Foundation
import FleetJSON
import FleetPostgres
import Testing

// Helpers for the executor end-to-end suite: the `fleet-executor` binary as a child process with its own state
// directory, a `fleet-server` child that can be killed and started again on the same port, and small wrappers
// around bpftool, ip and the telemetry API. Every resource made here is cleaned up by its owner's `cleanUp()`.

extension BuiltProducts {
    static var fleetExecutor: URL { directory.appendingPathComponent("fleet-executor") }
    static var bpfBuild: URL { packageRoot.appendingPathComponent("bpf/build") }
    static var bpfSources: URL { packageRoot.appendingPathComponent("bpf") }
}

/// `fleet-executor` enrolled against a server, run as a separate process (`--telemetry-interval 1`).
final class ExecutorProcess: @unchecked Sendable {  // `process` is only touched from the test's own thread
    /// The long-polls a running executor keeps held on the server: commands and the desired state.
    static let heldLongPolls = 2

    let stateDirectory: URL
    let deviceID: String
    private var process: Process?
    private let log: URL

    /// Enrols with a fresh enrolment token from `server` (auto-approved, giving `labels`) against `serverURL`, as
    /// `hardwareID` (default: the host's machine id, so two executors on one host need one each).
    init(server: TestServer, serverURL: String? = nil, labels: [String: String] = [:], hardwareID: String? = nil) throws {
        stateDirectory = URL(fileURLWithPath: "/tmp/fleet-tests-\(getpid())/e2e-executor-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        log = stateDirectory.appendingPathComponent("executor.log")
        try #require(FileManager.default.isExecutableFile(atPath: BuiltProducts.fleetExecutor.path),
                     "build first: \(BuiltProducts.fleetExecutor.path) is missing")
        let token = try server.createEnrollmentToken(labels: labels)
        let enrolled = try ProgramFixtures.run(BuiltProducts.fleetExecutor.path,
                                               ["enroll", "--server", serverURL ?? server.base, "--token", token,
                                                "--name", "e2e-\(UUID().uuidString.prefix(6))", "--state-dir", stateDirectory.path]
                                                + (hardwareID.map { ["--hardware-id", $0] } ?? []))
        try #require(enrolled.status == 0, "fleet-executor enroll: \(enrolled.output) \(enrolled.errors)")
        let identity = try JSON.parse([UInt8](Data(contentsOf: stateDirectory.appendingPathComponent("identity.json"))))
        deviceID = try #require(identity["device_id"]?.stringValue)
    }

    /// Starts `fleet-executor run`; output goes to `executor.log` in the state directory.
    func start(extraArguments: [String] = []) throws {
        let process = Process()
        process.executableURL = BuiltProducts.fleetExecutor
        process.arguments = ["run", "--state-dir", stateDirectory.path, "--telemetry-interval", "1"] + extraArguments
        if !FileManager.default.fileExists(atPath: log.path) { FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
    }

    var isRunning: Bool { process?.isRunning ?? false }
    var pid: Int32? { process?.processIdentifier }

    /// SIGKILL: no clean-up code runs, as in a crash.
    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then SIGKILL after 10 s.
    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        kill9()
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Stops the process and removes pins it may have left under `names`, and its state.
    func cleanUp(pins names: [String]) {
        kill9()
        for name in names { try? removePins(name) }
        try? FileManager.default.removeItem(at: stateDirectory)
    }

    private func removePins(_ name: String) throws {
        let root = "/sys/fs/bpf/fleet/\(name)"
        for sub in ["links", "progs", "maps"] {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(sub)")) ?? [] {
                unlink("\(root)/\(sub)/\(entry)")
            }
            rmdir("\(root)/\(sub)")
        }
        rmdir(root)
    }
}

/// `fleet-server serve` on a fixed loopback port, which the test can kill and start again over the same database.
final class RestartableServer: @unchecked Sendable {  // `process` is only touched from the test's own thread
    let conninfo: String
    let port: Int
    private var process: Process?
    private let dataDirectory: URL

    var base: String { "http://127.0.0.1:\(port)" }

    init(conninfo: String) throws {
        self.conninfo = conninfo
        port = try freeLoopbackPort()
        dataDirectory = URL(fileURLWithPath: "/tmp/fleet-tests-\(getpid())/e2e-server-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
    }

    /// Starts the server and waits until `/healthz` answers.
    func start() throws {
        let process = Process()
        process.executableURL = BuiltProducts.fleetServer
        process.arguments = ["serve", "--database-url", conninfo, "--listen", "127.0.0.1:\(port)", "--threads", "4",
                             "--heartbeat-interval", "5", "--data-dir", dataDirectory.path]
        process.currentDirectoryURL = dataDirectory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let endpoint = HTTPEndpoint(base: base)
        let up = eventuallyBlocking(timeout: 20, every: 0.1) {
            (try? endpoint.call("GET", "/healthz", timeout: .seconds(2)))?.status == 200
        }
        try #require(up, "fleet-server serve did not come up on port \(port)")
    }

    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func cleanUp() {
        kill9()
        try? FileManager.default.removeItem(at: dataDirectory)
    }
}

/// A veth pair with one end in a network namespace: `host` (10.<a>.<b>.1/30) in the root namespace, its peer
/// (10.<a>.<b>.2/30) in `namespace`.
struct VethNamespace {
    let namespace: String
    let host: String
    let hostAddress: String
    let peerAddress: String

    init() throws {
        let tag = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(6)).lowercased()
        namespace = "fleet-e2e-\(tag)"
        host = "fh\(tag)"
        let peer = "fp\(tag)"
        let a = Int.random(in: 100...250), b = Int.random(in: 0...63) * 4
        hostAddress = "10.\(a).\(b).1"
        peerAddress = "10.\(a).\(b).2"
        let steps: [[String]] = [
            ["netns", "add", namespace],
            ["link", "add", host, "type", "veth", "peer", "name", peer],
            ["link", "set", peer, "netns", namespace],
            ["addr", "add", "\(hostAddress)/30", "dev", host],
            ["link", "set", host, "up"],
            ["-n", namespace, "addr", "add", "\(peerAddress)/30", "dev", peer],
            ["-n", namespace, "link", "set", peer, "up"],
            ["-n", namespace, "link", "set", "lo", "up"],
        ]
        for step in steps {
            let result = try ProgramFixtures.run("/usr/sbin/ip", step)
            if result.status != 0 {
                remove()
                try #require(result.status == 0, "ip \(step.joined(separator: " ")): \(result.errors)")
            }
        }
    }

    /// Sends `count` UDP datagrams ("fleet\\n", 48 bytes on the wire) from the namespace to the host end
    /// (bash's /dev/udp: the image has no ping).
    func sendUDPToHost(count: Int) throws -> Bool {
        let script = "for i in $(seq \(count)); do echo fleet > /dev/udp/\(hostAddress)/9; done"
        return try ProgramFixtures.run("/usr/sbin/ip", ["netns", "exec", namespace, "/bin/bash", "-c", script]).status == 0
    }

    func hostLinkText() throws -> String {
        try ProgramFixtures.run("/usr/sbin/ip", ["link", "show", host]).output
    }

    func remove() {
        _ = try? ProgramFixtures.run("/usr/sbin/ip", ["link", "del", host])
        _ = try? ProgramFixtures.run("/usr/sbin/ip", ["netns", "del", namespace])
    }
}

enum BPFTool {
    /// Whether the kernel still has a program with this id.
    static func programExists(id: Int64) throws -> Bool {
        try ProgramFixtures.run("/usr/sbin/bpftool", ["prog", "show", "id", String(id)]).status == 0
    }
}

extension TestServer {
    /// Uploads `bpf/build/<object>.bpf.o` with `manifest`; returns the program JSON.
    func uploadBPF(_ object: String, name: String, version: String = "1.0.0", manifest: String?) throws -> JSON {
        let url = BuiltProducts.bpfBuild.appendingPathComponent("\(object).bpf.o")
        try #require(FileManager.default.fileExists(atPath: url.path), "run `make -C bpf` first: \(url.path) is missing")
        let answer = try uploadProgram(name: name, version: version, object: url, manifest: manifest)
        try #require(answer.status == 201, "upload of \(object): \(answer)")
        return answer.json
    }

    /// Queues a command and waits until it is terminal; returns the command JSON.
    /// - Parameter log: shown when the command does not finish (the executor's output, say).
    func runToCompletion(on device: String, type: String, payload: JSON, timeout: Double = 45,
                         log: @autoclosure () -> String = "") throws -> JSON {
        let id = try queuedCommand(for: device, type: type, extra: ["payload": payload])
        var command: JSON = .null
        let done = try eventuallyBlocking(timeout: timeout, every: 0.1) {
            command = try self.command(id)
            return ["succeeded", "failed", "rejected", "expired", "canceled"].contains(command["state"]?.stringValue ?? "")
        }
        try #require(done, "\(type) did not finish within \(timeout) s: \(command)\n\(log())")
        return command
    }

    /// The latest value of each series of `metric` in the last `seconds`, keyed by their labels.
    func latestValues(device: String, metric: String, seconds: Int = 600, labels: String? = nil) throws -> [JSON: Double] {
        var path = "/v1/telemetry?device_id=\(device)&metric=\(metric)&agg=last&step=10"
            + "&from=\(Self.timestamp(Date().addingTimeInterval(-Double(seconds))))"
        if let labels { path += "&labels=\(labels.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? labels)" }
        let answer = try call("GET", path, token: adminToken)
        try #require(answer.status == 200, "GET \(path): \(answer)")
        var values: [JSON: Double] = [:]
        for series in answer.json["series"]?.arrayValue ?? [] {
            if let last = series["points"]?.arrayValue?.last?.arrayValue?.last?.doubleValue {
                values[series["labels"] ?? [:]] = last
            }
        }
        return values
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// The manifest shipped beside `bpf/<name>.bpf.c`.
func shippedManifest(_ name: String) throws -> (text: String, json: JSON) {
    let data = try Data(contentsOf: BuiltProducts.bpfSources.appendingPathComponent("\(name).manifest.json"))
    return (String(decoding: data, as: UTF8.self), try JSON.parse([UInt8](data)))
}
