import FleetCore
import FleetJSON

/// Models as the reconciler sees them: deployed (and redeployed, which swaps once the new one loads) with
/// `deploy`, removed with `remove`. A model's schedule starts and stops with its deployment.
extension ModelManager: ReconcileTarget {
    public var kind: ReconcilePlan.Kind { .model }

    /// The desired state's key names the deployment, whatever the payload's `name` says.
    public func prepare(name: String, payload: JSON) throws -> DesiredItem {
        guard case .object(var members) = payload else {
            throw JSONError.typeMismatch("models.\(name)", expected: "object", got: payload)
        }
        members["name"] = .string(name)
        let request = try ModelDeployRequest(payload: .object(members))
        return DesiredItem(name: name, payload: request.json, version: payload["model"]?.stringValue ?? request.version.map { "\(name)@\($0)" })
    }

    public func observe() -> [String: ReconcilePlan.Observed] {
        var observed: [String: ReconcilePlan.Observed] = [:]
        for (request, mark, intact) in deploymentsForReconcile() {
            let fingerprint = PayloadFingerprint.of(request.json)
            observed[request.name] = ReconcilePlan.Observed(fingerprint: fingerprint, managed: mark?.covers(fingerprint) ?? false,
                                                            intact: intact)
        }
        return observed
    }

    public func apply(_ item: DesiredItem, _ how: ReconcileApply) throws {
        try deploy(try ModelDeployRequest(payload: item.payload), policy: PolicyMark(fingerprint: item.fingerprint))
    }

    public func adopt(_ item: DesiredItem) throws {
        try mark(item.name, policy: PolicyMark(fingerprint: item.fingerprint))
    }

    public func remove(name: String) throws {
        _ = try remove(ModelRemoveRequest(payload: ["name": .string(name)]))
    }

    public func describe(_ error: any Error) -> String { "\(error)" }
}
