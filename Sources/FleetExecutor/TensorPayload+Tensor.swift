import FleetCore
import FleetInference
import FleetJSON

extension TensorPayload {
    /// The JSON form of an inference output.
    ///
    /// Element types JSON tensors do not carry are widened where that is exact (`bool`, `int16`, `uint16` to
    /// `int32`; `uint32`, `uint64` to `int64`) and `float64` is rounded to `float32`.
    /// - Throws: `ExecutorError` for a `uint64` element beyond `Int64.max`.
    public init(_ tensor: Tensor) throws {
        let elements: Elements
        switch tensor.elementType {
        case .float32: elements = .float32(tensor.values(as: Float.self) ?? [])
        case .float64: elements = .float32(tensor.doubles.map { Float($0) })
        case .int8: elements = .int8(tensor.values(as: Int8.self) ?? [])
        case .uint8: elements = .uint8(tensor.values(as: UInt8.self) ?? [])
        case .int32: elements = .int32(tensor.values(as: Int32.self) ?? [])
        case .int64: elements = .int64(tensor.values(as: Int64.self) ?? [])
        case .bool, .int16, .uint16: elements = .int32(tensor.doubles.map { Int32($0) })
        case .uint32: elements = .int64(tensor.doubles.map { Int64($0) })
        case .uint64:
            elements = .int64(try (tensor.values(as: UInt64.self) ?? []).map { value in
                guard let narrow = Int64(exactly: value) else {
                    throw ExecutorError("the uint64 output value \(value) does not fit the int64 of a JSON tensor")
                }
                return narrow
            })
        }
        try self.init(shape: tensor.shape, elements: elements)
    }

    /// The tensor to feed a model.
    /// - Throws: `InferenceError` (only for a shape whose element count overflows, which `TensorPayload` rules out).
    public func tensor() throws(InferenceError) -> Tensor {
        switch elements {
        case .float32(let values): try Tensor(shape: shape, values: values)
        case .int8(let values): try Tensor(shape: shape, values: values)
        case .uint8(let values): try Tensor(shape: shape, values: values)
        case .int32(let values): try Tensor(shape: shape, values: values)
        case .int64(let values): try Tensor(shape: shape, values: values)
        }
    }

    /// Outputs as the `outputs` member of results and `infer`: `{"<name>": {"shape", "data", "dtype"}}`.
    /// - Throws: `ExecutorError` as `init(_:)`.
    public static func outputsJSON(_ outputs: [(name: String, tensor: Tensor)]) throws -> JSON {
        var members: [String: JSON] = [:]
        for output in outputs { members[output.name] = try TensorPayload(output.tensor).json }
        return .object(members)
    }
}
