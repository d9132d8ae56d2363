import Foundation
import FleetCore
import FleetExecutor
import FleetJSON
import Testing

/// TC filters are not BPF links and cannot be pinned: a restarted executor must find its filter again by the
/// handle it was attached with, so that the program keeps being its own and unload removes the filter.
@Suite(.serialized) struct ProgramManagerTCTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func tcFilterIsAdoptedByARestartedManagerAndUnloadRemovesIt() throws {
        let suffix = String(UUID().uuidString.prefix(6)).lowercased()
        let interface = "fltc\(suffix)"
        try Self.shell("/usr/sbin/ip", ["link", "add", interface, "type", "veth", "peer", "name", "\(interface)p"])
        defer { _ = try? Self.shell("/usr/sbin/ip", ["link", "del", interface]) }
        try Self.shell("/usr/sbin/ip", ["link", "set", interface, "up"])
        let state = StateDirectory("/tmp/fleet-tc-tests-\(getpid())-\(suffix)")
        defer { try? FileManager.default.removeItem(atPath: state.path) }
        let pinRoot = "/sys/fs/bpf/fleet-tc-test-\(suffix)"
        defer { _ = try? Self.shell("/bin/rm", ["-rf", pinRoot]) }

        let object = try [UInt8](Data(contentsOf: Self.root.appendingPathComponent("bpf/build/tc_classifier.bpf.o")))
        let digest = try Self.sha256(object)
        let fetch: ProgramManager.Fetch = { _ in object }
        let manifest: JSON = ["programs": [["name": "count_tc", "attach": ["type": "tc", "iface": .string(interface), "direction": "ingress"]]]]
        let request = try ProgramLoadRequest(payload: ["name": "tc-adopt", "program_id": .string(UUID().uuidString.lowercased()),
                                                       "sha256": .string(digest), "manifest": manifest])
        func filters() throws -> String { try Self.shell("/usr/sbin/tc", ["filter", "show", "dev", interface, "ingress"]) }

        let first = try ProgramManager(state: state, trust: .digestOnly, events: EventMetrics(), pinRoot: pinRoot, fetch: fetch)
        _ = try first.load(request)
        #expect(try filters().contains("count_tc"), "the classifier is attached")

        // The executor is killed: its objects stay as they are; a new one adopts what the first recorded.
        let second = try ProgramManager(state: state, trust: .digestOnly, events: EventMetrics(), pinRoot: pinRoot, fetch: fetch)
        #expect(second.adoptRecorded() == ["tc-adopt"])
        #expect(second.loadedNames == ["tc-adopt"])
        #expect(try filters().contains("count_tc"), "adoption leaves the classifier attached")

        _ = try second.unload(try ProgramUnloadRequest(payload: ["name": "tc-adopt"]))
        #expect(!(try filters().contains("count_tc")), "unload through the adopted deployment removes the filter")
        #expect(!FileManager.default.fileExists(atPath: "\(pinRoot)/tc-adopt"), "and its pins")
        withExtendedLifetime(first) {}
    }

    @discardableResult
    static func shell(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ExecutorError("\(executable) \(arguments.joined(separator: " ")): \(text)") }
        return text
    }

    static func sha256(_ bytes: [UInt8]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tc-digest-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return String(try shell("/usr/bin/sha256sum", [file.path]).prefix(64))
    }
}
