/// An HTTP response to send: status, header fields in order, and body.
///
/// MHD adds `Content-Length` and `Date` itself; header fields containing CR, LF or NUL are dropped.
public struct Response: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
