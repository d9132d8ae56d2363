/// A JSON document that could not be parsed, or a value of the wrong shape. Safe to show to clients.
public struct JSONError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Where the problem is: a field path like `labels.env` or `items[2]`, empty for the document.
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}
