import FoundationEssentials
import FleetCore
import FleetJSON

/// An ONNX model in the server's registry (`GET /v1/models/{id}`).
public struct RegisteredModel: Sendable, Equatable, JSONEncodable {
    /// Identifies one uploaded name@version.
    public struct ID: UUIDIdentifier {
        public let rawValue: UUID
        public init(rawValue: UUID) { self.rawValue = rawValue }
    }

    /// One dimension of a declared shape.
    public enum Dimension: Sendable, Equatable, CustomStringConvertible {
        case fixed(Int)
        /// Left open by the model, with its symbolic name when it has one (`batch`).
        case symbolic(String?)

        public var description: String {
            switch self {
            case .fixed(let size): String(size)
            case .symbolic(let name): name ?? "?"
            }
        }

        var json: JSON {
            switch self {
            case .fixed(let size): .int(Int64(size))
            case .symbolic(let name): name.map(JSON.string) ?? .null
            }
        }
    }

    /// An input or output the model declares.
    public struct TensorInfo: Sendable, Equatable, CustomStringConvertible {
        public var name: String
        /// `float32`, `int8`, ...; nil when the model does not declare it.
        public var dtype: String?
        /// Nil when the model does not declare the rank.
        public var shape: [Dimension]?

        public init(name: String, dtype: String?, shape: [Dimension]?) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
        }

        /// `input: float32[batch, 4]`.
        public var description: String {
            let type = dtype ?? "?"
            guard let shape else { return "\(name): \(type)" }
            return "\(name): \(type)[\(shape.map(\.description).joined(separator: ", "))]"
        }

        var json: JSON {
            ["name": .string(name), "dtype": dtype.json, "shape": shape.map { .array($0.map(\.json)) } ?? .null]
        }

        init(api object: APIObject) throws {
            name = try object.string("name")
            dtype = try object.optionalString("dtype")
            shape = try object.decodeIfPresent("shape", as: [JSON].self).map { dimensions in
                try dimensions.enumerated().map { index, dimension in
                    switch dimension {
                    case .null: return .symbolic(nil)
                    case .string(let name): return .symbolic(name)
                    default: return .fixed(try Int(json: dimension, path: "\(object.path).shape[\(index)]"))
                    }
                }
            }
        }
    }

    public var id: ID
    public var name: String
    public var version: String
    /// 64 lower-case hex digits.
    public var sha256: String
    public var size: Int64
    /// As uploaded (a JSON object); `.null` when none was.
    public var metadata: JSON
    public var irVersion: Int
    public var opsetVersion: Int
    public var producer: String?
    public var inputs: [TensorInfo]
    public var outputs: [TensorInfo]
    /// The distinct operator types, sorted.
    public var operators: [String]
    public var signed: Bool
    /// Base64 Ed25519 signature of the model's SHA-256 digest.
    public var signature: String?
    public var createdAt: Date
    public var createdBy: String?

    public var json: JSON {
        [
            "id": id.json, "name": .string(name), "version": .string(version), "sha256": .string(sha256), "size": .int(size),
            "metadata": metadata, "ir_version": .int(Int64(irVersion)), "opset_version": .int(Int64(opsetVersion)),
            "producer": producer.json, "inputs": .array(inputs.map(\.json)), "outputs": .array(outputs.map(\.json)),
            "operators": .array(operators.map(JSON.string)),
            "signed": .bool(signed), "signature": signature.json, "created_at": createdAt.json, "created_by": createdBy.json,
        ]
    }

    init(api object: APIObject) throws {
        id = try object.decode("id")
        name = try object.string("name")
        version = try object.string("version")
        sha256 = try object.string("sha256")
        size = try object.decode("size")
        metadata = object.value("metadata")
        irVersion = try object.decode("ir_version")
        opsetVersion = try object.decode("opset_version")
        producer = try object.optionalString("producer")
        inputs = try object.array("inputs").map(TensorInfo.init(api:))
        outputs = try object.array("outputs").map(TensorInfo.init(api:))
        operators = try object.decode("operators")
        signed = try object.decodeIfPresent("signed") ?? false
        signature = try object.optionalString("signature")
        createdAt = try object.date("created_at")
        createdBy = try object.optionalString("created_by")
    }
}

/// What `POST /v1/models` registers: the ONNX file is streamed from `modelPath`.
public struct NewModel: Sendable, Equatable {
    public var name: String
    public var version: String
    /// The `.onnx` file; read while it is sent, never whole into memory.
    public var modelPath: String
    /// A JSON object stored with the model and handed to executors.
    public var metadata: JSON?
    /// Base64 of the 64-byte Ed25519 signature (see `ProgramSignatureText`).
    public var signature: String?

    public init(name: String, version: String, modelPath: String, metadata: JSON? = nil, signature: String? = nil) {
        self.name = name
        self.version = version
        self.modelPath = modelPath
        self.metadata = metadata
        self.signature = signature
    }

    /// The upload's body: `name`, `version`, `model`, then `metadata` and `signature` when given.
    public var form: MultipartForm {
        MultipartForm.registryUpload(name: name, version: version, fileField: "model", filePath: modelPath,
                                     documentField: "metadata", document: metadata, signature: signature)
    }
}
