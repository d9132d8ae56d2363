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
        if let kernel = try source.dispatchInteger(IntegerSourceVisitor(target: target, count: count)), let kernel {
            return kernel
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
        ElementwiseKernels.unary(count: count, Source.self, Target.self) { Target(double: $0.double) }
    }
}

/// Conversions between integer types wrap, like numpy's `astype`.
private struct IntegerCastVisitor<Source: NumericElement & FixedWidthInteger>: IntegerVisitor {
    let count: Int
    func visit<Target: NumericElement & FixedWidthInteger>(_: Target.Type) throws(OpError) -> Kernel {
        ElementwiseKernels.unary(count: count, Source.self, Target.self) { Target(truncatingIfNeeded: $0) }
    }
}

private struct IntegerSourceVisitor: IntegerVisitor {
    let target: TensorElementType, count: Int
    func visit<Source: NumericElement & FixedWidthInteger>(_: Source.Type) throws(OpError) -> Kernel? {
        try target.dispatchInteger(IntegerCastVisitor<Source>(count: count))
    }
}

/// A computation generic over the integer element types.
protocol IntegerVisitor {
    associatedtype Output
    func visit<T: NumericElement & FixedWidthInteger>(_ type: T.Type) throws(OpError) -> Output
}

extension TensorElementType {
    /// Calls `visitor` with the Swift type of an integer element type, nil for floats and bool.
    func dispatchInteger<V: IntegerVisitor>(_ visitor: V) throws(OpError) -> V.Output? {
        switch self {
        case .int8: try visitor.visit(Int8.self)
        case .uint8: try visitor.visit(UInt8.self)
        case .int16: try visitor.visit(Int16.self)
        case .uint16: try visitor.visit(UInt16.self)
        case .int32: try visitor.visit(Int32.self)
        case .uint32: try visitor.visit(UInt32.self)
        case .int64: try visitor.visit(Int64.self)
        case .uint64: try visitor.visit(UInt64.self)
        case .float32, .float64, .bool: nil
        }
    }
}
