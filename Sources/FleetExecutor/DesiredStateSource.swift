import FleetCore
import FleetJSON

/// A desired state with the revision the server gave it, which is what polls and status reports name. The
/// executor computes the revision again from the content; a server that computes it otherwise is still followed.
public struct ServedDesiredState: Sendable, Equatable {
    public let state: DesiredState
    public let revision: String

    /// - Parameter revision: the server's; nil: the state's own.
    public init(_ state: DesiredState, revision: String? = nil) {
        self.state = state
        self.revision = revision ?? state.revision
    }
}

/// Where the reconciler learns the desired state and reports how far it got: the server, through
/// `ExecutorConnection`; a fake in tests.
public protocol DesiredStateSource: Sendable {
    /// Waits up to `wait` seconds for a desired state whose revision is not `knownRevision`; nil when none came.
    func desired(knownRevision: String?, wait: Int) throws -> ServedDesiredState?
    /// Sends a `ReconcileStatus` document.
    func reportStatus(_ document: JSON) throws
}

extension ExecutorConnection: DesiredStateSource {}
