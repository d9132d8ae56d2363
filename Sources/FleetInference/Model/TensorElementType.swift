/// The element type of a tensor, named after the ONNX data types this runtime computes with.
public enum TensorElementType: String, Sendable, Hashable, CaseIterable {
    case float32, float64, int8, uint8, int16, uint16, int32, int64, uint32, uint64, bool

    /// Bytes per element in a dense buffer.
    public var byteWidth: Int {
        switch self {
        case .int8, .uint8, .bool: 1
        case .int16, .uint16: 2
        case .float32, .int32, .uint32: 4
        case .float64, .int64, .uint64: 8
        }
    }

    /// The `TensorProto.DataType` code of this type.
    var onnxCode: Int32 {
        switch self {
        case .float32: 1
        case .uint8: 2
        case .int8: 3
        case .uint16: 4
        case .int16: 5
        case .int32: 6
        case .int64: 7
        case .bool: 9
        case .float64: 11
        case .uint32: 12
        case .uint64: 13
        }
    }

    /// The element type of an ONNX `TensorProto.DataType` code, nil when this runtime has none.
    init?(onnxCode: Int32) {
        switch onnxCode {
        case 1: self = .float32
        case 2: self = .uint8
        case 3: self = .int8
        case 4: self = .uint16
        case 5: self = .int16
        case 6: self = .int32
        case 7: self = .int64
        case 9: self = .bool
        case 11: self = .float64
        case 12: self = .uint32
        case 13: self = .uint64
        default: return nil
        }
    }

    /// The ONNX name of a data type code, for messages about types this runtime lacks.
    static func onnxName(_ code: Int32) -> String {
        switch code {
        case 0: "undefined"
        case 8: "string"
        case 10: "float16"
        case 14: "complex64"
        case 15: "complex128"
        case 16: "bfloat16"
        case 17, 18, 19, 20: "float8"
        case 21, 22: "int4"
        default: TensorElementType(onnxCode: code)?.rawValue ?? "data type \(code)"
        }
    }

    var isFloatingPoint: Bool { self == .float32 || self == .float64 }
}
