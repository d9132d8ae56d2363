import FleetCore
import FleetJSON

extension FleetClient {
    /// Uploads an ONNX model with `POST /v1/models`, streaming the file from disk.
    ///
    /// Blocks the calling thread; `progress` runs on it while bytes move.
    /// - Parameters:
    ///   - timeout: limit for the whole upload; a transfer that stalls for `transferStallTimeout` fails sooner.
    /// - Throws: `FleetClientError`: `.invalidConfiguration` when the file is not a readable regular file,
    ///   `.http` for the server's refusals (409 for an existing name@version, 422 for a model that does not
    ///   load, naming the parse error or every unsupported operator).
    public func uploadModel(_ model: NewModel, timeout: Duration = .seconds(3600),
                            progress: ((TransferProgress) -> Void)? = nil) throws -> RegisteredModel {
        let answer = try uploadForm(model.form, streaming: model.modelPath, to: "/v1/models", what: "upload a model",
                                    timeout: timeout, progress: progress)
        return try APIObject.decode(answer.json, what: answer.what, RegisteredModel.init(api:))
    }

    /// One page of models in upload order, optionally only those called `name`.
    public func models(name: String? = nil, limit: Int? = nil, cursor: String? = nil) throws -> ListPage<RegisteredModel> {
        try fetchPage("/v1/models", query: [("name", name), ("limit", limit.map(String.init)), ("cursor", cursor)],
                      decode: RegisteredModel.init(api:))
    }

    /// Every model (called `name`, if given), following `next_cursor` from `cursor` to the last page.
    public func allModels(name: String? = nil, limit: Int? = nil, from cursor: String? = nil) throws -> [RegisteredModel] {
        try ListPage.collect(from: cursor) { try models(name: name, limit: limit, cursor: $0) }
    }

    public func model(_ id: RegisteredModel.ID) throws -> RegisteredModel {
        try fetch(.get, "/v1/models/\(id)", decode: RegisteredModel.init(api:))
    }

    /// The model registered as `name@version`.
    /// - Throws: `FleetClientError` `.http(404)` when there is none.
    public func model(name: String, version: String) throws -> RegisteredModel {
        guard let found = try allModels(name: name).first(where: { $0.version == version }) else {
            throw FleetClientError(kind: .http(status: 404), title: "Not Found", detail: "model \(name)@\(version) does not exist")
        }
        return found
    }

    /// Deletes a model; the server answers 409 while a device may still hold it.
    public func deleteModel(_ id: RegisteredModel.ID) throws {
        _ = try exchange(.delete, "/v1/models/\(id)")
    }

    /// Streams a model's file (`GET /v1/models/{id}/content`) to `sink` as it arrives.
    ///
    /// - Parameters:
    ///   - sink: gets the bytes in order; what it throws stops the download and is rethrown.
    /// - Returns: the number of bytes received.
    @discardableResult
    public func downloadModel(_ id: RegisteredModel.ID, timeout: Duration = .seconds(3600),
                              progress: ((TransferProgress) -> Void)? = nil,
                              into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        try download("/v1/models/\(id)/content", what: "download a model", timeout: timeout, progress: progress, into: sink)
    }

    /// Downloads a model's file into `path`, replacing it only once every byte has arrived.
    /// - Returns: the number of bytes written.
    @discardableResult
    public func downloadModel(_ id: RegisteredModel.ID, toFile path: String, timeout: Duration = .seconds(3600),
                              progress: ((TransferProgress) -> Void)? = nil) throws -> Int64 {
        try download("/v1/models/\(id)/content", what: "download a model", toFile: path, timeout: timeout, progress: progress)
    }
}
