import SwiftProtobuf
@testable import FleetInference

/// Builds small ONNX models through the generated messages.
enum TestModels {
    static func node(_ op: String, _ inputs: [String], _ outputs: [String], name: String = "",
                     attributes: [Onnx_AttributeProto] = []) -> Onnx_NodeProto {
        var node = Onnx_NodeProto()
        node.opType = op
        node.input = inputs
        node.output = outputs
        node.name = name
        node.attribute = attributes
        return node
    }

    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = values.map { Int64($0) }
        return attribute
    }

    static func value(_ name: String, _ type: TensorElementType, _ shape: [Int?]) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = type.onnxCode
        var shapeProto = Onnx_TensorShapeProto()
        shapeProto.dim = shape.map { size in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let size { dim.dimValue = Int64(size) } else { dim.dimParam = "batch" }
            return dim
        }
        tensor.shape = shapeProto
        info.type.tensorType = tensor
        return info
    }

    static func model(nodes: [Onnx_NodeProto], inputs: [Onnx_ValueInfoProto], outputs: [Onnx_ValueInfoProto],
                      initializers: [String: Tensor] = [:], opset: Int = 17) -> Onnx_ModelProto {
        var graph = Onnx_GraphProto()
        graph.name = "test"
        graph.node = nodes
        graph.input = inputs
        graph.output = outputs
        graph.initializer = initializers.sorted { $0.key < $1.key }.map { name, tensor in
            var proto = tensor.proto
            proto.name = name
            return proto
        }
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.producerName = "fleet-tests"
        var import_ = Onnx_OperatorSetIdProto()
        import_.version = Int64(opset)
        model.opsetImport = [import_]
        model.graph = graph
        return model
    }

    static func bytes(_ model: Onnx_ModelProto) throws -> [UInt8] { try model.serializedBytes() }

    /// y = relu(x @ w + b) with x: [batch, 3], w: [3, 2].
    static func mlp() -> Onnx_ModelProto {
        let w = try! Tensor(shape: [3, 2], values: [Float](arrayLiteral: 1, -1, 2, 0.5, -1, 1))
        let b = try! Tensor(shape: [2], values: [Float](arrayLiteral: 0.5, -0.5))
        return model(
            nodes: [node("MatMul", ["x", "w"], ["h"]), node("Add", ["h", "b"], ["z"]), node("Relu", ["z"], ["y"])],
            inputs: [value("x", .float32, [nil, 3])],
            outputs: [value("y", .float32, [nil, 2])],
            initializers: ["w": w, "b": b])
    }
}
