/// A Swift type that stores the elements of a tensor of one `TensorElementType`.
public protocol TensorScalar: Sendable {
    /// The element type whose buffers hold values of this type.
    static var tensorElementType: TensorElementType { get }
}

extension Float: TensorScalar { public static var tensorElementType: TensorElementType { .float32 } }
extension Double: TensorScalar { public static var tensorElementType: TensorElementType { .float64 } }
extension Int8: TensorScalar { public static var tensorElementType: TensorElementType { .int8 } }
extension UInt8: TensorScalar { public static var tensorElementType: TensorElementType { .uint8 } }
extension Int16: TensorScalar { public static var tensorElementType: TensorElementType { .int16 } }
extension UInt16: TensorScalar { public static var tensorElementType: TensorElementType { .uint16 } }
extension Int32: TensorScalar { public static var tensorElementType: TensorElementType { .int32 } }
extension UInt32: TensorScalar { public static var tensorElementType: TensorElementType { .uint32 } }
extension Int64: TensorScalar { public static var tensorElementType: TensorElementType { .int64 } }
extension UInt64: TensorScalar { public static var tensorElementType: TensorElementType { .uint64 } }
extension Bool: TensorScalar { public static var tensorElementType: TensorElementType { .bool } }
