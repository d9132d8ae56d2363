@testable import FleetInference

/// Builds small ONNX models from the runtime's message types, serialized by the tests' encoder.
enum TestModels {
    static func node(_ op: String, _ inputs: [String], _ outputs: [String], name: String = "",
                     attributes: [AttributeProto] = []) -> NodeProto {
        NodeProto(input: inputs, output: outputs, name: name, opType: op, attribute: attributes)
    }

    static func ints(_ name: String, _ values: [Int]) -> AttributeProto {
        AttributeProto(name: name, type: .ints, ints: values.map { Int64($0) })
    }

    /// A tensor value; `nil` sizes are the symbolic dimension `batch`, a `nil` shape leaves the rank open.
    static func value(_ name: String, _ type: TensorElementType, _ shape: [Int?]?) -> ValueInfoProto {
        let dims = shape.map { sizes in
            TensorShapeProto(dim: sizes.map { size in
                TensorShapeProto.Dimension(value: size.map { .size(Int64($0)) } ?? .parameter("batch"))
            })
        }
        return ValueInfoProto(name: name, type: TypeProto(value: .tensor(.init(elemType: type.onnxCode, shape: dims))))
    }

    /// A tensor with its values as raw data.
    static func tensor(_ name: String, _ tensor: Tensor) -> TensorProto {
        TensorProto(dims: tensor.shape.map { Int64($0) }, dataType: tensor.elementType.onnxCode, name: name,
                    rawData: tensor.bytes[...])
    }

    static func model(nodes: [NodeProto], inputs: [ValueInfoProto], outputs: [ValueInfoProto],
                      initializers: [String: Tensor] = [:], opset: Int = 17) -> ModelProto {
        let initializer = initializers.sorted { $0.key < $1.key }.map { tensor($0.key, $0.value) }
        let graph = GraphProto(node: nodes, initializer: initializer, input: inputs, output: outputs)
        return ModelProto(irVersion: 8, opsetImport: [OperatorSetIdProto(version: Int64(opset))],
                          producerName: "fleet-tests", graph: graph)
    }

    static func bytes(_ model: ModelProto) -> [UInt8] { model.serialized }

    /// y = relu(x @ w + b) with x: [batch, 3], w: [3, 2].
    static func mlp() -> ModelProto {
        let w = try! Tensor(shape: [3, 2], values: [Float](arrayLiteral: 1, -1, 2, 0.5, -1, 1))
        let b = try! Tensor(shape: [2], values: [Float](arrayLiteral: 0.5, -0.5))
        return model(
            nodes: [node("MatMul", ["x", "w"], ["h"]), node("Add", ["h", "b"], ["z"]), node("Relu", ["z"], ["y"])],
            inputs: [value("x", .float32, [nil, 3])],
            outputs: [value("y", .float32, [nil, 2])],
            initializers: ["w": w, "b": b])
    }
}
