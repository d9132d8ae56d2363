/// The executor's reconcile decisions as a pure function of what should be on the device (the desired state),
/// what is (what it observes), and which items failed recently: an ordered list of actions. I/O happens around it.
public enum ReconcilePlan {
    public enum Kind: String, Sendable, Hashable, Comparable {
        case program, model

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public struct Key: Sendable, Hashable, Comparable, CustomStringConvertible {
        public let kind: Kind
        public let name: String

        public init(_ kind: Kind, _ name: String) {
            self.kind = kind
            self.name = name
        }

        public static func < (lhs: Key, rhs: Key) -> Bool { (lhs.kind, lhs.name) < (rhs.kind, rhs.name) }
        public var description: String { "\(kind.rawValue) \(name)" }
    }

    /// One item found on the device.
    public struct Observed: Sendable, Equatable {
        /// Identifies the payload the item was applied from (the same payload gives the same fingerprint).
        public var fingerprint: String
        /// Applied because a policy named it; items loaded by direct commands are not the reconciler's to remove.
        public var managed: Bool
        /// False when the item drifted: a pin or link of a program disappeared, a model file changed.
        public var intact: Bool

        public init(fingerprint: String, managed: Bool, intact: Bool = true) {
            self.fingerprint = fingerprint
            self.managed = managed
            self.intact = intact
        }
    }

    public enum Action: Sendable, Equatable {
        /// Load or deploy an item the device lacks.
        case add(Key)
        /// Apply a changed item in place (`program.replace`'s atomic path, a model swapped after it loads).
        case replace(Key)
        /// Apply the same item again because it drifted.
        case repair(Key)
        /// Take over an item a direct command loaded with exactly the desired payload; nothing on the device changes.
        case adopt(Key)
        /// Unload or remove an item no policy names any more.
        case remove(Key)

        public var key: Key {
            switch self {
            case .add(let key), .replace(let key), .repair(let key), .adopt(let key), .remove(let key): key
            }
        }
    }

    /// Failures of one item so far and when it may be tried again.
    public struct Retry: Sendable, Equatable {
        public var failures: Int
        /// Seconds on the caller's clock.
        public var notBefore: Double

        public init(failures: Int, notBefore: Double) {
            self.failures = failures
            self.notBefore = notBefore
        }

        /// The backoff after `failures` failures: 5 s doubling to at most 5 minutes, scaled by `jitter` in
        /// [0.5, 1] so that a fleet that failed together does not retry together.
        public static func after(failures: Int, now: Double, jitter: Double) -> Retry {
            let ceiling = Swift.min(300, 5 * Double(1 << Swift.min(Swift.max(failures - 1, 0), 10)))
            return Retry(failures: failures, notBefore: now + ceiling * Swift.min(1, Swift.max(0.5, jitter)))
        }
    }

    public struct Plan: Sendable, Equatable {
        /// Removals first (models before programs, since a model's schedule may read a program's map), then
        /// programs added or replaced, then models: each group in name order.
        public var actions: [Action]
        /// Items left for later because their last attempt (a change or a removal) failed, with the time they may
        /// be tried again.
        public var deferred: [Key: Double]
    }

    /// - Parameters:
    ///   - desired: the fingerprint of every item the desired state names.
    ///   - observed: every item on the device, managed or not.
    ///   - retries: items whose last attempt failed; a failed removal waits for its backoff as a failed change does.
    ///   - now: seconds on the same clock as `retries`.
    public static func plan(desired: [Key: String], observed: [Key: Observed], retries: [Key: Retry], now: Double) -> Plan {
        var removals: [Action] = []
        var changes: [Action] = []
        var deferred: [Key: Double] = [:]
        for (key, item) in observed where desired[key] == nil && item.managed {
            if let retry = retries[key], retry.notBefore > now {
                deferred[key] = retry.notBefore
                continue
            }
            removals.append(.remove(key))
        }
        for (key, fingerprint) in desired {
            let action: Action?
            switch observed[key] {
            case nil: action = .add(key)
            case let item? where item.fingerprint != fingerprint: action = .replace(key)
            case let item? where !item.intact: action = .repair(key)
            case let item? where !item.managed: action = .adopt(key)
            default: action = nil
            }
            guard let action else { continue }
            if case .adopt = action {} else if let retry = retries[key], retry.notBefore > now {
                deferred[key] = retry.notBefore
                continue
            }
            changes.append(action)
        }
        func rank(_ kind: Kind, programsFirst: Bool) -> Int { (kind == .program) == programsFirst ? 0 : 1 }
        removals.sort { (rank($0.key.kind, programsFirst: false), $0.key.name) < (rank($1.key.kind, programsFirst: false), $1.key.name) }
        changes.sort { (rank($0.key.kind, programsFirst: true), $0.key.name) < (rank($1.key.kind, programsFirst: true), $1.key.name) }
        return Plan(actions: removals + changes, deferred: deferred)
    }
}
