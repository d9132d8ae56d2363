import FleetJSON

/// The payload of an `inference.run` command: the deployed model's name and one tensor per input,
/// `{"model": "anomaly", "inputs": {"x": {"shape": [1, 4], "data": [0.1, 0.2, 0.3, 0.4]}}}`.
public struct InferenceRequest: Sendable, Equatable, JSONDecodable, JSONEncodable {
    /// The name the model was deployed under (`model.deploy`), without a version.
    public var model: String
    public var inputs: [String: TensorPayload]

    public init(model: String, inputs: [String: TensorPayload]) {
        self.model = model
        self.inputs = inputs
    }

    /// - Throws: `JSONError` at the offending path: unknown members, an empty model name, no inputs, or a
    ///   malformed tensor (see `TensorPayload.init(json:path:)`).
    public init(json: JSON, path: String) throws {
        var reader = try JSONObjectReader(json, path: path)
        model = try reader.require("model")
        inputs = try reader.require("inputs")
        try reader.finish()
        let prefix = path.isEmpty ? "" : "\(path)."
        guard !model.isEmpty else { throw JSONError(path: prefix + "model", message: "must name a deployed model") }
        guard !inputs.isEmpty else { throw JSONError(path: prefix + "inputs", message: "must give at least one input tensor") }
    }

    public var json: JSON {
        ["model": .string(model), "inputs": .object(inputs.mapValues(\.json))]
    }
}
