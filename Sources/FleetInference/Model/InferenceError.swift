/// Why an inference run failed. The description names the input or node at fault.
public struct InferenceError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// An input name the model does not declare.
        case unknownInput(String)
        /// A declared input the caller did not feed.
        case missingInput(String)
        /// An input of another element type than declared.
        case wrongElementType(input: String, expected: TensorElementType, given: TensorElementType)
        /// An input whose shape does not match the declared one.
        case wrongShape(input: String, expected: [TensorDimension], given: [Int])
        /// A tensor whose values do not match its shape or type.
        case invalidTensor(String)
        /// A node failed on the given inputs (shapes that do not broadcast, an index out of range, ...).
        case nodeFailed(node: String, operator: String, detail: String)
        /// A node needs something this runtime does not implement for these inputs (an element type, an attribute value).
        case unsupported(node: String, operator: String, detail: String)
    }

    public let reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    public var description: String {
        switch reason {
        case .unknownInput(let name):
            return "the model has no input named '\(name)'"
        case .missingInput(let name):
            return "input '\(name)' is missing"
        case .wrongElementType(let input, let expected, let given):
            return "input '\(input)' must be \(expected.rawValue), got \(given.rawValue)"
        case .wrongShape(let input, let expected, let given):
            let want = "[" + expected.map(\.description).joined(separator: ", ") + "]"
            let got = "[" + given.map(String.init).joined(separator: ", ") + "]"
            return "input '\(input)' must have shape \(want), got \(got)"
        case .invalidTensor(let detail):
            return "invalid tensor: \(detail)"
        case .nodeFailed(let node, let op, let detail):
            return "\(op) node '\(node)' failed: \(detail)"
        case .unsupported(let node, let op, let detail):
            return "\(op) node '\(node)' is not supported by this runtime: \(detail)"
        }
    }
}
