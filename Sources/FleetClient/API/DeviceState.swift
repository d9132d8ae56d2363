import FoundationEssentials
import FleetCore
import FleetJSON

/// A device's rendered desired state (`GET /v1/devices/{id}/desired`): the merge of every policy that matches it.
public struct DeviceDesiredState: Sendable, Equatable, JSONEncodable {
    /// SHA-256 of the canonical state; the executor reports the revision it reached.
    public var revision: String
    /// The payload per deployment name, as the executor receives it.
    public var programs: [String: JSON]
    public var models: [String: JSON]
    public var telemetry: JSON?
    /// Which policy and revision each item comes from, keyed `program/<name>`, `model/<name>` or `telemetry`.
    public var sources: [String: Source]
    public var conflicts: [PolicyConflictReport]
    /// The policies whose selector matches the device, by name.
    public var policies: [String]
    public let json: JSON

    public struct Source: Sendable, Equatable {
        public var policy: String
        public var revision: Int
        /// `name@version` of the program or model; nil for the telemetry settings.
        public var version: String?

        public init(policy: String, revision: Int, version: String? = nil) {
            self.policy = policy
            self.revision = revision
            self.version = version
        }
    }

    init(api object: APIObject) throws {
        revision = try object.string("revision")
        programs = try object.decodeIfPresent("programs") ?? [:]
        models = try object.decodeIfPresent("models") ?? [:]
        let telemetry = object.value("telemetry")
        self.telemetry = telemetry.isNull ? JSON?.none : telemetry
        var sources: [String: Source] = [:]
        let sourceObjects: [String: JSON] = try object.decodeIfPresent("sources") ?? [:]
        for (key, value) in sourceObjects {
            let source = try APIObject(value, path: "sources.\(key)")
            sources[key] = Source(policy: try source.string("policy"), revision: try source.decode("revision"),
                                  version: try source.optionalString("version"))
        }
        self.sources = sources
        conflicts = try object.arrayIfPresent("conflicts").map(PolicyConflictReport.init(api:))
        policies = try object.decodeIfPresent("policies") ?? []
        json = .object(object.members)
    }
}

/// What a device last reported about its programs and models (`GET /v1/devices/{id}/status`).
public struct DeviceReportedState: Sendable, Equatable, JSONEncodable {
    public struct Item: Sendable, Equatable {
        /// `program` or `model`.
        public var kind: String
        public var name: String
        /// `pending`, `applying`, `ready` or `failed`, as the executor reports it.
        public var state: String
        public var version: String?
        public var error: String?
        /// When the item entered its state.
        public var since: Date?
    }

    /// The desired revision the device last reached; nil before its first report.
    public var revision: String?
    public var reportedAt: Date?
    /// Whether the reported revision is the desired one, as the server sees it; nil from a server that does not say.
    public var converged: Bool?
    public var items: [Item]
    public let json: JSON

    init(api object: APIObject) throws {
        revision = try object.optionalString("revision")
        reportedAt = try object.optionalDate("reported_at")
        converged = try object.decodeIfPresent("converged")
        items = try object.arrayIfPresent("items").map { item in
            Item(kind: try item.string("kind"), name: try item.string("name"), state: try item.string("state"),
                 version: try item.optionalString("version"), error: try item.optionalString("error"), since: try item.optionalDate("since"))
        }
        json = .object(object.members)
    }
}
