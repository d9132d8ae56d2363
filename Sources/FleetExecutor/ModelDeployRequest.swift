import FleetCore
import FleetJSON

/// The payload of `model.deploy`, as the server fills it in from the registry:
///
/// ```json
/// {"model": "anomaly@1.0.0", "model_id": "<uuid>", "name": "anomaly", "version": "1.0.0",
///  "sha256": "<64 hex>", "size": 1234, "url": "/v1/executor/artifacts/<sha256>", "signature": "<base64>",
///  "metadata": {"schedule": {...}}, "inputs": [...], "outputs": [...]}
/// ```
///
/// `name` names the deployment (`inference.run` and `model.remove` use it); `sha256` is how the file is fetched
/// and checked; `signature` is the registry's base64 Ed25519 signature over the 32 raw digest bytes;
/// `metadata.schedule` asks for scheduled inference (`ModelSchedule`). `model`, `url`, `inputs` and `outputs`
/// are informative: the executor fetches by digest and reads inputs and outputs from the file itself.
///
/// The same document is the deployment's state file, so a restarted executor reads it back through this parser.
public struct ModelDeployRequest: Sendable, Equatable {
    public var name: String
    public var modelID: ModelID?
    public var version: String?
    public var sha256: ArtifactDigest
    public var signature: [UInt8]?
    public var schedule: ModelSchedule?
    public let json: JSON

    /// Deployment names: 1 to 100 of `[A-Za-z0-9._-]`, starting alphanumeric, as the registry's names.
    public static let maxNameLength = 100

    /// - Throws: `JSONError` naming the member at fault.
    public init(payload: JSON) throws {
        var reader = try JSONObjectReader(payload)
        name = try reader.require("name")
        modelID = try reader.optional("model_id")
        version = try reader.optional("version")
        sha256 = try reader.require("sha256")
        let signature: String? = try reader.optional("signature")
        let metadata = reader.raw("metadata")
        for informative in ["model", "size", "url", "inputs", "outputs"] { _ = reader.raw(informative) }
        try reader.finish()
        try ProgramLoadRequest.checkName(name, maxLength: Self.maxNameLength)
        self.signature = try signature.map { try ArtifactTrust.signature(base64: $0, path: "signature") }
        if let metadata, !metadata.isNull {
            guard case .object = metadata else { throw JSONError.typeMismatch("metadata", expected: "object", got: metadata) }
            schedule = try metadata["schedule"].flatMap { $0.isNull ? nil : try ModelSchedule(json: $0, path: "metadata.schedule") }
        }
        json = payload
    }

    /// `name@version` when the version is known, else the name.
    var label: String { version.map { "\(name)@\($0)" } ?? name }
}

/// The payload of `model.remove`: `{"name": "anomaly"}`.
public struct ModelRemoveRequest: Sendable, Equatable {
    public var name: String

    /// - Throws: `JSONError`.
    public init(payload: JSON) throws {
        var reader = try JSONObjectReader(payload)
        name = try reader.require("name")
        try reader.finish()
        try ProgramLoadRequest.checkName(name, maxLength: ModelDeployRequest.maxNameLength)
    }
}
