import FleetKernels

/// MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool (float32) over FleetKernels.
enum PoolOperators {
    static let all: [String: OperatorDefinition] = [
        "MaxPool": OperatorDefinition { context throws(OpError) in try pool(context, maximum: true) },
        "AveragePool": OperatorDefinition { context throws(OpError) in try pool(context, maximum: false) },
        "GlobalAveragePool": OperatorDefinition { context throws(OpError) in try global(context, maximum: false) },
        "GlobalMaxPool": OperatorDefinition { context throws(OpError) in try global(context, maximum: true) },
    ]

    static func pool(_ context: NodeContext, maximum: Bool) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        let exactInFloat: Set<TensorElementType> = [.float32, .int8, .uint8]
        guard maximum ? exactInFloat.contains(x.type) : x.type == .float32 else {
            throw OpError.unsupported("\(context.node.opType) supports float32\(maximum ? ", int8 and uint8" : ""), got \(x.type.rawValue)")
        }
        guard x.rank >= 3 else { throw OpError("input \(x.shape) has no spatial axes") }
        guard let kernel = try context.ints("kernel_shape") else { throw OpError("kernel_shape is required") }
        try ConvOperators.checkSpatialAttributes(context)
        let columnMajor = try context.int("storage_order", default: 0) != 0
        let geometry: PoolingGeometry
        do {
            geometry = try PoolingGeometry(
                batch: x.shape[0], channels: x.shape[1], inputSpatialShape: Array(x.shape[2...]), kernelSpatialShape: kernel,
                strides: try context.ints("strides"), dilations: try context.ints("dilations"),
                padding: try ConvOperators.padding(context, rank: x.rank - 2),
                ceilMode: try context.int("ceil_mode", default: 0) != 0)
        } catch let error as KernelError {
            if error.code == .unsupportedRank { throw OpError.unsupported("\(x.rank - 2)-D \(context.node.opType) (1-D and 2-D are supported)") }
            throw OpError(error.description)
        } catch let error as OpError {
            throw error
        } catch {
            throw OpError("\(error)")
        }
        let shape = [x.shape[0], x.shape[1]] + geometry.outputSpatialShape
        if maximum {
            let withIndices = context.node.outputs.count > 1 && !context.node.outputs[1].isEmpty
            let type = x.type
            let inputCount = geometry.inputCount, outputCount = geometry.outputCount
            let height = x.rank == 4 ? x.shape[2] : 1, width = x.shape[x.rank - 1]
            // Integer inputs run through float buffers (exact for 8-bit values).
            let outputs = [ValueSpec(type: type, shape: shape), ValueSpec(type: .int64, shape: withIndices ? shape : [0]),
                           ValueSpec(type: .float32, shape: [type == .float32 ? 0 : inputCount]),
                           ValueSpec(type: .float32, shape: [type == .float32 ? 0 : outputCount])]
            return PlannedNode(outputs: outputs) { inputs, outputs in
                let indices = withIndices ? typed(outputs[1], Int64.self) : nil
                switch type {
                case .float32:
                    Kernels.maxPool(geometry, input: typed(inputs[0], Float.self), output: typed(outputs[0], Float.self), indices: indices)
                case .int8:
                    widenPool(Int8.self, geometry, inputs[0], outputs[0], outputs[2], outputs[3], indices, inputCount, outputCount)
                default:
                    widenPool(UInt8.self, geometry, inputs[0], outputs[0], outputs[2], outputs[3], indices, inputCount, outputCount)
                }
                if columnMajor, let indices {
                    // storage_order 1: indices count along height first within each plane.
                    let planeSize = height * width
                    for i in 0..<outputCount {
                        let flat = Int(indices[i]), plane = flat / planeSize, offset = flat % planeSize
                        indices[i] = Int64(plane * planeSize + (offset % width) * height + offset / width)
                    }
                }
            }
        }
        let includePad = try context.int("count_include_pad", default: 0) != 0
        return PlannedNode(outputs: [ValueSpec(type: .float32, shape: shape)]) { inputs, outputs in
            Kernels.averagePool(geometry, countIncludePad: includePad, input: typed(inputs[0], Float.self),
                                output: typed(outputs[0], Float.self))
        }
    }

    static func global(_ context: NodeContext, maximum: Bool) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        guard x.type == .float32 else { throw OpError.unsupported("\(context.node.opType) supports float32, got \(x.type.rawValue)") }
        guard x.rank >= 3 else { throw OpError("input \(x.shape) has no spatial axes") }
        let planes = x.shape[0] * x.shape[1], planeSize = x.shape[2...].reduce(1, *)
        guard planeSize > 0 else { throw OpError("empty spatial axes") }
        let shape = [x.shape[0], x.shape[1]] + [Int](repeating: 1, count: x.rank - 2)
        return PlannedNode(outputs: [ValueSpec(type: .float32, shape: shape)]) { inputs, outputs in
            let input = typed(inputs[0], Float.self), output = typed(outputs[0], Float.self)
            if !maximum {
                Kernels.globalAveragePool(planes: planes, planeSize: planeSize, input: input, output: output)
                return
            }
            for plane in 0..<planes {
                var best = -Float.infinity
                for i in 0..<planeSize { best = Swift.max(best, input[plane * planeSize + i]) }
                output[plane] = best
            }
        }
    }
}

/// Max pooling of 8-bit integers through float buffers.
private func widenPool<T: BinaryInteger>(
    _: T.Type, _ geometry: PoolingGeometry, _ input: UnsafeRawPointer?, _ output: UnsafeMutableRawPointer,
    _ wideInput: UnsafeMutableRawPointer, _ wideOutput: UnsafeMutableRawPointer, _ indices: UnsafeMutablePointer<Int64>?,
    _ inputCount: Int, _ outputCount: Int
) {
    let x = typed(input, T.self), wideX = typed(wideInput, Float.self), wideY = typed(wideOutput, Float.self)
    for i in 0..<inputCount { wideX[i] = Float(x[i]) }
    Kernels.maxPool(geometry, input: wideX, output: wideY, indices: indices)
    let y = typed(output, T.self)
    for i in 0..<outputCount { y[i] = T(wideY[i]) }
}
