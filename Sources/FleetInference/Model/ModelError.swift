/// Why a model cannot be loaded. The description is a sentence an operator can act on.
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The bytes are not an ONNX model (truncated, corrupt or another format).
        case malformed(String)
        /// The graph uses operators this runtime does not implement; every one is listed, sorted.
        case unsupportedOperators([String])
        /// The model imports an opset outside the supported range, or an operator domain other than ONNX's.
        case unsupportedOpset(domain: String, version: Int)
        /// The graph is inconsistent: a cycle, an undefined value, a bad initializer or attribute.
        case invalidGraph(String)
        /// A tensor or attribute uses a type or feature this runtime does not support.
        case unsupportedType(String)
    }

    public let reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    public var description: String {
        switch reason {
        case .malformed(let detail):
            return "not a valid ONNX model: \(detail)"
        case .unsupportedOperators(let operators):
            let noun = operators.count == 1 ? "operator" : "operators"
            return "the model uses \(operators.count) unsupported \(noun): \(operators.joined(separator: ", "))"
        case .unsupportedOpset(let domain, let version):
            if domain.isEmpty || domain == "ai.onnx" {
                return "the model imports ONNX opset \(version); supported opsets are \(OperatorRegistry.supportedOpsets.lowerBound) to \(OperatorRegistry.supportedOpsets.upperBound)"
            }
            return "the model imports operator domain '\(domain)' (version \(version)); only the default ONNX domain is supported"
        case .invalidGraph(let detail):
            return "invalid model graph: \(detail)"
        case .unsupportedType(let detail):
            return "unsupported in this runtime: \(detail)"
        }
    }

    static func invalid(_ detail: String) -> ModelError { ModelError(.invalidGraph(detail)) }
}
