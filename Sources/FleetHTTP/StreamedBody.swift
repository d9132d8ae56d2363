/// Produces a response body while it is sent, a block at a time, so that a large body never sits whole in
/// memory. libmicrohttpd calls `read` on the worker thread that owns the connection, with increasing offsets.
public protocol ResponseBodySource: Sendable {
    /// Copies the body's bytes starting at `offset` into `buffer` (as many as fit) and returns how many it
    /// copied; fewer than `buffer.count` only at the end of the body. A thrown error aborts the response
    /// (the connection is closed, so the client sees a truncated body).
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A response body of a known length read from a `ResponseBodySource` as it is sent.
public struct StreamedBody: Sendable {
    /// The body's length in bytes; sent as `Content-Length`.
    public let length: UInt64
    public let source: any ResponseBodySource
    /// Bytes asked of the source per call.
    public let blockSize: Int

    public init(length: UInt64, source: any ResponseBodySource, blockSize: Int = 64 * 1024) {
        self.length = length
        self.source = source
        self.blockSize = max(blockSize, 1024)
    }
}
