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

    /// Sets an item's state; `since` becomes `now` only when something but `since` changes.
    public mutating func set(_ key: ReconcilePlan.Key, _ state: State, version: String?, error: String? = nil, at now: Date) {
        if let item = items[key], item.state == state, item.version == version, item.error == error { return }
        items[key] = Item(state: state, version: version, error: error, since: now)
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
