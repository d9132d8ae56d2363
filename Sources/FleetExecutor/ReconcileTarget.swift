import FleetCore
import FleetJSON

/// One item of the desired state, read and normalised by the target that applies it.
public struct DesiredItem: Sendable, Equatable {
    public let name: String
    /// The normalised payload (`ProgramLoadRequest.json`, `ModelDeployRequest.json`), which is what gets recorded.
    public let payload: JSON
    /// `PayloadFingerprint` of `payload`.
    public let fingerprint: String
    /// `name@version` of the artifact when the payload says it.
    public let version: String?

    public init(name: String, payload: JSON, version: String?) {
        self.name = name
        self.payload = payload
        fingerprint = PayloadFingerprint.of(payload)
        self.version = version
    }
}

/// How an item is applied over what the device has.
public enum ReconcileApply: Sendable, Equatable {
    /// The device lacks it.
    case add
    /// Another payload runs under its name.
    case replace
    /// The same payload runs but drifted (a pin gone, a kept file changed).
    case repair
}

/// One kind of item (programs or models) that the `Reconciler` keeps in line with the desired state, over the
/// manager that owns the deployments. Calls come from the reconciler's thread, one at a time; they may block.
public protocol ReconcileTarget: Sendable {
    var kind: ReconcilePlan.Kind { get }

    /// Reads the desired payload of item `name` (the key of the desired state names the deployment).
    /// - Throws: `JSONError` or `ExecutorError` when the payload cannot be applied as it is.
    func prepare(name: String, payload: JSON) throws -> DesiredItem

    /// Every item of this kind on the device, by name: managed or not, intact or drifted.
    func observe() -> [String: ReconcilePlan.Observed]

    /// Applies `item` and marks it as a policy's.
    /// - Throws: what the manager throws; a failed replace leaves the running item unchanged.
    func apply(_ item: DesiredItem, _ how: ReconcileApply) throws

    /// Marks an item a direct command made with exactly the desired payload as a policy's; nothing runs anew.
    func adopt(_ item: DesiredItem) throws

    /// Unloads or removes an item no policy names any more.
    func remove(name: String) throws

    /// A failure as the status report's `error` (a verifier rejection carries the verifier log).
    func describe(_ error: any Error) -> String
}
