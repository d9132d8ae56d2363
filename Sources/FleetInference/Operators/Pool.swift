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
        guard x.type == .float32 else { throw OpError("\(context.node.opType) supports float32, got \(x.type.rawValue)") }
        guard x.rank >= 3 else { throw OpError("input \(x.shape) has no spatial axes") }
        guard let kernel = try context.ints("kernel_shape") else { throw OpError("kernel_shape is required") }
        if try context.int("storage_order", default: 0) != 0 { throw OpError("storage_order 1 is not supported") }
        let geometry: PoolingGeometry
        do {
            geometry = try PoolingGeometry(
                batch: x.shape[0], channels: x.shape[1], inputSpatialShape: Array(x.shape[2...]), kernelSpatialShape: kernel,
                strides: try context.ints("strides"), dilations: try context.ints("dilations"),
                padding: try ConvOperators.padding(context, rank: x.rank - 2),
                ceilMode: try context.int("ceil_mode", default: 0) != 0)
        } catch let error as KernelError {
            throw OpError(error.description)
        } catch let error as OpError {
            throw error
        } catch {
            throw OpError("\(error)")
        }
        let shape = [x.shape[0], x.shape[1]] + geometry.outputSpatialShape
        if maximum {
            let withIndices = context.node.outputs.count > 1
            var outputs = [ValueSpec(type: .float32, shape: shape)]
            if withIndices { outputs.append(ValueSpec(type: .int64, shape: shape)) }
            return PlannedNode(outputs: outputs) { inputs, outputs in
                Kernels.maxPool(geometry, input: typed(inputs[0], Float.self), output: typed(outputs[0], Float.self),
                                indices: withIndices ? typed(outputs[1], Int64.self) : nil)
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
        guard x.type == .float32 else { throw OpError("\(context.node.opType) supports float32, got \(x.type.rawValue)") }
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
