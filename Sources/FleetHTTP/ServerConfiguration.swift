import Foundation

/// How an `HTTPServer` listens and what it accepts.
public struct ServerConfiguration: Sendable {
    /// IPv4 or IPv6 literal to bind; "0.0.0.0" for all IPv4 interfaces, "::" for all interfaces (dual stack).
    public var host: String
    /// TCP port; 0 picks an ephemeral one (read it from `HTTPServer.port` after `start()`).
    public var port: Int
    /// Worker threads: one libmicrohttpd daemon each, sharing the port through SO_REUSEPORT.
    public var threads: Int
    /// Largest accepted request body; larger ones are answered with 413 without being buffered.
    public var maxBodyBytes: Int
    /// Largest body accepted by an `UploadSink` (see `bodyDisposition`); larger ones are answered with 413.
    public var maxUploadBytes: Int
    /// Called once per request when its header is in, on the worker thread: whether to buffer the body,
    /// stream it to a sink, or answer at once. It must not block for long.
    public var bodyDisposition: @Sendable (RequestHead) -> BodyDisposition
    /// Concurrent connections, suspended long-polls included.
    public var connectionLimit: Int
    /// Seconds of inactivity before MHD closes a connection; suspended connections are exempt.
    public var idleTimeoutSeconds: Int
    /// Renders server-generated errors (413, and 500 for a response MHD cannot send) in the caller's format.
    public var errorResponder: @Sendable (_ status: Int, _ title: String, _ detail: String) -> Response

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        maxBodyBytes: Int = 1 << 20,
        maxUploadBytes: Int = 256 << 20,
        bodyDisposition: @escaping @Sendable (RequestHead) -> BodyDisposition = { _ in .buffer },
        connectionLimit: Int = 100_000,
        idleTimeoutSeconds: Int = 90,
        errorResponder: @escaping @Sendable (_ status: Int, _ title: String, _ detail: String) -> Response
            = ServerConfiguration.problemResponse
    ) {
        self.host = host
        self.port = port
        self.threads = threads
        self.maxBodyBytes = maxBodyBytes
        self.maxUploadBytes = maxUploadBytes
        self.bodyDisposition = bodyDisposition
        self.connectionLimit = connectionLimit
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.errorResponder = errorResponder
    }

    /// The default error responder: a minimal `application/problem+json` document.
    @Sendable
    public static func problemResponse(status: Int, title: String, detail: String) -> Response {
        let document = #"{"type":"about:blank","title":"# + jsonString(title) + #","status":"# + String(status)
            + #","detail":"# + jsonString(detail) + "}"
        return Response(
            status: status,
            headers: [(name: "Content-Type", value: "application/problem+json")],
            body: Array(document.utf8))
    }

    private static func jsonString(_ text: String) -> String {
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20:
                escaped += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }
}
