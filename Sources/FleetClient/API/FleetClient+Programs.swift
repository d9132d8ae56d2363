import Foundation
import FleetCore
import FleetJSON

extension FleetClient {
    /// How long an upload or download may make no progress before it fails.
    public static let transferStallTimeout: Duration = .seconds(120)

    /// Uploads a program object with `POST /v1/programs`, streaming the file from disk.
    ///
    /// Blocks the calling thread; `progress` runs on it while bytes move.
    /// - Parameters:
    ///   - timeout: limit for the whole upload; a transfer that stalls for `transferStallTimeout` fails sooner.
    /// - Throws: `FleetClientError`: `.invalidConfiguration` when the object is not a readable regular file,
    ///   `.http` for the server's refusals (409 for an existing name@version, 422 for an invalid object or manifest).
    public func uploadProgram(_ program: NewProgram, timeout: Duration = .seconds(3600),
                              progress: ((TransferProgress) -> Void)? = nil) throws -> RegisteredProgram {
        try Self.checkReadableFile(program.objectPath)
        let transport = try streamingTransport(for: "upload a program")
        let request = HTTPRequest(method: .post, url: configuration.server + "/v1/programs", headers: requestHeaders(), timeout: timeout)
        let response = try transport.send(request, form: program.form, stallTimeout: Self.transferStallTimeout, progress: progress)
        let answer = try answer(response, what: "POST /v1/programs")
        return try APIObject.decode(answer.json, what: answer.what, RegisteredProgram.init(api:))
    }

    /// One page of programs in upload order, optionally only those called `name`.
    public func programs(name: String? = nil, limit: Int? = nil, cursor: String? = nil) throws -> ListPage<RegisteredProgram> {
        try fetchPage("/v1/programs", query: [("name", name), ("limit", limit.map(String.init)), ("cursor", cursor)],
                      decode: RegisteredProgram.init(api:))
    }

    /// Every program (called `name`, if given), following `next_cursor` from `cursor` to the last page.
    public func allPrograms(name: String? = nil, limit: Int? = nil, from cursor: String? = nil) throws -> [RegisteredProgram] {
        try ListPage.collect(from: cursor) { try programs(name: name, limit: limit, cursor: $0) }
    }

    public func program(_ id: RegisteredProgram.ID) throws -> RegisteredProgram {
        try fetch(.get, "/v1/programs/\(id)", decode: RegisteredProgram.init(api:))
    }

    /// Deletes a program; the server answers 409 while a device may still run it.
    public func deleteProgram(_ id: RegisteredProgram.ID) throws {
        _ = try exchange(.delete, "/v1/programs/\(id)")
    }

    /// Streams a program's object file (`GET /v1/programs/{id}/object`) to `sink` as it arrives.
    ///
    /// - Parameters:
    ///   - sink: gets the bytes in order; what it throws stops the download and is rethrown.
    /// - Returns: the number of bytes received.
    @discardableResult
    public func downloadProgramObject(_ id: RegisteredProgram.ID, timeout: Duration = .seconds(3600),
                                      progress: ((TransferProgress) -> Void)? = nil,
                                      into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        let transport = try streamingTransport(for: "download a program")
        var headers = requestHeaders()
        headers[0] = ("Accept", "application/octet-stream, application/problem+json")
        let request = HTTPRequest(method: .get, url: configuration.server + "/v1/programs/\(id)/object", headers: headers, timeout: timeout)
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

    /// Downloads a program's object into `path`, through a temporary file in the same directory that
    /// replaces `path` only once every byte has arrived.
    /// - Returns: the number of bytes written.
    @discardableResult
    public func downloadProgramObject(_ id: RegisteredProgram.ID, toFile path: String, timeout: Duration = .seconds(3600),
                                      progress: ((TransferProgress) -> Void)? = nil) throws -> Int64 {
        let file = try PartialFile(replacing: path)
        let count = try downloadProgramObject(id, timeout: timeout, progress: progress) { try file.write($0) }
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
