import FleetCore
import FleetJSON
import FleetPostgres
import Foundation

/// One registry of uploaded artifacts, eBPF programs (`ProgramStore.registry`) or ONNX models
/// (`ModelStore.registry`): a table of name@version rows naming content-addressed artifacts, each with an
/// optional JSON document uploaded beside it (manifest, metadata) and what validation found in the artifact
/// (summary, description). The upload, list, get, download and delete flows in `FleetService+Registry.swift`
/// are shared; this says where the registries differ.
///
/// Every column and table name here is a constant of the server, never input.
struct Registry<ID: UUIDIdentifier>: Sendable {
    /// "program", "model": in messages, audit actions (`program.create`) and metric names.
    let noun: String
    /// The table (`programs`); queries alias it `r`.
    let table: Query
    /// The multipart field carrying the artifact (`object`, `model`).
    let artifactField: String
    /// Largest artifact taken, refused with 413 as it arrives; nil for no limit but the server's `maxUploadBytes`.
    let maximumArtifactBytes: Int64?
    /// The optional JSON form field and its column (`manifest`, `metadata`).
    let documentField: String
    let documentColumn: Query
    /// The column holding what validation found (`summary`, `description`).
    let summaryColumn: Query
    let mediaType: String
    /// Of downloaded files: `<name>-<version>.<extension>`.
    let fileExtension: String
    let deployment: DeploymentRule
    /// The members of the API object beyond the common ones, from the document (`.null` when none) and the summary.
    let render: @Sendable (_ document: JSON, _ summary: JSON) throws -> [String: JSON]

    var columns: Query {
        """
        r.id, r.name, r.version, r.sha256, a.size, r.\(documentColumn) AS document, r.\(summaryColumn) AS summary,
        r.signature, r.created_at, r.created_by
        """
    }

    var source: Query { "\(table) r JOIN artifacts a ON a.sha256 = r.sha256" }

    func get(_ id: ID, on connection: PostgresConnection) throws -> Row? {
        try connection.query("SELECT \(columns) FROM \(source) WHERE r.id = \(id.rawValue)").first
    }

    /// The API object: id, name, version, sha256, size, signed, signature, created_at, created_by, and `render`'s members.
    func json(_ row: Row) throws -> JSON {
        let summary = try JSON.parse(Array(try row.decode("summary", as: String.self).utf8))
        let document = try row.decodeIfPresent("document", as: String.self).map { try JSON.parse(Array($0.utf8)) } ?? .null
        let signature = try row.decodeIfPresent("signature", as: String.self)
        var members: [String: JSON] = [
            "id": .string(try row.decode("id", as: UUID.self).uuidString.lowercased()),
            "name": .string(try row.decode("name")),
            "version": .string(try row.decode("version")),
            "sha256": .string(try row.decode("sha256")),
            "size": .int(try row.decode("size", as: Int64.self)),
            "signed": .bool(signature != nil),
            "signature": signature.json,
            "created_at": (try row.decode("created_at", as: Date.self)).json,
            "created_by": (try row.decodeIfPresent("created_by", as: String.self)).json,
        ]
        members.merge(try render(document, summary)) { _, specific in specific }
        return .object(members)
    }

    /// A name: 1 to 100 characters of letters, digits, `.`, `_` and `-`, starting with a letter or digit.
    static func checkName(_ name: String, field: String = "form field 'name'") throws {
        guard isToken(name, maximum: 100, extra: "._-") else {
            throw APIError.badRequest("\(field) must be 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
    }

    /// A version: 1 to 64 characters of letters, digits, `.`, `_`, `+` and `-`, starting with a letter or digit.
    static func checkVersion(_ version: String, field: String = "form field 'version'") throws {
        guard isToken(version, maximum: 64, extra: "._+-") else {
            throw APIError.badRequest("\(field) must be 1 to 64 letters, digits, '.', '_', '+' or '-', starting with a letter or digit")
        }
    }

    private static func isToken(_ text: String, maximum: Int, extra: String) -> Bool {
        let allowedExtra = Set(extra.utf8)
        let bytes = Array(text.utf8)
        guard (1...maximum).contains(bytes.count) else { return false }
        return bytes.enumerated().allSatisfy { index, byte in
            let alphanumeric = (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
            return alphanumeric || (index > 0 && allowedExtra.contains(byte))
        }
    }
}

/// How commands tell whether a device holds a registered artifact, until executors report their state.
///
/// A device holds one while a command installing it (`payload.<idKey>` is its id) is pending (queued,
/// delivered, running), or when, for one of the device's instances (`payload.name`, which the server fills in
/// for installs), the latest succeeded install or removal is an install of it. So a removal of the instance,
/// or a later install that put another artifact under its name, frees it. Decommissioned devices do not count.
struct DeploymentRule: Sendable {
    /// The payload member naming the artifact, as a quoted SQL literal: `'program_id'`.
    let idKey: Query
    /// The command types that install it, as an SQL list: `('program.load', 'program.replace')`.
    let installs: Query
    /// The command type that removes an instance, as a quoted SQL literal: `'program.unload'`.
    let removal: Query

    /// A device that holds, or is about to hold, the artifact with `id`, if any.
    func deviceHolding(_ id: UUID, on connection: PostgresConnection) throws -> DeviceID? {
        let key = id.uuidString.lowercased()
        let row = try connection.query("""
            SELECT c.device_id FROM commands c JOIN devices d ON d.id = c.device_id
            WHERE d.status <> 'decommissioned' AND c.type IN \(installs)
              AND c.state IN ('queued', 'delivered', 'running') AND lower(c.payload->>\(idKey)) = \(key)
            UNION ALL
            SELECT latest.device_id FROM (
                SELECT DISTINCT ON (c.device_id, c.payload->>'name') c.device_id, c.type, lower(c.payload->>\(idKey)) AS artifact_id
                FROM commands c JOIN devices d ON d.id = c.device_id
                WHERE d.status <> 'decommissioned' AND c.state = 'succeeded'
                  AND (c.type IN \(installs) OR c.type = \(removal)) AND c.payload ? 'name'
                ORDER BY c.device_id, c.payload->>'name', c.finished_at DESC
            ) latest
            WHERE latest.type <> \(removal) AND latest.artifact_id = \(key)
            LIMIT 1
            """).first
        return try row.map { DeviceID(rawValue: try $0.decode("device_id", as: UUID.self)) }
    }
}
