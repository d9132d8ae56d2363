import FoundationEssentials
import FleetCore
import FleetJSON

/// What the executor tells the server about the policy-managed items (`PUT /v1/executor/status`): the revision
/// it converged on or is applying, and per item its state, version, error and since when it is so. `since`
/// moves only when the state, version or error changes, so a quiet device produces the same document again.
public struct ReconcileStatus: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Desired, not yet attempted.
        case pending
        /// Being loaded, replaced, repaired or removed.
        case applying
        case ready
        /// The last attempt failed; it is tried again after a backoff.
        case failed
    }

    public struct Item: Sendable, Equatable {
        public var state: State
        public var version: String?
        public var error: String?
        public var since: Date
    }

    public var revision: String?
    public private(set) var items: [ReconcilePlan.Key: Item] = [:]

    public init() {}

    /// The longest `error` sent, in UTF-8 bytes (the server takes up to 64 KiB).
    public static let maximumErrorBytes = 60 * 1024

    /// Sets an item's state; `since` becomes `now` only when something but `since` changes. An error whose first
    /// line is the one already recorded is no news (a verifier log differs from one attempt to the next in the
    /// addresses it prints), so the recorded one stays. An error longer than `maximumErrorBytes` keeps its first
    /// line and its end (where a verifier log says why).
    public mutating func set(_ key: ReconcilePlan.Key, _ state: State, version: String?, error: String? = nil, at now: Date) {
        let error = error.map(Self.fitted)
        if let item = items[key], item.state == state, item.version == version,
           item.error.map(Self.firstLine) == error.map(Self.firstLine) { return }
        items[key] = Item(state: state, version: version, error: error, since: now)
    }

    private static func firstLine(_ text: String) -> Substring {
        text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }

    static func fitted(_ error: String) -> String {
        let bytes = Array(error.utf8)
        guard bytes.count > maximumErrorBytes else { return error }
        let marker = "\n[... lines cut]\n"
        let head = Array(bytes.prefix { $0 != 10 }.prefix(1024))
        let tail = bytes.suffix(maximumErrorBytes - head.count - marker.utf8.count)
        // Decoding repairs a character cut in two; the result may be a few bytes longer, well within the server's limit.
        return String(decoding: head, as: UTF8.self) + marker + String(decoding: tail.drop { $0 & 0xC0 == 0x80 }, as: UTF8.self)
    }

    /// Forgets items that are neither desired nor left to remove.
    public mutating func keep(only keys: Set<ReconcilePlan.Key>) {
        items = items.filter { keys.contains($0.key) }
    }

    /// True when every item is ready.
    public var converged: Bool { items.values.allSatisfy { $0.state == .ready } }

    /// The body of `PUT /v1/executor/status`, items in kind and name order; nil before any desired state came.
    public var json: JSON? {
        guard let revision else { return nil }
        let listed: [JSON] = items.keys.sorted().map { key in
            let item = items[key]!
            var members: [String: JSON] = [
                "kind": .string(key.kind.rawValue), "name": .string(key.name), "state": .string(item.state.rawValue),
                "since": item.since.json,
            ]
            if let version = item.version { members["version"] = .string(version) }
            if let error = item.error { members["error"] = .string(error) }
            return .object(members)
        }
        return ["revision": .string(revision), "items": .array(listed)]
    }
}
