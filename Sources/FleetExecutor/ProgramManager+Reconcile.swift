import FleetCore
import FleetJSON

/// Programs as the reconciler sees them: loaded with `load`, changed and repaired with `replace`'s atomic path
/// (maps of the same layout carry over), unloaded with `unload`.
extension ProgramManager: ReconcileTarget {
    public var kind: ReconcilePlan.Kind { .program }

    /// The desired state's key names the deployment, whatever the payload's `name` says.
    public func prepare(name: String, payload: JSON) throws -> DesiredItem {
        guard case .object(var members) = payload else {
            throw JSONError.typeMismatch("programs.\(name)", expected: "object", got: payload)
        }
        members["name"] = .string(name)
        let request = try ProgramLoadRequest(payload: .object(members))
        return DesiredItem(name: name, payload: request.json, version: request.reference)
    }

    public func observe() -> [String: ReconcilePlan.Observed] {
        var observed: [String: ReconcilePlan.Observed] = [:]
        for (deployment, mark) in deploymentsWithMarks() {
            let fingerprint = PayloadFingerprint.of(deployment.request.json)
            let missing = deployment.missingPins()
            drift.note(deployment.name, missing.isEmpty ? nil : "program '\(deployment.name)' drifted: \(missing.joined(separator: ", ")) missing")
            observed[deployment.name] = ReconcilePlan.Observed(fingerprint: fingerprint, managed: mark?.covers(fingerprint) ?? false,
                                                               intact: missing.isEmpty)
        }
        return observed
    }

    public func apply(_ item: DesiredItem, _ how: ReconcileApply) throws {
        let request = try ProgramLoadRequest(payload: item.payload)
        let mark = PolicyMark(fingerprint: item.fingerprint)
        switch how {
        case .add: try load(request, policy: mark)
        case .replace, .repair: try replace(request, policy: mark)
        }
    }

    public func adopt(_ item: DesiredItem) throws {
        try mark(item.name, policy: PolicyMark(fingerprint: item.fingerprint))
    }

    public func remove(name: String) throws {
        _ = try unload(ProgramUnloadRequest(payload: ["name": .string(name)]))
    }

    public func describe(_ error: any Error) -> String { Self.describe(error) }
}
