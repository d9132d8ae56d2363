import FleetCore
import FleetJSON
import FleetPostgres
import Foundation

/// Identifies an uploaded model (one name@version).
struct ModelID: UUIDIdentifier {
    let rawValue: UUID
    init(rawValue: UUID) { self.rawValue = rawValue }
}

/// The `models` table: ONNX models with the operator's `metadata` and what validation found (`description`:
/// `ir_version`, `opset_version`, `producer`, `inputs`, `outputs`, `operators`).
enum ModelStore {
    /// A device holds a model while a `model.deploy` of it is pending, or while the latest succeeded deploy or
    /// remove of one of its deployments (`payload.name`) deployed it.
    static let registry = Registry<ModelID>(
        noun: "model", table: "models", artifactField: "model", maximumArtifactBytes: nil,
        documentField: "metadata", documentColumn: "metadata", summaryColumn: "description", mediaType: "application/onnx", fileExtension: "onnx",
        deployment: DeploymentRule(idKey: "'model_id'", installs: "('model.deploy')", removal: "'model.remove'"),
        render: { metadata, description in
            var members = description.objectValue ?? [:]
            members["metadata"] = metadata
            return members
        })

    /// The model `reference` names: `name@version`.
    /// - Throws: `JSONError` at `path` when it is not `name@version`; `APIError` 422 when no such model exists.
    static func find(reference: String, path: String, on connection: PostgresConnection) throws -> Row {
        guard let at = reference.lastIndex(of: "@") else {
            throw JSONError(path: path, message: "'\(reference)' is not name@version")
        }
        let name = String(reference[..<at])
        let version = String(reference[reference.index(after: at)...])
        try Registry<ModelID>.checkName(name, field: "\(path): the name")
        try Registry<ModelID>.checkVersion(version, field: "\(path): the version")
        guard let row = try connection.query("""
            SELECT \(registry.columns) FROM \(registry.source) WHERE r.name = \(name) AND r.version = \(version)
            """).first else {
            throw APIError.unprocessable("model \(name)@\(version) does not exist")
        }
        return row
    }
}
