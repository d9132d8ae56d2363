/// A failure inside one operator, wrapped with the node's name by the planner or executor.
struct OpError: Error {
    let message: String
    /// True when the node is valid ONNX that this runtime does not implement (a type, an attribute value).
    let isUnsupported: Bool

    init(_ message: String) {
        self.message = message
        self.isUnsupported = false
    }

    private init(message: String, isUnsupported: Bool) {
        self.message = message
        self.isUnsupported = isUnsupported
    }

    /// A limitation of this runtime rather than a fault of the model or its inputs.
    static func unsupported(_ message: String) -> OpError { OpError(message: message, isUnsupported: true) }
}
