/// An attribute value of a node, decoded from `AttributeProto`.
enum AttributeValue: Sendable {
    case float(Float)
    case int(Int)
    case string(String)
    case tensor(Tensor)
    case floats([Float])
    case ints([Int])
    case strings([String])
    /// A value this runtime does not compute with (graphs, sparse tensors, type protos), named.
    case unsupported(String)
}

/// One node of a validated graph.
struct Node: Sendable {
    /// The node name, or `#index` when the model leaves it empty.
    let name: String
    let opType: String
    /// Input value names; `""` marks an omitted optional input.
    let inputs: [String]
    /// Output value names; `""` marks an omitted optional output.
    let outputs: [String]
    let attributes: [String: AttributeValue]
}

/// A validated graph: nodes in topological order, decoded initializers and declared interfaces.
struct Graph: Sendable {
    let nodes: [Node]
    let initializers: [String: ConstantBuffer]
    /// Graph inputs a caller feeds, in graph order (initializers excluded).
    let inputs: [TensorInfo]
    let outputs: [TensorInfo]
    /// Element types and shapes the model declares for intermediate values.
    let valueInfo: [String: TensorInfo]
    /// The opset version of the default domain.
    let opset: Int
    /// Graph inputs whose values decide shapes (they feed a Reshape's shape, a Slice's starts, ...):
    /// plans are built per value of these, and they are treated as constants inside a plan.
    let shapeKeyedInputs: Set<String>
}
