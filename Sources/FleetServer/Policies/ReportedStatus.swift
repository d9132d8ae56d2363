import Foundation
import FleetCore
import FleetJSON

/// The body of `PUT /v1/executor/status`: the revision the executor converged on (or is applying) and the state
/// of each policy-managed item.
struct ReportedStatus: Sendable, Equatable {
    static let maximumItems = 256
    static let maximumErrorLength = 64 * 1024
    static let states: Set<String> = ["pending", "applying", "ready", "failed"]

    struct Item: Sendable, Equatable {
        let kind: String
        let name: String
        let state: String
        let version: String?
        let error: String?
        let since: Date

        var key: String { "\(kind)/\(name)" }

        var json: JSON {
            ["kind": .string(kind), "name": .string(name), "state": .string(state), "version": version.json, "error": error.json,
             "since": since.json]
        }
    }

    let revision: String
    let items: [Item]

    /// Every item is `ready`.
    var allReady: Bool { items.allSatisfy { $0.state == "ready" } }

    /// - Throws: `JSONError` naming the member at fault.
    init(_ body: inout JSONObjectReader) throws {
        revision = try body.require("revision")
        let items: [JSON] = try body.require("items")
        try body.finish()
        guard (1...64).contains(revision.count), revision.allSatisfy(\.isHexDigit) else {
            throw JSONError(path: "revision", message: "must be the revision of a desired state (hex digits)")
        }
        guard items.count <= Self.maximumItems else { throw JSONError(path: "items", message: "at most \(Self.maximumItems) items") }
        var seen = Set<String>()
        self.items = try items.enumerated().map { index, json in
            let path = "items[\(index)]"
            var reader = try JSONObjectReader(json, path: path)
            let kind: String = try reader.require("kind")
            let name: String = try reader.require("name")
            let state: String = try reader.require("state")
            let version: String? = try reader.optional("version")
            let error: String? = try reader.optional("error")
            let sinceText: String = try reader.require("since")
            try reader.finish()
            guard kind == "program" || kind == "model" else { throw JSONError(path: "\(path).kind", message: "must be program or model") }
            guard (1...128).contains(name.utf8.count) else { throw JSONError(path: "\(path).name", message: "must be 1 to 128 characters") }
            guard Self.states.contains(state) else {
                throw JSONError(path: "\(path).state", message: "must be one of \(Self.states.sorted().joined(separator: ", "))")
            }
            if let version, version.count > 257 { throw JSONError(path: "\(path).version", message: "at most 257 characters") }
            if let error, error.utf8.count > Self.maximumErrorLength {
                throw JSONError(path: "\(path).error", message: "at most \(Self.maximumErrorLength) bytes")
            }
            guard let since = Timestamp.parse(sinceText) else {
                throw JSONError(path: "\(path).since", message: "'\(sinceText)' is not an RFC 3339 timestamp")
            }
            guard seen.insert("\(kind)/\(name)").inserted else { throw JSONError(path: "\(path).name", message: "\(kind) '\(name)' is listed twice") }
            return Item(kind: kind, name: name, state: state, version: version, error: error, since: since)
        }
    }

    /// The state of each item, by item key (`program/<name>`).
    var states: [String: String] { Dictionary(items.map { ($0.key, $0.state) }) { first, _ in first } }

    /// The state of each item of a stored report (`device_status.items`), by item key.
    static func states(itemsText: String) throws -> [String: String] {
        var states: [String: String] = [:]
        for item in try JSON.parse(Array(itemsText.utf8)).arrayValue ?? [] {
            guard let kind = item["kind"]?.stringValue, let name = item["name"]?.stringValue, let state = item["state"]?.stringValue else { continue }
            if states["\(kind)/\(name)"] == nil { states["\(kind)/\(name)"] = state }
        }
        return states
    }
}
