import FleetCore
import FleetJSON
import FleetPostgres

extension FleetService {
    /// Checks the payloads of model commands and fills in what the executor needs from the registry:
    /// `model.deploy` names a model (`model: "name@version"` or `model_id`) and gets its artifact, `model.remove`
    /// names a deployment, `inference.run` carries well-formed tensors that fit the model deployed on `device`
    /// when the server knows which that is. Other types pass unchanged.
    static func resolveModelCommand(type: String, payload: JSON, device: DeviceID, on connection: PostgresConnection) throws -> JSON {
        switch type {
        case "model.deploy": return try resolveModelDeploy(payload, on: connection)
        case "model.remove":
            var reader = try JSONObjectReader(payload, path: "payload")
            let name: String = try reader.require("name")
            try reader.finish()
            try Registry<ModelID>.checkName(name, field: "payload.name")
            return payload
        case "inference.run":
            let request: InferenceRequest
            do { request = try InferenceRequest(json: payload, path: "payload") } catch let error as JSONError {
                throw APIError.unprocessable(error.description)
            }
            if let declared = try deployedInputs(of: request.model, on: device, connection: connection) {
                try checkInputs(request.inputs, against: declared, model: request.model)
            }
            return payload
        default:
            return payload
        }
    }

    /// `model.deploy`: the model's id, name (the deployment's name unless the payload sets one), version,
    /// `sha256`, `size`, `url` (its path under `/v1/executor/artifacts`), `signature`, `metadata`, `inputs` and
    /// `outputs`, each unless the payload sets it.
    private static func resolveModelDeploy(_ payload: JSON, on connection: PostgresConnection) throws -> JSON {
        guard case .object(var members) = payload else {
            throw JSONError(path: "payload", message: "model.deploy takes an object with model (name@version) or model_id")
        }
        let row: Row
        switch (members["model"], members["model_id"]) {
        case (.string(let reference)?, nil):
            row = try ModelStore.find(reference: reference, path: "payload.model", on: connection)
        case (nil, .string(let text)?):
            guard let id = ModelID(text) else { throw JSONError(path: "payload.model_id", message: "'\(text)' is not a UUID") }
            guard let found = try ModelStore.registry.get(id, on: connection) else {
                throw APIError.unprocessable("model \(id) does not exist")
            }
            row = found
        case (nil, nil):
            throw JSONError(path: "payload.model", message: "required field is missing: name the model as name@version, or give model_id")
        case (.some, .some):
            throw JSONError(path: "payload", message: "give model or model_id, not both")
        case (let reference?, nil):
            throw JSONError.typeMismatch("payload.model", expected: "string", got: reference)
        case (nil, let id?):
            throw JSONError.typeMismatch("payload.model_id", expected: "string", got: id)
        }
        if let name = members["name"] {
            try Registry<ModelID>.checkName(try String(json: name, path: "payload.name"), field: "payload.name")
        }
        let model = try ModelStore.registry.json(row)
        members["model_id"] = model["id"]
        fillMissing(&members, from: model, ["name", "version", "sha256", "size", "signature", "metadata", "inputs", "outputs"])
        if members["url"] == nil, let sha256 = model["sha256"]?.stringValue {
            members["url"] = .string("/v1/executor/artifacts/\(sha256)")
        }
        return .object(members)
    }

    /// Copies `keys` of `source` into `members` where `members` has no value of its own; nulls are not copied.
    static func fillMissing(_ members: inout [String: JSON], from source: JSON, _ keys: [String]) {
        for key in keys where members[key] == nil {
            if let value = source[key], !value.isNull { members[key] = value }
        }
    }

    /// The inputs the model deployed as `name` on `device` declares, when the latest succeeded `model.deploy`
    /// or `model.remove` of that name there is a deploy that carries them; nil when the server does not know.
    private static func deployedInputs(of name: String, on device: DeviceID, connection: PostgresConnection) throws -> [JSON]? {
        guard let row = try connection.query("""
            SELECT type, payload->'inputs' AS inputs FROM commands
            WHERE device_id = \(device.rawValue) AND state = 'succeeded' AND type IN ('model.deploy', 'model.remove')
              AND payload->>'name' = \(name)
            ORDER BY finished_at DESC LIMIT 1
            """).first, try row.decode("type", as: String.self) == "model.deploy",
              let text = try row.decodeIfPresent("inputs", as: String.self) else { return nil }
        return try JSON.parse(Array(text.utf8)).arrayValue
    }

    /// Every declared input is given, nothing else is, ranks and fixed dimensions match, and the dtype matches
    /// when the model declares one that JSON tensors can carry.
    /// - Throws: `APIError` 422 naming the input and what is wrong.
    static func checkInputs(_ inputs: [String: TensorPayload], against declared: [JSON], model: String) throws {
        let names = declared.compactMap { $0["name"]?.stringValue }
        for name in inputs.keys.sorted() where !names.contains(name) {
            throw APIError.unprocessable("payload.inputs.\(name): model \(model) has no input '\(name)'; its inputs are \(names.joined(separator: ", "))")
        }
        for input in declared {
            guard let name = input["name"]?.stringValue else { continue }
            guard let tensor = inputs[name] else {
                throw APIError.unprocessable("payload.inputs: input '\(name)' of model \(model) is missing")
            }
            if let dimensions = input["shape"]?.arrayValue {
                let fits = dimensions.count == tensor.shape.count
                    && zip(dimensions, tensor.shape).allSatisfy { declared, given in declared.int64Value.map { $0 == given } ?? true }
                guard fits else {
                    let expected = dimensions.map { $0.int64Value.map(String.init) ?? $0.stringValue ?? "?" }.joined(separator: ", ")
                    throw APIError.unprocessable("payload.inputs.\(name): shape [\(tensor.shape.map(String.init).joined(separator: ", "))] does not fit [\(expected)] of model \(model)")
                }
            }
            if let text = input["dtype"]?.stringValue, let type = TensorPayload.ElementType(rawValue: text), type != tensor.elementType {
                throw APIError.unprocessable("payload.inputs.\(name): model \(model) takes \(text), not \(tensor.elementType.rawValue)")
            }
        }
    }
}
