import FleetHTTP
import FleetInference
import FleetJSON

extension FleetService {
    /// `POST /v1/models`: validated by loading it with FleetInference (parse, graph, opset, every unsupported
    /// operator named); `metadata`, when sent, must be a JSON object.
    func createModel(_ context: RequestContext) throws -> HandlerResult {
        try register(context, in: ModelStore.registry) { upload in
            let description: ModelDescription
            do {
                description = try Model(bytes: try upload.artifact.read(at: 0, count: Int(upload.artifact.size))).description
            } catch let error as ModelError {
                throw APIError.unprocessable("model: \(error.description)")
            }
            var metadata: JSON?
            if let bytes = upload.nonEmptyDocument {
                do { metadata = try JSON.parse(bytes) } catch let error as JSONError {
                    throw APIError.unprocessable("metadata is not valid JSON: \(error.description)")
                }
                guard metadata?.objectValue != nil else {
                    throw APIError.unprocessable("metadata must be a JSON object, not \(metadata?.typeName ?? "nothing")")
                }
            }
            return Validated(document: metadata, summary: description.json)
        }
    }

    func listModels(_ context: RequestContext) throws -> HandlerResult {
        try listRegistered(context, in: ModelStore.registry)
    }

    func getModel(_ context: RequestContext) throws -> HandlerResult {
        try getRegistered(context, in: ModelStore.registry)
    }

    /// `GET /v1/models/{id}/content`: the ONNX file, as `<name>-<version>.onnx`.
    func downloadModelContent(_ context: RequestContext) throws -> HandlerResult {
        try downloadRegistered(context, in: ModelStore.registry)
    }

    /// `DELETE /v1/models/{id}`: 409 while a device may still hold it (see `ModelStore.registry.deployment`).
    func deleteModel(_ context: RequestContext) throws -> HandlerResult {
        try deleteRegistered(context, in: ModelStore.registry,
                             remedy: "remove it there first (a succeeded model.remove command with the deployment's name)")
    }
}
