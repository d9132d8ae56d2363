/// Cast and CastLike: conversions between element types.
enum CastOperators {
    static let all: [String: OperatorDefinition] = [
        "Cast": OperatorDefinition { context throws(OpError) in
            let x = try context.input(0)
            let target: TensorElementType
            switch context.attribute("to") {
            case .int(let code)?:
                guard let type = TensorElementType(onnxCode: Int32(clamping: code)) else {
                    throw OpError.unsupported("casting to \(TensorElementType.onnxName(Int32(clamping: code))) is not supported")
                }
                target = type
            case .string(let name)?:
                // Opset 1 names the type: "FLOAT", "INT64", ...
                let names: [String: TensorElementType] = [
                    "FLOAT": .float32, "DOUBLE": .float64, "INT8": .int8, "UINT8": .uint8, "INT16": .int16,
                    "UINT16": .uint16, "INT32": .int32, "UINT32": .uint32, "INT64": .int64, "UINT64": .uint64, "BOOL": .bool,
                ]
                guard let type = names[name] else { throw OpError.unsupported("casting to \(name) is not supported") }
                target = type
            default:
                throw OpError("Cast needs the 'to' attribute")
            }
            return PlannedNode(outputs: [ValueSpec(type: target, shape: x.shape)], kernel: try castKernel(from: x.type, to: target, count: x.count))
        },
        "CastLike": OperatorDefinition { context throws(OpError) in
            let x = try context.input(0), like = try context.input(1)
            return PlannedNode(outputs: [ValueSpec(type: like.type, shape: x.shape)], kernel: try castKernel(from: x.type, to: like.type, count: x.count))
        },
    ]

    /// A kernel writing `value` to `count` elements of a numeric type.
    static func fill(_ type: TensorElementType, _ value: Double, count: Int) throws(OpError) -> Kernel {
        struct Visit: NumericVisitor {
            let value: Double, count: Int
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                let (element, count) = (T(double: value), count)
                return { _, outputs in typed(outputs[0], T.self).update(repeating: element, count: count) }
            }
        }
        return try type.dispatch(Visit(value: value, count: count))
    }

    /// A conversion kernel. Integers convert exactly (wrapping), floats to integers truncate toward
    /// zero and saturate, anything non-zero becomes true.
    static func castKernel(from source: TensorElementType, to target: TensorElementType, count: Int) throws(OpError) -> Kernel {
        if source == target { return copyKernel(byteCount: count * source.byteWidth) }
        if target == .bool {
            if source == .bool { return copyKernel(byteCount: count) }
            struct Visit: NumericVisitor {
                let count: Int
                func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                    ElementwiseKernels.unary(count: count, T.self, Bool.self) { $0 != T.zero }
                }
            }
            return try source.dispatch(Visit(count: count))
        }
        if source == .bool {
            struct Visit: NumericVisitor {
                let count: Int
                func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                    ElementwiseKernels.unary(count: count, Bool.self, T.self) { $0 ? T.one : T.zero }
                }
            }
            return try target.dispatch(Visit(count: count))
        }
        struct Outer: NumericVisitor {
            let target: TensorElementType, count: Int
            func visit<S: NumericElement>(_: S.Type) throws(OpError) -> Kernel {
                try target.dispatch(CastVisitor<S>(count: count))
            }
        }
        return try source.dispatch(Outer(target: target, count: count))
    }
}

private struct CastVisitor<Source: NumericElement>: NumericVisitor {
    let count: Int
    func visit<Target: NumericElement>(_: Target.Type) throws(OpError) -> Kernel {
        if let integer = Source.self as? any FixedWidthInteger.Type, let _ = Target.self as? any FixedWidthInteger.Type {
            _ = integer
            return ElementwiseKernels.unary(count: count, Source.self, Target.self) { value in
                integerCast(value, to: Target.self)
            }
        }
        return ElementwiseKernels.unary(count: count, Source.self, Target.self) { Target(double: $0.double) }
    }
}

/// Wrapping conversion between integer types (through their 64-bit two's complement patterns).
private func integerCast<S: NumericElement, T: NumericElement>(_ value: S, to: T.Type) -> T {
    let bits: Int64
    switch value {
    case let v as Int64: bits = v
    case let v as UInt64: bits = Int64(bitPattern: v)
    case let v as Int32: bits = Int64(v)
    case let v as UInt32: bits = Int64(v)
    case let v as Int16: bits = Int64(v)
    case let v as UInt16: bits = Int64(v)
    case let v as Int8: bits = Int64(v)
    case let v as UInt8: bits = Int64(v)
    default: bits = 0
    }
    switch T.self {
    case is Int64.Type: return bits as! T
    case is UInt64.Type: return UInt64(bitPattern: bits) as! T
    case is Int32.Type: return Int32(truncatingIfNeeded: bits) as! T
    case is UInt32.Type: return UInt32(truncatingIfNeeded: bits) as! T
    case is Int16.Type: return Int16(truncatingIfNeeded: bits) as! T
    case is UInt16.Type: return UInt16(truncatingIfNeeded: bits) as! T
    case is Int8.Type: return Int8(truncatingIfNeeded: bits) as! T
    case is UInt8.Type: return UInt8(truncatingIfNeeded: bits) as! T
    default: return T(double: Double(bits))
    }
}
