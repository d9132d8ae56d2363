/// Read-only int8 or uint8 tensor data, as ONNX's quantized operators accept either.
public enum QuantizedPointer {
    case int8(UnsafePointer<Int8>)
    case uint8(UnsafePointer<UInt8>)

    /// The same data `count` elements further.
    public func advanced(by count: Int) -> QuantizedPointer {
        switch self {
        case .int8(let p): .int8(p + count)
        case .uint8(let p): .uint8(p + count)
        }
    }

    /// Lowest and highest representable value of the element type.
    var range: ClosedRange<Int32> {
        switch self {
        case .int8: -128...127
        case .uint8: 0...255
        }
    }
}

/// Writable int8 or uint8 tensor data.
public enum QuantizedMutablePointer {
    case int8(UnsafeMutablePointer<Int8>)
    case uint8(UnsafeMutablePointer<UInt8>)

    /// The same data `count` elements further.
    public func advanced(by count: Int) -> QuantizedMutablePointer {
        switch self {
        case .int8(let p): .int8(p + count)
        case .uint8(let p): .uint8(p + count)
        }
    }
}

/// A quantization scale or zero point: one value for the whole tensor, or one per channel
/// (per row of a matrix-product `A`, per column of `B`, per output channel of convolution weights).
public enum QuantizationParameter<Value> {
    /// One value for the whole tensor.
    case tensor(Value)
    /// One value per channel; the pointer must stay valid during the call.
    case channels(UnsafePointer<Value>)

    @inline(__always)
    subscript(channel: Int) -> Value {
        switch self {
        case .tensor(let value): value
        case .channels(let values): values[channel]
        }
    }
}
