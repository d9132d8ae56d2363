/// An HTTP request as the handler sees it: fully received (or streamed to an `UploadSink`), immutable apart
/// from the router's parameters.
public struct Request: Sendable {
    /// The method as sent ("GET", "POST", ...).
    public let method: String
    /// The request target's path without the query string, still percent-encoded as sent.
    /// `Router.match(method:path:)` decodes it segment by segment, so `%2F` stays inside one segment.
    public let path: String
    /// Query arguments, decoded; when a name repeats, the first value wins. `?flag` gives `"flag": ""`.
    public let query: [String: String]
    /// Header fields keyed by lower-cased name; repeated fields are joined with ", ".
    public let headers: [String: String]
    /// The request body (at most `ServerConfiguration.maxBodyBytes`); empty when it was streamed to an `UploadSink`.
    public let body: [UInt8]
    /// Textual IP address of the peer ("127.0.0.1", "::1"); IPv4-mapped IPv6 peers are shown as IPv4.
    public let remoteAddress: String?
    /// What the route's `UploadSink` made of a streamed body (`finish()`'s value), or the error it threw;
    /// nil when the body was buffered into `body`.
    public let upload: Result<any Sendable, any Error>?
    /// Values of the `{name}` segments of the matched route; empty until the caller fills them from a `Router` match.
    public var pathParameters: [String: String]

    public init(
        method: String,
        path: String,
        query: [String: String] = [:],
        headers: [String: String] = [:],
        body: [UInt8] = [],
        remoteAddress: String? = nil,
        pathParameters: [String: String] = [:],
        upload: Result<any Sendable, any Error>? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, second in "\(first), \(second)" })
        self.body = body
        self.remoteAddress = remoteAddress
        self.pathParameters = pathParameters
        self.upload = upload
    }

    /// The value of a header field, looked up case-insensitively.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// Whether the peer connected over a loopback address (127.0.0.0/8 or ::1).
    public var isFromLoopback: Bool {
        guard let remoteAddress else { return false }
        return remoteAddress == "::1" || remoteAddress.hasPrefix("127.")
    }
}
