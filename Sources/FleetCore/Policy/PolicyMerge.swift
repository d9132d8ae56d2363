/// Which policy and revision a rendered item comes from.
public struct PolicySource: Sendable, Hashable {
    public let policy: String
    public let revision: Int

    public init(policy: String, revision: Int) {
        self.policy = policy
        self.revision = revision
    }
}

/// One revision of one policy, as rendering sees it. The caller picks the revision per device, which is how
/// a rollout holds some devices on an earlier revision while the rest move on.
public struct PolicyInput: Sendable, Equatable {
    public let name: String
    public let revision: Int
    public let document: PolicyDocument

    public init(name: String, revision: Int, document: PolicyDocument) {
        self.name = name
        self.revision = revision
        self.document = document
    }
}

/// Two or more policies of the same, highest priority that set the same item on a device.
public struct PolicyConflict: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case program, model, telemetry }

    public let kind: Kind
    /// The item's name (`telemetry` for the telemetry settings).
    public let item: String
    /// Every policy that sets it at the winning priority, in name order; the first one wins.
    public let policies: [String]
    public let priority: Int

    public var winner: String { policies[0] }
}

/// A device's desired state before the artifacts are resolved: the items of every matching policy, the
/// higher priority winning per item name, equal priorities resolved by policy name order and reported.
public struct PolicyRendering: Sendable, Equatable {
    public struct Item<Value: Sendable & Equatable>: Sendable, Equatable {
        public let value: Value
        public let source: PolicySource
    }

    public var programs: [String: Item<PolicyDocument.ProgramItem>] = [:]
    public var models: [String: Item<PolicyDocument.ModelItem>] = [:]
    public var telemetryIntervalSeconds: Item<Int>?
    /// Sorted by kind, then item name.
    public var conflicts: [PolicyConflict] = []
    /// The policies whose selector matched, in name order.
    public var matched: [PolicySource] = []

    public init() {}
}

public enum PolicyMerge {
    /// Renders the desired state of a device with `labels` from `policies` (at most one revision per policy name).
    public static func render(labels: [String: String], policies: [PolicyInput]) -> PolicyRendering {
        let matching = policies.filter { $0.document.selector.matches(labels) }.sorted { $0.name < $1.name }
        var rendering = PolicyRendering()
        rendering.matched = matching.map { PolicySource(policy: $0.name, revision: $0.revision) }
        var conflicts: [PolicyConflict] = []

        func pick<Value>(_ kind: PolicyConflict.Kind, _ candidates: [(PolicyInput, String, Value)]) -> [String: PolicyRendering.Item<Value>] {
            var result: [String: PolicyRendering.Item<Value>] = [:]
            for (name, group) in Dictionary(grouping: candidates, by: { $0.1 }) {
                let top = group.map(\.0.document.priority).max()!
                let winners = group.filter { $0.0.document.priority == top }.sorted { $0.0.name < $1.0.name }
                if winners.count > 1 {
                    conflicts.append(PolicyConflict(kind: kind, item: name, policies: winners.map(\.0.name), priority: top))
                }
                let winner = winners[0]
                result[name] = PolicyRendering.Item(value: winner.2, source: PolicySource(policy: winner.0.name, revision: winner.0.revision))
            }
            return result
        }

        rendering.programs = pick(.program, matching.flatMap { policy in policy.document.programs.map { (policy, $0.name, $0) } })
        rendering.models = pick(.model, matching.flatMap { policy in policy.document.models.map { (policy, $0.name, $0) } })
        let telemetry = pick(.telemetry, matching.compactMap { policy in
            policy.document.telemetryIntervalSeconds.map { (policy, "telemetry", $0) }
        })
        rendering.telemetryIntervalSeconds = telemetry["telemetry"]
        rendering.conflicts = conflicts.sorted { ($0.kind.rawValue, $0.item) < ($1.kind.rawValue, $1.item) }
        return rendering
    }
}

extension PolicyMerge {
    /// The policies a device renders: each policy's current revision, or the revision the device is held on
    /// (`holds`: policy name to revision) when `revisions` has it. A held policy counts as it was at that
    /// revision, selector included, so a held device neither gains nor loses it before it is released.
    public static func inputs(current: [PolicyInput], holds: [String: Int], revisions: [String: [Int: PolicyInput]]) -> [PolicyInput] {
        guard !holds.isEmpty else { return current }
        return current.map { policy in
            guard let revision = holds[policy.name], revision != policy.revision, let held = revisions[policy.name]?[revision] else { return policy }
            return held
        }
    }
}

/// How far a device got with one policy, from its last report and its desired state.
public enum PolicyOutcome: String, Sendable, Hashable, CaseIterable {
    /// Not reported yet at the desired revision, or an item of the policy is still pending or applying.
    case pending
    /// Reported the desired revision with every item of the policy `ready`.
    case converged
    /// An item of the policy `failed` at the desired revision.
    case failed

    /// The outcome of each of `policies` on a device.
    /// - Parameters:
    ///   - itemPolicies: the policy each desired item came from, by item key (`program/<name>`, `model/<name>`).
    ///   - reportedRevision: the revision of the device's last report (nil when it never reported).
    ///   - reportedStates: the state of each reported item, by item key.
    public static func of(policies: [String], itemPolicies: [String: String], desiredRevision: String,
                          reportedRevision: String?, reportedStates: [String: String]) -> [String: PolicyOutcome] {
        guard reportedRevision == desiredRevision else {
            return Dictionary(policies.map { ($0, .pending) }) { first, _ in first }
        }
        var itemsByPolicy: [String: [String]] = [:]
        for (key, policy) in itemPolicies { itemsByPolicy[policy, default: []].append(key) }
        var outcomes: [String: PolicyOutcome] = [:]
        for policy in policies {
            let keys = itemsByPolicy[policy] ?? []
            if keys.contains(where: { reportedStates[$0] == "failed" }) {
                outcomes[policy] = .failed
            } else if keys.allSatisfy({ reportedStates[$0] == "ready" }) {
                outcomes[policy] = .converged
            } else {
                outcomes[policy] = .pending
            }
        }
        return outcomes
    }
}
