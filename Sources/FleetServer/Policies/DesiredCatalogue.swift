import Foundation
import FleetCore
import FleetJSON
import FleetPostgres

/// Everything rendering needs besides a device's labels and holds: every policy's current revision, the earlier
/// revisions some device is held on, and the registry object of every version they name, loaded once per
/// rendering however many devices it covers.
struct DesiredCatalogue: Sendable {
    var policies: [PolicyInput]
    /// The revisions named by a hold, by policy and revision.
    var held: [String: [Int: PolicyInput]]
    var programs: [ArtifactReference: JSON]
    var models: [ArtifactReference: JSON]

    static func load(on connection: PostgresConnection) throws -> DesiredCatalogue {
        func input(_ row: Row) throws -> PolicyInput {
            PolicyInput(name: try row.decode("name"), revision: try row.decode("revision"),
                        document: try PolicyDocument(json: JSON.parse(Array(try row.decode("document", as: String.self).utf8))))
        }
        let policies = try connection.query("SELECT name, revision, document::text AS document FROM policies ORDER BY name").rows.map(input)
        let held = try connection.query("""
            SELECT r.policy AS name, r.revision, r.document::text AS document FROM policy_revisions r
            WHERE (r.policy, r.revision) IN (SELECT DISTINCT policy, revision FROM policy_holds)
            """).rows.map(input)
        return try DesiredCatalogue(policies: policies, held: held, on: connection)
    }

    /// The catalogue for `policies` and the `held` revisions, with their versions looked up in the registries.
    init(policies: [PolicyInput], held: [PolicyInput] = [], on connection: PostgresConnection) throws {
        self.policies = policies
        self.held = Dictionary(grouping: held, by: \.name).mapValues { Dictionary($0.map { ($0.revision, $0) }) { first, _ in first } }
        let every = policies + held
        programs = try Self.lookUp(ProgramStore.registry, Set(every.flatMap { $0.document.programs.map(\.program) }), on: connection)
        models = try Self.lookUp(ModelStore.registry, Set(every.flatMap { $0.document.models.map(\.model) }), on: connection)
    }

    /// The catalogue with `document` as the current revision of policy `name` (or without it, for nil): what a
    /// PUT or DELETE would render, for a dry run.
    func replacing(_ name: String, with document: PolicyDocument?, revision: Int, on connection: PostgresConnection) throws -> DesiredCatalogue {
        var policies = self.policies.filter { $0.name != name }
        if let document { policies.append(PolicyInput(name: name, revision: revision, document: document)) }
        // Deleting a policy deletes its revisions and so the holds on them.
        let held = self.held.filter { document != nil || $0.key != name }.flatMap { Array($0.value.values) }
        return try DesiredCatalogue(policies: policies.sorted { $0.name < $1.name }, held: held, on: connection)
    }

    private static func lookUp<ID>(_ registry: Registry<ID>, _ references: Set<ArtifactReference>,
                                   on connection: PostgresConnection) throws -> [ArtifactReference: JSON] {
        guard !references.isEmpty else { return [:] }
        let list = Array(references)
        let rows = try connection.query("""
            SELECT \(registry.columns) FROM \(registry.source)
            JOIN unnest(\(list.map(\.name))::text[], \(list.map(\.version))::text[]) AS wanted(name, version)
              ON wanted.name = r.name AND wanted.version = r.version
            """).rows
        var found: [ArtifactReference: JSON] = [:]
        for row in rows {
            found[ArtifactReference(name: try row.decode("name"), version: try row.decode("version"))] = try registry.json(row)
        }
        return found
    }

    /// A device's rendering: the desired state the executor gets, where each item came from, the conflicts and
    /// the policies that matched. A device that is not active, or whose items name versions that have gone,
    /// gets the items that can still be resolved (a version named by a current policy cannot be deleted).
    /// - Parameter holds: the revision the device is held on, by policy.
    func render(labels: [String: String], status: DeviceStatus, holds: [String: Int] = [:]) -> DeviceRendering {
        guard status == .active else { return DeviceRendering(state: .empty, sources: [:], conflicts: [], matched: []) }
        return render(labels: labels, matching: matching(labels: labels, holds: holds))
    }

    /// The revision of each policy that applies to a device with `labels` and `holds` (see `PolicyMerge.inputs`).
    func matching(labels: [String: String], holds: [String: Int]) -> [PolicyInput] {
        PolicyMerge.inputs(current: policies, holds: holds, revisions: held).filter { $0.document.selector.matches(labels) }
    }

    /// The rendering of an active device that `policies` (from `matching`) apply to; it depends on the labels
    /// only through them.
    func render(labels: [String: String], matching policies: [PolicyInput]) -> DeviceRendering {
        let rendering = PolicyMerge.render(labels: labels, policies: policies)
        var programs: [String: JSON] = [:]
        var models: [String: JSON] = [:]
        var sources: [String: JSON] = [:]
        for (name, item) in rendering.programs {
            guard let object = self.programs[item.value.program] else { continue }
            programs[name] = Self.programPayload(item.value, object: object)
            sources["program/\(name)"] = Self.source(item.source, item.value.program)
        }
        for (name, item) in rendering.models {
            guard let object = self.models[item.value.model] else { continue }
            models[name] = Self.modelPayload(item.value, object: object)
            sources["model/\(name)"] = Self.source(item.source, item.value.model)
        }
        if let telemetry = rendering.telemetryIntervalSeconds {
            sources["telemetry"] = ["policy": .string(telemetry.source.policy), "revision": .int(Int64(telemetry.source.revision))]
        }
        let state = DesiredState(programs: programs, models: models, telemetryIntervalSeconds: rendering.telemetryIntervalSeconds?.value)
        return DeviceRendering(state: state, sources: sources, conflicts: rendering.conflicts, matched: rendering.matched)
    }

    private static func source(_ source: PolicySource, _ version: ArtifactReference) -> JSON {
        ["policy": .string(source.policy), "revision": .int(Int64(source.revision)), "version": version.json]
    }

    /// A complete `program.load` payload, as `POST /v1/devices/{id}/commands` would fill it in, with the
    /// `name@version` it came from (which the executor reports back).
    static func programPayload(_ item: PolicyDocument.ProgramItem, object: JSON) -> JSON {
        var members: [String: JSON] = ["program_id": object["id"] ?? .null, "name": .string(item.name), "program": item.program.json]
        FleetService.fillMissing(&members, from: object, ["sha256", "manifest", "signature"])
        if let attach = item.attach { members["attach"] = attach }
        if let rodata = item.rodata { members["rodata"] = .object(rodata) }
        return .object(members)
    }

    /// A complete `model.deploy` payload; a policy's `run` becomes the metadata's `schedule`.
    static func modelPayload(_ item: PolicyDocument.ModelItem, object: JSON) -> JSON {
        var members: [String: JSON] = ["model_id": object["id"] ?? .null, "name": .string(item.name), "model": item.model.json]
        FleetService.fillMissing(&members, from: object, ["version", "sha256", "size", "signature", "metadata", "inputs", "outputs"])
        if let sha256 = object["sha256"]?.stringValue { members["url"] = .string("/v1/executor/artifacts/\(sha256)") }
        if let run = item.run {
            var metadata = members["metadata"]?.objectValue ?? [:]
            metadata["schedule"] = run.json
            members["metadata"] = .object(metadata)
        }
        return .object(members)
    }
}

/// One device's rendered desired state and what it was made of.
struct DeviceRendering: Sendable, Equatable {
    let state: DesiredState
    /// `{"program/<name>": {policy, revision, version}, "model/<name>": ..., "telemetry": {policy, revision}}`
    let sources: [String: JSON]
    let conflicts: [PolicyConflict]
    /// The policies whose selector matched and the revision of each the device got, in name order.
    let matched: [PolicySource]

    var policies: [String] { matched.map(\.policy) }

    /// The policy each item came from, by item key (`program/<name>`, `model/<name>`).
    var itemPolicies: [String: String] { Self.itemPolicies(sources) }

    /// The policy each item of `sources` came from, by item key.
    static func itemPolicies(_ sources: [String: JSON]) -> [String: String] {
        var result: [String: String] = [:]
        for (key, source) in sources where key != "telemetry" {
            if let policy = source["policy"]?.stringValue { result[key] = policy }
        }
        return result
    }

    /// The policies party to a conflict on the device.
    var conflicted: Set<String> { Set(conflicts.flatMap(\.policies)) }

    var conflictsJSON: JSON {
        .array(conflicts.map { conflict in
            ["kind": .string(conflict.kind.rawValue), "item": .string(conflict.item),
             "policies": .array(conflict.policies.map(JSON.string)), "priority": .int(Int64(conflict.priority)), "winner": .string(conflict.winner)]
        })
    }
}
