/// Why the server could not start; the message is safe to show (addresses and MHD's own diagnostics only).
public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { "HTTP server: \(message)" }
}
