import FleetKernels

/// Quantization operators: QuantizeLinear, DequantizeLinear, and the int8/uint8 products
/// QLinearMatMul, MatMulInteger, QLinearConv and ConvInteger over FleetKernels.
enum QuantizationOperators {
    static let all: [String: OperatorDefinition] = [
        "QuantizeLinear": OperatorDefinition { context throws(OpError) in try quantize(context) },
        "DequantizeLinear": OperatorDefinition { context throws(OpError) in try dequantize(context) },
        "QLinearMatMul": OperatorDefinition { context throws(OpError) in try qlinearMatMul(context) },
        "MatMulInteger": OperatorDefinition { context throws(OpError) in try matMulInteger(context) },
        "QLinearConv": OperatorDefinition { context throws(OpError) in try qlinearConv(context) },
        "ConvInteger": OperatorDefinition { context throws(OpError) in try convInteger(context) },
    ]

    static func isQuantized(_ type: TensorElementType) -> Bool { type == .int8 || type == .uint8 }

    /// Scale and zero-point layout: one value, or one per index along `axis` of the data.
    struct PerAxis {
        let count: Int, inner: Int
        init(_ context: NodeContext, data: ValueSpec, parameter: ValueSpec) throws(OpError) {
            if parameter.count == 1 && parameter.rank <= 1 {
                count = 1; inner = 1
                return
            }
            guard parameter.rank == 1 else { throw OpError.unsupported("blocked quantization is not supported") }
            let axis = try context.axis(try context.int("axis", default: 1), rank: data.rank)
            guard parameter.count == data.shape[axis] else {
                throw OpError("\(parameter.count) scales for axis \(axis) of size \(data.shape[axis])")
            }
            count = parameter.count
            inner = data.shape[(axis + 1)...].reduce(1, *)
        }
        @inline(__always) func index(_ element: Int) -> Int { count == 1 ? 0 : (element / inner) % count }
    }

    static func quantize(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0), scale = try context.input(1)
        guard x.type == .float32, scale.type == .float32 else { throw OpError.unsupported("QuantizeLinear supports float32 input, got \(x.type.rawValue)") }
        if try context.int("block_size", default: 0) != 0 { throw OpError.unsupported("blocked quantization is not supported") }
        var outputType = TensorElementType.uint8
        if context.hasInput(2) {
            outputType = try context.input(2).type
        } else if let code = try context.int("output_dtype"), code != 0 {
            guard let type = TensorElementType(onnxCode: Int32(clamping: code)) else {
                throw OpError.unsupported("quantizing to \(TensorElementType.onnxName(Int32(clamping: code))) is not supported")
            }
            outputType = type
        }
        guard isQuantized(outputType) else { throw OpError.unsupported("quantizing to \(outputType.rawValue) is not supported") }
        if context.hasInput(2) { guard try context.input(2).count == scale.count else { throw OpError("zero point and scale differ in size") } }
        let layout = try PerAxis(context, data: x, parameter: scale)
        let count = x.count
        func make<Q: FixedWidthInteger & NumericElement>(_: Q.Type) -> Kernel {
            { inputs, outputs in
                let x = typed(inputs[0], Float.self), scales = typed(inputs[1], Float.self), y = typed(outputs[0], Q.self)
                let zeros = inputs.count > 2 ? inputs[2].map { typed($0, Q.self) } : nil
                if layout.count == 1 {
                    // Per-tensor: everything but the rounding hoisted out of a loop that vectorises.
                    let scale = scales[0], zero = Float(zeros.map { Int($0[0]) } ?? 0)
                    let low = Float(Q.min), high = Float(Q.max)
                    for i in 0..<count {
                        let value = (x[i] / scale).rounded(.toNearestOrEven) + zero
                        y[i] = Q(truncatingIfNeeded: Int32(value.isNaN ? zero : Swift.min(Swift.max(value, low), high)))
                    }
                    return
                }
                for i in 0..<count {
                    let c = layout.index(i)
                    let zero = zeros.map { Int($0[c]) } ?? 0
                    let scaled = (x[i] / scales[c]).rounded(.toNearestOrEven)
                    let value = scaled.isNaN ? 0 : Int(Swift.max(Swift.min(scaled, 1e9), -1e9)) + zero
                    y[i] = Q(clamping: value)
                }
            }
        }
        let kernel = outputType == .int8 ? make(Int8.self) : make(UInt8.self)
        return PlannedNode(outputs: [ValueSpec(type: outputType, shape: x.shape)], kernel: kernel)
    }

    static func dequantize(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0), scale = try context.input(1)
        guard scale.type == .float32 else { throw OpError.unsupported("DequantizeLinear supports float32 scales, got \(scale.type.rawValue)") }
        if try context.int("block_size", default: 0) != 0 { throw OpError.unsupported("blocked quantization is not supported") }
        if let code = try context.int("output_dtype"), code != 0, code != 1 {
            throw OpError.unsupported("dequantizing to \(TensorElementType.onnxName(Int32(clamping: code))) is not supported")
        }
        guard isQuantized(x.type) || x.type == .int32 else { throw OpError.unsupported("dequantizing \(x.type.rawValue) is not supported") }
        if context.hasInput(2) {
            let zero = try context.input(2)
            guard zero.type == x.type, zero.count == scale.count else { throw OpError("zero point must match the input type and the scales") }
        }
        let layout = try PerAxis(context, data: x, parameter: scale)
        let count = x.count
        func make<Q: FixedWidthInteger & NumericElement>(_: Q.Type) -> Kernel {
            { inputs, outputs in
                let x = typed(inputs[0], Q.self), scales = typed(inputs[1], Float.self), y = typed(outputs[0], Float.self)
                let zeros = inputs.count > 2 ? inputs[2].map { typed($0, Q.self) } : nil
                for i in 0..<count {
                    let c = layout.index(i)
                    let zero = zeros.map { Int32($0[c]) } ?? 0
                    y[i] = Float(Int32(x[i]) &- zero) * scales[c]
                }
            }
        }
        let kernel: Kernel =
            switch x.type {
            case .int8: make(Int8.self)
            case .uint8: make(UInt8.self)
            default: make(Int32.self)
            }
        return PlannedNode(outputs: [ValueSpec(type: .float32, shape: x.shape)], kernel: kernel)
    }

    static func quantizedPointer(_ raw: UnsafeRawPointer?, _ type: TensorElementType) -> QuantizedPointer {
        type == .int8 ? .int8(typed(raw, Int8.self)) : .uint8(typed(raw, UInt8.self))
    }

    /// A zero point read at run time: absent means 0.
    static func zeroPoint(_ raw: UnsafeRawPointer?, _ type: TensorElementType, channels: Int, perChannel: Bool,
                          into storage: UnsafeMutablePointer<Int32>) -> QuantizationParameter<Int32> {
        guard let raw else { return .tensor(0) }
        func value(_ i: Int) -> Int32 { type == .int8 ? Int32(typed(raw, Int8.self)[i]) : Int32(typed(raw, UInt8.self)[i]) }
        guard perChannel else { return .tensor(value(0)) }
        for c in 0..<channels { storage[c] = value(c) }
        return .channels(UnsafePointer(storage))
    }

    static func scale(_ raw: UnsafeRawPointer?, perChannel: Bool) -> QuantizationParameter<Float> {
        perChannel ? .channels(typed(raw, Float.self)) : .tensor(typed(raw, Float.self)[0])
    }

    static func checkParameter(_ context: NodeContext, _ index: Int, allowed: Set<Int>, type: TensorElementType?) throws(OpError) -> Bool {
        guard context.hasInput(index) else { return false }
        let spec = try context.input(index)
        if let type, spec.type != type { throw OpError("input \(index) must be \(type.rawValue), got \(spec.type.rawValue)") }
        guard allowed.contains(spec.count) || spec.count == 1 else { throw OpError("input \(index) has \(spec.count) values") }
        return spec.count != 1
    }

    static func qlinearMatMul(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let a = try context.input(0), b = try context.input(3), yZero = try context.input(7)
        guard isQuantized(a.type), isQuantized(b.type), isQuantized(yZero.type) else { throw OpError("QLinearMatMul needs int8 or uint8 tensors") }
        for index in [1, 4, 6] { _ = try context.input(index) }
        let product = try MatrixProduct(a.shape, b.shape)
        let (m, n, k) = (product.m, product.n, product.k)
        let aPerRow = try checkParameter(context, 1, allowed: [m], type: .float32)
        _ = try checkParameter(context, 2, allowed: [m], type: a.type)
        let bPerColumn = try checkParameter(context, 4, allowed: [n], type: .float32)
        _ = try checkParameter(context, 5, allowed: [n], type: b.type)
        _ = try checkParameter(context, 6, allowed: [], type: .float32)
        let (aType, bType, yType) = (a.type, b.type, yZero.type)
        let outputs = [ValueSpec(type: yType, shape: product.shape), ValueSpec(type: .int32, shape: [m + n])]
        return PlannedNode(outputs: outputs) { inputs, outputs in
            let storage = typed(outputs[1], Int32.self)
            let aZero = zeroPoint(inputs[2], aType, channels: m, perChannel: aPerRow, into: storage)
            let bZero = zeroPoint(inputs[5], bType, channels: n, perChannel: bPerColumn, into: storage + m)
            let yZeroValue = yType == .int8 ? Int32(typed(inputs[7], Int8.self)[0]) : Int32(typed(inputs[7], UInt8.self)[0])
            for batch in 0..<product.batches {
                let y: QuantizedMutablePointer = yType == .int8
                    ? .int8(typed(outputs[0], Int8.self) + batch * m * n) : .uint8(typed(outputs[0], UInt8.self) + batch * m * n)
                Kernels.qlinearMatMul(
                    m: m, n: n, k: k,
                    a: quantizedPointer(inputs[0], aType).advanced(by: product.aOffsets[batch] * m * k), lda: max(k, 1),
                    aScale: scale(inputs[1], perChannel: aPerRow), aZeroPoint: aZero,
                    b: quantizedPointer(inputs[3], bType).advanced(by: product.bOffsets[batch] * k * n), ldb: max(n, 1),
                    bScale: scale(inputs[4], perChannel: bPerColumn), bZeroPoint: bZero,
                    yScale: typed(inputs[6], Float.self)[0], yZeroPoint: yZeroValue, y: y, ldy: max(n, 1))
            }
        }
    }

    static func matMulInteger(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let a = try context.input(0), b = try context.input(1)
        guard isQuantized(a.type), isQuantized(b.type) else { throw OpError("MatMulInteger needs int8 or uint8 tensors") }
        let product = try MatrixProduct(a.shape, b.shape)
        let (m, n, k) = (product.m, product.n, product.k)
        let aPerRow = try checkParameter(context, 2, allowed: [m], type: a.type)
        let bPerColumn = try checkParameter(context, 3, allowed: [n], type: b.type)
        let (aType, bType) = (a.type, b.type)
        let outputs = [ValueSpec(type: .int32, shape: product.shape), ValueSpec(type: .int32, shape: [m + n])]
        return PlannedNode(outputs: outputs) { inputs, outputs in
            let storage = typed(outputs[1], Int32.self)
            let aZero = zeroPoint(inputs.count > 2 ? inputs[2] : nil, aType, channels: m, perChannel: aPerRow, into: storage)
            let bZero = zeroPoint(inputs.count > 3 ? inputs[3] : nil, bType, channels: n, perChannel: bPerColumn, into: storage + m)
            for batch in 0..<product.batches {
                Kernels.matMulInteger(
                    m: m, n: n, k: k,
                    a: quantizedPointer(inputs[0], aType).advanced(by: product.aOffsets[batch] * m * k), lda: max(k, 1), aZeroPoint: aZero,
                    b: quantizedPointer(inputs[1], bType).advanced(by: product.bOffsets[batch] * k * n), ldb: max(n, 1), bZeroPoint: bZero,
                    c: typed(outputs[0], Int32.self) + batch * m * n, ldc: max(n, 1))
            }
        }
    }

    static func qlinearConv(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0), w = try context.input(3), yZero = try context.input(7)
        guard isQuantized(x.type), isQuantized(w.type), isQuantized(yZero.type) else { throw OpError("QLinearConv needs int8 or uint8 tensors") }
        for index in [1, 2, 4, 6] { _ = try context.input(index) }
        let geometry = try ConvOperators.convolutionGeometry(context, input: x, weights: w)
        let channels = geometry.outputChannels
        _ = try checkParameter(context, 1, allowed: [], type: .float32)
        _ = try checkParameter(context, 2, allowed: [], type: x.type)
        let wPerChannel = try checkParameter(context, 4, allowed: [channels], type: .float32)
        _ = try checkParameter(context, 5, allowed: [channels], type: w.type)
        _ = try checkParameter(context, 6, allowed: [], type: .float32)
        if context.hasInput(8) {
            let bias = try context.input(8)
            guard bias.type == .int32, bias.count == channels else { throw OpError("bias must hold one int32 per output channel") }
        }
        let workspace = Kernels.integerConvWorkspaceByteCount(geometry)
        let (xType, wType, yType) = (x.type, w.type, yZero.type)
        let shape = [geometry.batch, channels] + geometry.outputSpatialShape
        let outputs = [ValueSpec(type: yType, shape: shape), ValueSpec(type: .int32, shape: [channels]),
                       ValueSpec(type: .uint8, shape: [workspace])]
        return PlannedNode(outputs: outputs) { inputs, outputs in
            let wZero = zeroPoint(inputs[5], wType, channels: channels, perChannel: wPerChannel, into: typed(outputs[1], Int32.self))
            let xZero = xType == .int8 ? Int32(typed(inputs[2], Int8.self)[0]) : Int32(typed(inputs[2], UInt8.self)[0])
            let yZeroValue = yType == .int8 ? Int32(typed(inputs[7], Int8.self)[0]) : Int32(typed(inputs[7], UInt8.self)[0])
            let y: QuantizedMutablePointer = yType == .int8 ? .int8(typed(outputs[0], Int8.self)) : .uint8(typed(outputs[0], UInt8.self))
            Kernels.qlinearConv(
                geometry, input: quantizedPointer(inputs[0], xType), inputScale: typed(inputs[1], Float.self)[0], inputZeroPoint: xZero,
                weights: quantizedPointer(inputs[3], wType), weightScale: scale(inputs[4], perChannel: wPerChannel), weightZeroPoint: wZero,
                bias: inputs.count > 8 ? inputs[8].map { typed($0, Int32.self) } : nil,
                outputScale: typed(inputs[6], Float.self)[0], outputZeroPoint: yZeroValue,
                output: y, workspace: workspace > 0 ? outputs[2] : nil)
        }
    }

    static func convInteger(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0), w = try context.input(1)
        guard isQuantized(x.type), isQuantized(w.type) else { throw OpError("ConvInteger needs int8 or uint8 tensors") }
        let geometry = try ConvOperators.convolutionGeometry(context, input: x, weights: w)
        let channels = geometry.outputChannels
        _ = try checkParameter(context, 2, allowed: [], type: x.type)
        let wPerChannel = try checkParameter(context, 3, allowed: [channels], type: w.type)
        let workspace = Kernels.integerConvWorkspaceByteCount(geometry)
        let (xType, wType) = (x.type, w.type)
        let shape = [geometry.batch, channels] + geometry.outputSpatialShape
        let outputs = [ValueSpec(type: .int32, shape: shape), ValueSpec(type: .int32, shape: [channels]),
                       ValueSpec(type: .uint8, shape: [workspace])]
        return PlannedNode(outputs: outputs) { inputs, outputs in
            let wZero = zeroPoint(inputs.count > 3 ? inputs[3] : nil, wType, channels: channels, perChannel: wPerChannel,
                                  into: typed(outputs[1], Int32.self))
            var xZero: Int32 = 0
            if inputs.count > 2, let raw = inputs[2] {
                xZero = xType == .int8 ? Int32(typed(raw, Int8.self)[0]) : Int32(typed(raw, UInt8.self)[0])
            }
            Kernels.convInteger(
                geometry, input: quantizedPointer(inputs[0], xType), inputZeroPoint: xZero,
                weights: quantizedPointer(inputs[1], wType), weightZeroPoint: wZero,
                output: typed(outputs[0], Int32.self), workspace: workspace > 0 ? outputs[2] : nil)
        }
    }
}
