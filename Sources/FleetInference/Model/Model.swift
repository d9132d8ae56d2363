import SwiftProtobuf

/// A parsed and validated ONNX model, ready to be run by `InferenceSession`s.
///
/// Loading checks everything that can be checked without inputs: the file parses, the opset is
/// supported, every operator is implemented (all missing ones are named at once), initializers match
/// their dimensions, every value is defined and the graph has no cycle. A model is immutable and can
/// be shared between threads.
public final class Model: Sendable {
    /// What the model declares, with output shapes inferred where the file leaves them open.
    public let description: ModelDescription
    let graph: Graph

    /// Parses and validates an ONNX file.
    ///
    /// - Parameter bytes: the serialized `ModelProto`.
    /// - Throws: `ModelError` with a reason an operator can act on; never traps on bad bytes.
    public convenience init(bytes: some Collection<UInt8>) throws(ModelError) {
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: Array(bytes))
        } catch {
            throw ModelError(.malformed(Model.describe(error)))
        }
        try self.init(proto: proto)
    }

    init(proto: Onnx_ModelProto) throws(ModelError) {
        let graph = try Graph(model: proto)
        self.graph = graph
        // With fixed input shapes the graph is planned once here: that checks every node against
        // the shapes it will see and infers the output shapes the file leaves open.
        var outputs = graph.outputs
        if let feeds = graph.placeholderInputs() {
            let plan: ExecutionPlan
            do { plan = try ExecutionPlan(graph: graph, inputs: feeds) } catch { throw error.modelError }
            let inferred = Dictionary(plan.outputs.map { ($0.name, $0.spec) }, uniquingKeysWith: { first, _ in first })
            outputs = outputs.map { info in
                guard let spec = inferred[info.name] else { return info }
                return TensorInfo(name: info.name, elementType: info.elementType ?? spec.type,
                                  shape: info.shape?.refined(by: spec.shape) ?? spec.shape.map { .fixed($0) })
            }
        }
        let producer = [proto.producerName, proto.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        self.description = ModelDescription(
            irVersion: Int(clamping: proto.irVersion),
            opsetVersion: graph.opset,
            producer: producer.isEmpty ? nil : producer,
            inputs: graph.inputs,
            outputs: outputs,
            operators: Set(graph.nodes.map(\.opType)).sorted())
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case BinaryDecodingError.truncated: "the file is truncated"
        case BinaryDecodingError.malformedProtobuf: "the bytes are not a protobuf message"
        case BinaryDecodingError.invalidUTF8: "a text field is not valid UTF-8"
        case BinaryDecodingError.messageDepthLimit: "the message nests too deeply"
        default: "the bytes cannot be decoded (\(error))"
        }
    }
}

extension Array where Element == TensorDimension {
    /// Open dimensions replaced by inferred sizes, when the ranks agree.
    func refined(by shape: [Int]) -> [TensorDimension] {
        guard count == shape.count else { return self }
        return zip(self, shape).map { dimension, size in
            if case .symbolic = dimension { return .fixed(size) }
            return dimension
        }
    }
}
