/// An HTTP method, spelled as it goes on the wire.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let patch = HTTPMethod(rawValue: "PATCH")
    public static let delete = HTTPMethod(rawValue: "DELETE")
    public static let head = HTTPMethod(rawValue: "HEAD")

    public var description: String { rawValue }
}

/// One HTTP request as a transport sends it.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// Absolute URL, already percent-encoded.
    public var url: String
    public var headers: [(name: String, value: String)]
    /// Nil sends no body; an empty array sends `Content-Length: 0`.
    public var body: [UInt8]?
    /// The whole exchange, connection included, must finish within this time.
    public var timeout: Duration

    public init(method: HTTPMethod, url: String, headers: [(name: String, value: String)] = [],
                body: [UInt8]? = nil, timeout: Duration = .seconds(30)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// The answer to an `HTTPRequest`: any status counts as an answer.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

/// Sends HTTP requests and blocks until the answer arrives.
///
/// Implementations throw `FleetClientError` with kind `.transport` when no HTTP answer was received
/// (connection refused, DNS failure, timeout, TLS failure). Calls block the calling thread: do not
/// call them from the Swift concurrency pool.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) throws -> HTTPResponse
}

extension HTTPTransport {
    /// Convenience form of `send(_:)`.
    public func send(_ method: HTTPMethod, _ url: String, headers: [(name: String, value: String)] = [],
                     body: [UInt8]? = nil, timeout: Duration = .seconds(30)) throws -> HTTPResponse {
        try send(HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: timeout))
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a tiny positive duration never becomes "no limit".
    var roundedUpMilliseconds: Int {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(clamping: max(millis, 0))
    }

    /// Whole seconds, rounded up; zero or less is zero.
    var roundedUpSeconds: Int {
        let (seconds, attoseconds) = components
        guard seconds >= 0 && (seconds > 0 || attoseconds > 0) else { return 0 }
        return Int(clamping: seconds + (attoseconds > 0 ? 1 : 0))
    }
}
