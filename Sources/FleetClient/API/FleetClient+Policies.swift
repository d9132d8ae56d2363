import FleetCore
import FleetJSON

extension FleetClient {
    /// Stores `document` as the policy `name` with `PUT /v1/policies/{name}`: a new policy, a new revision, or
    /// nothing when it equals the current revision.
    /// - Throws: `FleetClientError`: 400 for a malformed document, 422 (its `detail` names the JSON path) for one
    ///   that names unknown versions or does not fit the artifacts.
    public func applyPolicy(named name: String, document: JSON) throws -> PolicyApplyOutcome {
        let answer = try exchange(.put, Self.policyPath(name), body: document)
        let policy = try APIObject.decode(answer.json, what: answer.what, Policy.init(api:))
        let action: PolicyApplyOutcome.Action = answer.status == 201 ? .created : policy.changed == false ? .unchanged : .configured
        return PolicyApplyOutcome(action: action, policy: policy)
    }

    /// What `applyPolicy` would do, from `PUT /v1/policies/{name}?dry_run=true`; nothing is stored.
    public func previewPolicy(named name: String, document: JSON) throws -> PolicyDryRun {
        try fetch(.put, Self.policyPath(name), query: [("dry_run", "true")], body: document, decode: PolicyDryRun.init(api:))
    }

    /// One page of policies, by name.
    public func policies(limit: Int? = nil, cursor: String? = nil) throws -> ListPage<Policy> {
        try fetchPage("/v1/policies", query: [("limit", limit.map(String.init)), ("cursor", cursor)], decode: Policy.init(api:))
    }

    /// Every policy, following `next_cursor` from `cursor` to the last page.
    public func allPolicies(limit: Int? = nil, from cursor: String? = nil) throws -> [Policy] {
        try ListPage.collect(from: cursor) { try policies(limit: limit, cursor: $0) }
    }

    /// A policy at its current revision, or at `revision`.
    public func policy(named name: String, revision: Int? = nil) throws -> Policy {
        try fetch(.get, Self.policyPath(name), query: [("revision", revision.map(String.init))], decode: Policy.init(api:))
    }

    /// One page of a policy's revisions, newest first.
    public func policyRevisions(named name: String, limit: Int? = nil, cursor: String? = nil) throws -> ListPage<PolicyRevision> {
        try fetchPage(Self.policyPath(name) + "/revisions", query: [("limit", limit.map(String.init)), ("cursor", cursor)],
                      decode: PolicyRevision.init(api:))
    }

    /// Deletes a policy; the devices it matched drop its items at their next reconcile.
    public func deletePolicy(named name: String) throws {
        _ = try exchange(.delete, Self.policyPath(name))
    }

    /// The policy's counts and conflicts, with one page of its failing devices (`cursor` continues them).
    public func policyStatus(named name: String, limit: Int? = nil, cursor: String? = nil) throws -> PolicyStatus {
        try fetch(.get, Self.policyPath(name) + "/status", query: [("limit", limit.map(String.init)), ("cursor", cursor)],
                  decode: PolicyStatus.init(api:))
    }

    /// One page of the devices held on a revision of the policy, by device id.
    public func policyHolds(named name: String, limit: Int? = nil, cursor: String? = nil) throws -> ListPage<PolicyHold> {
        try fetchPage(Self.policyPath(name) + "/holds", query: [("limit", limit.map(String.init)), ("cursor", cursor)],
                      decode: PolicyHold.init(api:))
    }

    /// Every hold of the policy, following `next_cursor` from `cursor` to the last page.
    public func allPolicyHolds(named name: String, limit: Int? = nil, from cursor: String? = nil) throws -> [PolicyHold] {
        try ListPage.collect(from: cursor) { try policyHolds(named: name, limit: limit, cursor: $0) }
    }

    /// Holds `device` on `revision` of the policy (`PUT /v1/policies/{name}/holds/{device_id}`); the server
    /// renders the device again before it answers.
    /// - Throws: `FleetClientError`: 404 for an unknown policy or device, 422 for a revision the policy does not have.
    public func holdDevice(_ device: DeviceID, onPolicy name: String, revision: Int) throws -> PolicyHold {
        try fetch(.put, Self.policyPath(name) + "/holds/\(device)", body: ["revision": .int(Int64(revision))], decode: PolicyHold.init(api:))
    }

    /// Releases a held device: it follows the policy's current revision again.
    /// - Throws: `FleetClientError` 404 when the device is not held on the policy.
    public func releaseDevice(_ device: DeviceID, fromPolicy name: String) throws {
        _ = try exchange(.delete, Self.policyPath(name) + "/holds/\(device)")
    }

    /// The desired state the server rendered for a device from the policies that match it.
    public func desiredState(of device: DeviceID) throws -> DeviceDesiredState {
        try fetch(.get, "/v1/devices/\(device)/desired", decode: DeviceDesiredState.init(api:))
    }

    /// What the device last reported about its programs and models.
    public func reportedState(of device: DeviceID) throws -> DeviceReportedState {
        try fetch(.get, "/v1/devices/\(device)/status", decode: DeviceReportedState.init(api:))
    }

    static func policyPath(_ name: String) -> String {
        "/v1/policies/" + QueryString.percentEncode(name)
    }
}
