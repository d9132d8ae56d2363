/// Receives a request body piece by piece as libmicrohttpd reads it, so that a large upload is never held
/// whole in memory.
///
/// Calls arrive on the worker thread that owns the connection, in order: `write` once per piece the server
/// read (each at most a few tens of KiB), then `finish` once when the whole body is in. A sink that throws
/// from `write` receives nothing more; the rest of the body is read and dropped, and the handler sees the
/// error in `Request.upload`. A sink released without `finish` (the client went away, the body exceeded
/// `ServerConfiguration.maxUploadBytes`, a `write` failed) must give back what it holds in its `deinit`.
public protocol UploadSink: AnyObject {
    /// Consumes the next piece of the body. `chunk` is only valid during the call.
    func write(_ chunk: UnsafeRawBufferPointer) throws

    /// The body is complete; returns what the handler receives in `Request.upload`.
    func finish() throws -> any Sendable
}

/// What the server does with a request's body, decided once its header is in.
public enum BodyDisposition {
    /// Collect it in memory up to `ServerConfiguration.maxBodyBytes` (413 beyond) and hand it over in `Request.body`.
    case buffer
    /// Pass it to the sink as it arrives, up to `ServerConfiguration.maxUploadBytes` (413 beyond).
    case stream(any UploadSink)
    /// Answer with this response at once, without reading the body and without calling the handler.
    case reject(Response)
}

/// A request before its body: what `ServerConfiguration.bodyDisposition` decides on.
public struct RequestHead: Sendable {
    /// The method as sent ("POST", "PUT", ...).
    public let method: String
    /// The request target's path without the query string, still percent-encoded as sent.
    public let path: String
    /// Query arguments, decoded; when a name repeats, the first value wins.
    public let query: [String: String]
    /// Header fields keyed by lower-cased name; repeated fields are joined with ", ".
    public let headers: [String: String]
    /// Textual IP address of the peer.
    public let remoteAddress: String?

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
                remoteAddress: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, second in "\(first), \(second)" })
        self.remoteAddress = remoteAddress
    }

    /// The value of a header field, looked up case-insensitively.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// The request as the handler would see it, with an empty body.
    public var request: Request {
        Request(method: method, path: path, query: query, headers: headers, remoteAddress: remoteAddress)
    }
}
