internal import CMicroHTTPD

/// Feeds a `StreamedBody` to libmicrohttpd through a content-reader callback. MHD owns one retained reader per
/// response and releases it through the free callback once the response is destroyed.
final class StreamedBodyReader {
    private let body: StreamedBody

    private init(body: StreamedBody) {
        self.body = body
    }

    /// An MHD response reading from `body`; nil if MHD refused to create it.
    static func makeResponse(_ body: StreamedBody) -> OpaquePointer? {
        let cls = Unmanaged.passRetained(StreamedBodyReader(body: body)).toOpaque()
        guard let response = MHD_create_response_from_callback(body.length, body.blockSize, readCallback, cls, freeCallback) else {
            Unmanaged<StreamedBodyReader>.fromOpaque(cls).release()
            return nil
        }
        return response
    }

    /// MHD_CONTENT_READER_END_OF_STREAM and MHD_CONTENT_READER_END_WITH_ERROR (macros Swift does not import).
    private static let endOfStream = -1
    private static let endWithError = -2

    private func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard offset < body.length else { return Self.endOfStream }
        let wanted = Int(min(UInt64(buffer.count), body.length - offset))
        guard wanted > 0 else { return Self.endWithError }
        do {
            let count = try body.source.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]))
            // A source that runs dry before `length` would leave the client waiting for bytes that never come.
            return count > 0 ? min(count, wanted) : Self.endWithError
        } catch {
            return Self.endWithError
        }
    }

    private static let readCallback: MHD_ContentReaderCallback = { cls, position, buffer, maximum in
        guard let cls, let buffer else { return endWithError }
        let reader = Unmanaged<StreamedBodyReader>.fromOpaque(cls).takeUnretainedValue()
        return reader.read(at: position, into: UnsafeMutableRawBufferPointer(start: buffer, count: maximum))
    }

    private static let freeCallback: MHD_ContentReaderFreeCallback = { cls in
        guard let cls else { return }
        Unmanaged<StreamedBodyReader>.fromOpaque(cls).release()
    }
}
