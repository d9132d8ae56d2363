import FoundationEssentials
import FleetJSON

/// What became of one target device in its batch.
public struct RolloutDeviceExecution: Sendable, Equatable, JSONDecodable, JSONEncodable {
    public enum State: String, JSONKeyword {
        /// Its batch has not started, or it has and the device has not picked the update up yet.
        case pending
        /// The device has the command or the new revision and is working on it.
        case applying
        case succeeded
        case failed
        /// Neither succeeded nor failed within `execution_timeout_seconds`: counts as failed.
        case timedOut = "timed_out"
        /// Out of time while offline: counted apart from failures, but not a success either.
        case offline
        /// Its batch or the rollout ended before it finished; its execution was abandoned.
        case canceled
        public static let noun = "device execution state"

        /// No later report changes it.
        public var isFinal: Bool { self != .pending && self != .applying }
        /// Counts towards `max_failure_ratio` as executed.
        public var isExecuted: Bool { self == .succeeded || isFailure }
        /// Counts towards `max_failure_ratio` as failed.
        public var isFailure: Bool { self == .failed || self == .timedOut }
    }

    public var state: State
    /// The device's error for `failed`, the reason for the other final states but `succeeded`.
    public var error: String?
    /// When the state last changed.
    public var updatedAt: Date?
    /// The update was undone on this device by a rollback.
    public var rolledBack: Bool

    public init(state: State = .pending, error: String? = nil, updatedAt: Date? = nil, rolledBack: Bool = false) {
        self.state = state
        self.error = error
        self.updatedAt = updatedAt
        self.rolledBack = rolledBack
    }

    public init(json: JSON, path: String) throws {
        var reader = try JSONObjectReader(json, path: path)
        state = try reader.require("state")
        error = try reader.optional("error")
        updatedAt = try RolloutTime.optional("updated_at", in: &reader)
        rolledBack = try reader.optional("rolled_back") ?? false
        try reader.finish()
    }

    public var json: JSON {
        var members: [String: JSON] = ["state": state.json]
        if let error { members["error"] = .string(error) }
        if let updatedAt { members["updated_at"] = RolloutTime.json(updatedAt) }
        if rolledBack { members["rolled_back"] = true }
        return .object(members)
    }
}
