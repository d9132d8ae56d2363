import FoundationEssentials
import FleetCore
import FleetJSON

/// A stored policy (`GET /v1/policies/{name}`): its current revision and document.
///
/// `json` is the server's object as it came, which `-o json` prints; the typed members are what tables need.
public struct Policy: Sendable, Equatable, JSONEncodable {
    public var name: String
    public var revision: Int
    /// The policy document, canonical as the server stores it (DESIGN section 6).
    public var document: JSON
    /// Whether the PUT that answered this made a new revision; nil in listings.
    public var changed: Bool?
    /// When the policy (or, for one revision asked for by number, that revision) was stored.
    public var createdAt: Date
    /// Nil for one revision asked for by number, which carries `created_by` instead.
    public var updatedAt: Date?
    public var createdBy: String?
    /// The devices whose desired state the PUT changed; nil except in answers to PUT.
    public var devicesAffected: Int?
    public let json: JSON

    init(api object: APIObject) throws {
        name = try object.string("name")
        revision = try object.decode("revision")
        document = object.value("document")
        changed = try object.decodeIfPresent("changed")
        createdAt = try object.date("created_at")
        updatedAt = try object.optionalDate("updated_at")
        createdBy = try object.optionalString("created_by")
        devicesAffected = try object.decodeIfPresent("devices_affected")
        json = .object(object.members)
    }
}

/// What `PUT /v1/policies/{name}` did.
public struct PolicyApplyOutcome: Sendable, Equatable {
    public enum Action: String, Sendable, Equatable {
        /// A new policy, at revision 1 (201).
        case created
        /// A new revision of an existing policy.
        case configured
        /// The document equals the current revision's; nothing was stored.
        case unchanged
    }

    public var action: Action
    public var policy: Policy
}

/// The answer to `PUT /v1/policies/{name}?dry_run=true`: what applying the document would do. Nothing is stored.
public struct PolicyDryRun: Sendable, Equatable, JSONEncodable {
    public var name: String
    /// The revision the document would get (the current one when nothing changes).
    public var revision: Int
    public var changed: Bool
    public var devicesAffected: Int
    /// Some of the devices whose desired state would change (at most 10).
    public var sample: [DeviceID]
    /// The current document; nil when there is no policy of that name yet.
    public var current: JSON?
    /// The new document, canonical as the server would store it.
    public var document: JSON
    public let json: JSON

    init(api object: APIObject) throws {
        name = try object.string("name")
        revision = try object.decode("revision")
        changed = try object.decode("changed")
        devicesAffected = try object.decode("devices_affected")
        sample = try object.decodeIfPresent("sample") ?? []
        let current = object.value("current")
        // A bare `nil` would become JSON.null here: JSON is ExpressibleByNilLiteral.
        self.current = current.isNull ? JSON?.none : current
        document = object.value("document")
        json = .object(object.members)
    }
}

/// One revision of a policy (`GET /v1/policies/{name}/revisions`).
public struct PolicyRevision: Sendable, Equatable, JSONEncodable {
    public var revision: Int
    public var document: JSON
    public var createdAt: Date
    /// The name of the token that stored it, if the server knows it.
    public var createdBy: String?
    public let json: JSON

    init(api object: APIObject) throws {
        revision = try object.decode("revision")
        document = object.value("document")
        createdAt = try object.date("created_at")
        createdBy = try object.optionalString("created_by")
        json = .object(object.members)
    }
}

/// Two or more policies of the same, highest priority that set the same item on some devices.
public struct PolicyConflictReport: Sendable, Equatable {
    /// `program`, `model` or `telemetry`.
    public var kind: String
    public var item: String
    /// In name order; the first one wins.
    public var policies: [String]
    public var priority: Int

    init(api object: APIObject) throws {
        kind = try object.string("kind")
        item = try object.string("item")
        policies = try object.decode("policies")
        priority = try object.decode("priority")
    }
}

/// How far the devices a policy matches have come (`GET /v1/policies/{name}/status`).
public struct PolicyStatus: Sendable, Equatable, JSONEncodable {
    /// A device that reported a failure for one of the policy's items.
    public struct FailingDevice: Sendable, Equatable {
        public var deviceID: DeviceID
        public var deviceName: String
        public var items: [ItemState]
    }

    /// One program or model as a device reported it.
    public struct ItemState: Sendable, Equatable {
        public var kind: String
        public var name: String
        public var state: String
        public var error: String?
    }

    public var name: String
    public var revision: Int
    public var matched: Int
    public var converged: Int
    public var pending: Int
    public var failed: Int
    public var offline: Int
    /// Matched devices with a conflict this policy is party to.
    public var conflicted: Int?
    /// Matched devices held on an earlier revision of the policy.
    public var held: Int?
    public var conflicts: [PolicyConflictReport]
    /// One page of failing devices; `nextCursor` continues it.
    public var failing: [FailingDevice]
    public var nextCursor: String?
    public let json: JSON

    init(api object: APIObject) throws {
        name = try object.string("name")
        revision = try object.decode("revision")
        matched = try object.decode("matched")
        converged = try object.decode("converged")
        pending = try object.decode("pending")
        failed = try object.decode("failed")
        offline = try object.decode("offline")
        conflicted = try object.decodeIfPresent("conflicted")
        held = try object.decodeIfPresent("held")
        conflicts = try object.arrayIfPresent("conflicts").map(PolicyConflictReport.init(api:))
        failing = try object.arrayIfPresent("failing").map { device in
            FailingDevice(deviceID: try device.decode("device_id"), deviceName: try device.optionalString("device_name") ?? "",
                          items: try device.array("items").map { item in
                              ItemState(kind: try item.string("kind"), name: try item.string("name"), state: try item.string("state"),
                                        error: try item.optionalString("error"))
                          })
        }
        nextCursor = try object.optionalString("next_cursor")
        json = .object(object.members)
    }
}

extension APIObject {
    /// The objects of an array member; none when it is absent or null.
    func arrayIfPresent(_ key: String) throws -> [APIObject] {
        value(key).isNull ? [] : try array(key)
    }
}

/// A device kept on one revision of a policy while the policy's other devices follow its current one.
public struct PolicyHold: Sendable, Equatable, JSONEncodable {
    public var policy: String
    public var deviceID: DeviceID
    public var deviceName: String
    /// The revision of the policy the device sees.
    public var revision: Int
    public var createdAt: Date
    public var createdBy: String?
    public let json: JSON

    init(api object: APIObject) throws {
        policy = try object.string("policy")
        deviceID = try object.decode("device_id")
        deviceName = try object.optionalString("device_name") ?? ""
        revision = try object.decode("revision")
        createdAt = try object.date("created_at")
        createdBy = try object.optionalString("created_by")
        json = .object(object.members)
    }
}
