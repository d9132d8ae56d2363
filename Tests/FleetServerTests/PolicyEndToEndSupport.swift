import Foundation
import FleetJSON
import Testing

// Helpers for the policy end-to-end suite: policies and device status through the API, and a pin root of its
// own per executor (two executors on one host would otherwise share /sys/fs/bpf/fleet/<name>).

extension TestServer {
    /// `PUT /v1/policies/{name}`; returns the answer (revision, changed).
    @discardableResult
    func putPolicy(_ name: String, _ document: JSON) throws -> JSON {
        let answer = try call("PUT", "/v1/policies/\(name)", token: adminToken, json: document)
        try #require(answer.status == 200 || answer.status == 201, "PUT /v1/policies/\(name): \(answer)")
        return answer.json
    }

    /// The revision of the device's rendered desired state.
    func desiredRevision(of device: String) throws -> String {
        let answer = try call("GET", "/v1/devices/\(device)/desired", token: adminToken)
        try #require(answer.status == 200, "GET /v1/devices/\(device)/desired: \(answer)")
        return try #require(answer.json["revision"]?.stringValue)
    }

    /// What the device last reported (`GET /v1/devices/{id}/status`).
    func reportedStatus(of device: String) throws -> JSON {
        let answer = try call("GET", "/v1/devices/\(device)/status", token: adminToken)
        try #require(answer.status == 200, "GET /v1/devices/\(device)/status: \(answer)")
        return answer.json
    }

    /// Waits until the device has reported its current desired revision with exactly `states`
    /// (`"program/<name>": "ready"`); returns the last report either way, and whether it matched.
    func awaitStatus(of device: String, _ states: [String: String], timeout: Double = 60) throws -> (matched: Bool, status: JSON) {
        var status: JSON = .null
        let matched = try eventuallyBlocking(timeout: timeout, every: 0.25) {
            status = try reportedStatus(of: device)
            return status["revision"]?.stringValue == (try desiredRevision(of: device)) && Self.itemStates(status) == states
        }
        return (matched, status)
    }

    /// A report's items as `"<kind>/<name>": state`.
    static func itemStates(_ status: JSON) -> [String: String] {
        Dictionary((status["items"]?.arrayValue ?? []).compactMap { item in
            guard let kind = item["kind"]?.stringValue, let name = item["name"]?.stringValue, let state = item["state"]?.stringValue else {
                return nil
            }
            return ("\(kind)/\(name)", state)
        }, uniquingKeysWith: { first, _ in first })
    }

    /// The value of an unlabelled counter or gauge on `/metrics` (0 when absent).
    func metric(_ name: String) throws -> Double {
        let text = String(decoding: try call("GET", "/metrics").body, as: UTF8.self)
        return text.split(separator: "\n").lazy.compactMap { line -> Double? in
            let parts = line.split(separator: " ")
            return parts.count == 2 && parts[0] == name ? Double(parts[1]) : nil
        }.first ?? 0
    }

    static func item(_ status: JSON, _ key: String) -> JSON? {
        status["items"]?.arrayValue?.first { "\($0["kind"]?.stringValue ?? "")/\($0["name"]?.stringValue ?? "")" == key }
    }
}

/// A directory of the bpf filesystem that one executor pins under (`--pin-root`), removed with everything in it.
struct PinRoot {
    let path = "/sys/fs/bpf/fleet-e2e-\(UUID().uuidString.prefix(8).lowercased())"

    var argument: [String] { ["--pin-root", path] }

    func folder(_ name: String) -> String { "\(path)/\(name)" }

    /// The kernel id of what `pin` (a path under this root) refers to: `prog` or `map`.
    func kernelID(_ kind: String, _ pin: String) throws -> Int64? {
        let shown = try ProgramFixtures.run("/usr/sbin/bpftool", ["-j", kind, "show", "pinned", "\(path)/\(pin)"])
        guard shown.status == 0 else { return nil }
        return (try? JSON.parse(Array(shown.output.utf8)))?["id"]?.int64Value
    }

    func exists(_ pin: String) -> Bool { FileManager.default.fileExists(atPath: "\(path)/\(pin)") }

    /// Unpins everything (after the executor is gone, which releases the programs).
    func remove() {
        for deployment in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            for sub in ["links", "progs", "maps"] {
                let folder = "\(path)/\(deployment)/\(sub)"
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] { unlink("\(folder)/\(entry)") }
                rmdir(folder)
            }
            rmdir("\(path)/\(deployment)")
        }
        rmdir(path)
    }
}

extension ExecutorProcess {
    /// How many lines of the executor's output contain `text`.
    func lines(containing text: String) -> Int {
        output.split(separator: "\n").filter { $0.contains(text) }.count
    }
}
