/// One dimension of a declared tensor shape.
public enum TensorDimension: Sendable, Hashable, CustomStringConvertible {
    /// A dimension of known size.
    case fixed(Int)
    /// A dimension the model leaves open, with its symbolic name when it has one (`"batch"`).
    case symbolic(String?)

    public var description: String {
        switch self {
        case .fixed(let size): String(size)
        case .symbolic(let name): name ?? "?"
        }
    }
}

/// A named tensor the model declares as an input or output.
public struct TensorInfo: Sendable, Hashable, CustomStringConvertible {
    /// The value name in the graph.
    public let name: String
    /// The element type, nil when the model does not declare it.
    public let elementType: TensorElementType?
    /// The shape, nil when the model does not declare the rank.
    public let shape: [TensorDimension]?

    public init(name: String, elementType: TensorElementType?, shape: [TensorDimension]?) {
        self.name = name
        self.elementType = elementType
        self.shape = shape
    }

    public var description: String {
        let type = elementType?.rawValue ?? "?"
        guard let shape else { return "\(name): \(type)" }
        return "\(name): \(type)[\(shape.map(\.description).joined(separator: ", "))]"
    }
}

/// What an uploaded model declares: versions, inputs, outputs and the operators it uses.
public struct ModelDescription: Sendable, Hashable {
    /// The ONNX IR version of the file.
    public let irVersion: Int
    /// The opset version of the default ONNX domain.
    public let opsetVersion: Int
    /// The producer name and version, when the file names them (`"pytorch 2.1"`).
    public let producer: String?
    /// Graph inputs a caller feeds (initializers excluded), in graph order.
    public let inputs: [TensorInfo]
    /// Graph outputs in graph order; shapes the model leaves open are inferred where possible.
    public let outputs: [TensorInfo]
    /// The distinct operator types of the graph, sorted.
    public let operators: [String]
}
