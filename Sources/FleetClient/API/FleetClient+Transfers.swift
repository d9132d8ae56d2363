import Glibc
import FleetJSON

/// Streamed uploads and downloads of registry artifacts (program objects, models).
extension FleetClient {
    /// How long an upload or download may make no progress before it fails.
    public static let transferStallTimeout: Duration = .seconds(120)

    /// Posts `form` to `path`, streaming `filePath` (one of its parts) from disk, and returns the answer.
    ///
    /// Blocks the calling thread; `progress` runs on it while bytes move.
    /// - Throws: `FleetClientError`: `.invalidConfiguration` when `filePath` is not a readable regular file,
    ///   `.http` for the server's refusals.
    func uploadForm(_ form: MultipartForm, streaming filePath: String, to path: String, what: String, timeout: Duration,
                    progress: ((TransferProgress) -> Void)?) throws -> Answer {
        try Self.checkReadableFile(filePath)
        let transport = try streamingTransport(for: what)
        let request = HTTPRequest(method: .post, url: configuration.server + path, headers: requestHeaders(), timeout: timeout)
        let response = try transport.send(request, form: form, stallTimeout: Self.transferStallTimeout, progress: progress)
        return try answer(response, what: "POST \(path)")
    }

    /// Streams the body of `GET path` to `sink` as it arrives.
    ///
    /// - Parameters:
    ///   - sink: gets the bytes in order; what it throws stops the download and is rethrown.
    /// - Returns: the number of bytes received.
    func download(_ path: String, what: String, timeout: Duration, progress: ((TransferProgress) -> Void)?,
                  into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        let transport = try streamingTransport(for: what)
        var headers = requestHeaders()
        headers[0] = ("Accept", "application/octet-stream, application/problem+json")
        let request = HTTPRequest(method: .get, url: configuration.server + path, headers: headers, timeout: timeout)
        var received: Int64 = 0
        let response = try transport.receive(request, stallTimeout: Self.transferStallTimeout, progress: progress) { bytes in
            received += Int64(bytes.count)
            try sink(bytes)
        }
        guard (200..<300).contains(response.status) else {
            throw FleetClientError.fromResponse(status: response.status, body: response.body)
        }
        return received
    }

    /// Downloads `GET path` into the file `destination`, through a temporary file in the same directory that
    /// replaces it only once every byte has arrived.
    /// - Returns: the number of bytes written.
    func download(_ path: String, what: String, toFile destination: String, timeout: Duration,
                  progress: ((TransferProgress) -> Void)?) throws -> Int64 {
        let file = try PartialFile(replacing: destination)
        let count = try download(path, what: what, timeout: timeout, progress: progress) { try file.write($0) }
        try file.commit()
        return count
    }

    static func checkReadableFile(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw FleetClientError(kind: .invalidConfiguration, title: "cannot read \(path)", detail: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw FleetClientError(kind: .invalidConfiguration, title: "cannot upload \(path)", detail: "not a regular file")
        }
        guard access(path, R_OK) == 0 else {
            throw FleetClientError(kind: .invalidConfiguration, title: "cannot read \(path)", detail: String(cString: strerror(errno)))
        }
    }
}

extension MultipartForm {
    /// The body of a registry upload: `name`, `version`, the file as `fileField` (`application/octet-stream`,
    /// named by its last path component), then the JSON document as `documentField` and `signature` when given.
    static func registryUpload(name: String, version: String, fileField: String, filePath: String,
                               documentField: String, document: JSON?, signature: String?) -> MultipartForm {
        var form = MultipartForm()
        form.append("name", text: name)
        form.append("version", text: version)
        let filename = filePath.split(separator: "/").last.map(String.init) ?? filePath
        form.append(fileField, filePath: filePath, filename: filename, contentType: "application/octet-stream")
        if let document {
            form.append(documentField, bytes: document.serializedBytes(), filename: "\(documentField).json", contentType: "application/json")
        }
        if let signature { form.append("signature", text: signature) }
        return form
    }
}
