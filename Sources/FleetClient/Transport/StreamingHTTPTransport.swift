/// How far a transfer has come, as libcurl reports it; totals are 0 while unknown.
public struct TransferProgress: Sendable, Equatable {
    public var uploaded: Int64
    public var uploadTotal: Int64
    public var downloaded: Int64
    public var downloadTotal: Int64

    public init(uploaded: Int64 = 0, uploadTotal: Int64 = 0, downloaded: Int64 = 0, downloadTotal: Int64 = 0) {
        self.uploaded = uploaded
        self.uploadTotal = uploadTotal
        self.downloaded = downloaded
        self.downloadTotal = downloadTotal
    }
}

/// An `HTTPTransport` that can also stream bodies: a `multipart/form-data` body whose files are read
/// while they are sent, and an answer handed over piece by piece instead of being gathered in memory.
///
/// Both calls block the calling thread; the closures run on it, during the call, and must not keep
/// the buffers they are given.
public protocol StreamingHTTPTransport: HTTPTransport {
    /// Sends `form` as the body of `request` (whose own `body` is ignored).
    /// - Parameters:
    ///   - stallTimeout: fail when no byte moves for this long; `request.timeout` still bounds the whole exchange.
    ///   - progress: called now and then while bytes move.
    func send(_ request: HTTPRequest, form: MultipartForm, stallTimeout: Duration,
              progress: ((TransferProgress) -> Void)?) throws -> HTTPResponse

    /// Sends `request` and hands a 2xx answer's body to `sink` as it arrives; the returned response then
    /// has an empty body. Other answers are gathered in memory and returned whole, as by `send(_:)`.
    /// - Parameters:
    ///   - sink: an error it throws stops the transfer and is rethrown.
    func receive(_ request: HTTPRequest, stallTimeout: Duration, progress: ((TransferProgress) -> Void)?,
                 into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> HTTPResponse
}
