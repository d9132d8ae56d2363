import Glibc
import FleetCore
import FleetJSON

extension FleetClient {
    /// Uploads a program object with `POST /v1/programs`, streaming the file from disk.
    ///
    /// Blocks the calling thread; `progress` runs on it while bytes move.
    /// - Parameters:
    ///   - timeout: limit for the whole upload; a transfer that stalls for `transferStallTimeout` fails sooner.
    /// - Throws: `FleetClientError`: `.invalidConfiguration` when the object is not a readable regular file,
    ///   `.http` for the server's refusals (409 for an existing name@version, 422 for an invalid object or manifest).
    public func uploadProgram(_ program: NewProgram, timeout: Duration = .seconds(3600),
                              progress: ((TransferProgress) -> Void)? = nil) throws -> RegisteredProgram {
        let answer = try uploadForm(program.form, streaming: program.objectPath, to: "/v1/programs", what: "upload a program",
                                    timeout: timeout, progress: progress)
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
        try download("/v1/programs/\(id)/object", what: "download a program", timeout: timeout, progress: progress, into: sink)
    }

    /// Downloads a program's object into `path`, through a temporary file in the same directory that
    /// replaces `path` only once every byte has arrived.
    /// - Returns: the number of bytes written.
    @discardableResult
    public func downloadProgramObject(_ id: RegisteredProgram.ID, toFile path: String, timeout: Duration = .seconds(3600),
                                      progress: ((TransferProgress) -> Void)? = nil) throws -> Int64 {
        try download("/v1/programs/\(id)/object", what: "download a program", toFile: path, timeout: timeout, progress: progress)
    }
}
