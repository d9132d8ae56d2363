/// An HTTP response to send: status, header fields in order, and body.
///
/// MHD adds `Content-Length` and `Date` itself; header fields containing CR, LF or NUL are dropped.
public struct Response: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// When set, the body is read from it while it is sent, and `body` is ignored.
    public var streamedBody: StreamedBody?

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
        self.streamedBody = nil
    }

    /// A response whose body is produced while it is sent.
    public init(status: Int, headers: [(name: String, value: String)] = [], streaming body: StreamedBody) {
        self.status = status
        self.headers = headers
        self.body = []
        self.streamedBody = body
    }
}
