import FleetCore
import FleetJSON

/// Where the reconciler learns the desired state and reports how far it got: the server, through
/// `ExecutorConnection`; a fake in tests.
public protocol DesiredStateSource: Sendable {
    /// Waits up to `wait` seconds for a desired state whose revision is not `knownRevision`; nil when none came.
    func desired(knownRevision: String?, wait: Int) throws -> DesiredState?
    /// Sends a `ReconcileStatus` document.
    func reportStatus(_ document: JSON) throws
}

extension ExecutorConnection: DesiredStateSource {}
