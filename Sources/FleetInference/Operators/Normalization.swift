/// BatchNormalization, InstanceNormalization and LayerNormalization.
enum NormalizationOperators {
    static let all: [String: OperatorDefinition] = [
        "BatchNormalization": OperatorDefinition { context throws(OpError) in try batchNormalization(context) },
        "InstanceNormalization": OperatorDefinition { context throws(OpError) in try instanceNormalization(context) },
        "LayerNormalization": OperatorDefinition { context throws(OpError) in try layerNormalization(context) },
    ]

    /// Normalises over the axes from `axis` on; scale and bias broadcast to those axes. The optional
    /// Mean and InvStdDev outputs have the stash type (float32 unless `stash_type` says otherwise).
    static func layerNormalization(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0), scale = try context.input(1)
        guard x.type.isFloatingPoint, scale.type == x.type else { throw OpError("LayerNormalization needs float input and scale") }
        guard x.rank > 0 else { throw OpError("LayerNormalization of a scalar") }
        let axis = try context.axis(try context.int("axis", default: -1), rank: x.rank)
        let epsilon = Double(try context.float("epsilon", default: 1e-5))
        let stash: TensorElementType = try context.int("stash_type", default: 1) == 1 ? .float32 : x.type
        let normalized = Array(x.shape[axis...])
        let scaleMap = try Broadcast([scale.shape, normalized])
        guard scaleMap.shape == normalized else { throw OpError("scale \(scale.shape) does not broadcast to \(normalized)") }
        var biasStrides: [Int]?
        if context.hasInput(2) {
            let bias = try context.input(2)
            let map = try Broadcast([bias.shape, normalized])
            guard bias.type == x.type, map.shape == normalized else { throw OpError("bias \(bias.shape) does not broadcast to \(normalized)") }
            biasStrides = map.strides[0]
        }
        let rows = x.shape[..<axis].reduce(1, *), size = normalized.reduce(1, *)
        let statistics = ValueSpec(type: stash, shape: Array(x.shape[..<axis]) + [Int](repeating: 1, count: x.rank - axis))
        // Offsets of the scale and bias element for each position of a normalised row.
        func offsets(_ strides: [Int]) -> [Int] {
            let own = contiguousStrides(normalized)
            return (0..<size).map { i in
                var remainder = i, offset = 0
                for d in normalized.indices { offset += (remainder / own[d]) * strides[d]; remainder %= own[d] }
                return offset
            }
        }
        let scaleOffsets = offsets(scaleMap.strides[0]), biasOffsets = biasStrides.map(offsets)
        struct Visit: NumericVisitor {
            let rows: Int, size: Int, epsilon: Double, stash: TensorElementType, scaleOffsets: [Int], biasOffsets: [Int]?
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                let (rows, size, epsilon, stash, scaleOffsets, biasOffsets) = (rows, size, epsilon, stash, scaleOffsets, biasOffsets)
                return { inputs, outputs in
                    let x = typed(inputs[0], T.self), y = typed(outputs[0], T.self), scale = typed(inputs[1], T.self)
                    let bias = inputs.count > 2 ? inputs[2].map { typed($0, T.self) } : nil
                    for r in 0..<rows {
                        let base = r * size
                        var mean = 0.0
                        for i in 0..<size { mean += x[base + i].double }
                        mean /= Double(max(size, 1))
                        var variance = 0.0
                        for i in 0..<size { let d = x[base + i].double - mean; variance += d * d }
                        variance /= Double(max(size, 1))
                        let inverse = 1 / (variance + epsilon).squareRoot()
                        for i in 0..<size {
                            var value = (x[base + i].double - mean) * inverse * scale[scaleOffsets[i]].double
                            if let bias, let biasOffsets { value += bias[biasOffsets[i]].double }
                            y[base + i] = T(double: value)
                        }
                        if stash == .float32 {
                            typed(outputs[1], Float.self)[r] = Float(mean)
                            typed(outputs[2], Float.self)[r] = Float(inverse)
                        } else {
                            typed(outputs[1], Double.self)[r] = mean
                            typed(outputs[2], Double.self)[r] = inverse
                        }
                    }
                }
            }
        }
        let kernel = try x.type.dispatch(Visit(rows: rows, size: size, epsilon: epsilon, stash: stash,
                                               scaleOffsets: scaleOffsets, biasOffsets: biasOffsets))
        return PlannedNode(outputs: [x, statistics, statistics], kernel: kernel)
    }

    static func batchNormalization(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        let training = try context.int("training_mode", default: 0) != 0
        if !training && context.node.outputs.dropFirst().contains(where: { !$0.isEmpty }) {
            throw OpError.unsupported("the statistics outputs of opset < 14 training are not supported")
        }
        guard x.rank >= 2 else { throw OpError("input \(x.shape) has no channel axis") }
        let channels = x.shape[1]
        for index in 1...4 {
            let parameter = try context.input(index)
            guard parameter.type == x.type, parameter.count == channels else {
                throw OpError("input \(index) must hold \(channels) values of the input type")
            }
        }
        let epsilon = Double(try context.float("epsilon", default: 1e-5))
        let batch = x.shape[0], plane = x.shape[2...].reduce(1, *)
        if training {
            let momentum = Double(try context.float("momentum", default: 0.9))
            return try trainingBatchNormalization(x, batch: batch, channels: channels, plane: plane, epsilon: epsilon, momentum: momentum)
        }
        struct Visit: NumericVisitor {
            let batch: Int, channels: Int, plane: Int, epsilon: Double
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                guard T.self == Float.self || T.self == Double.self else { throw OpError("BatchNormalization needs float input") }
                let (batch, channels, plane, epsilon) = (batch, channels, plane, epsilon)
                return { inputs, outputs in
                    let x = typed(inputs[0], T.self), y = typed(outputs[0], T.self)
                    let scale = typed(inputs[1], T.self), bias = typed(inputs[2], T.self)
                    let mean = typed(inputs[3], T.self), variance = typed(inputs[4], T.self)
                    for c in 0..<channels {
                        let factor = scale[c].double / (variance[c].double + epsilon).squareRoot()
                        let shift = bias[c].double - mean[c].double * factor
                        for n in 0..<batch {
                            let base = (n * channels + c) * plane
                            for i in 0..<plane { y[base + i] = T(double: x[base + i].double * factor + shift) }
                        }
                    }
                }
            }
        }
        return PlannedNode(outputs: [x], kernel: try x.type.dispatch(Visit(batch: batch, channels: channels, plane: plane, epsilon: epsilon)))
    }

    /// Training mode (opset 14+): normalises with the batch statistics and updates the running ones.
    static func trainingBatchNormalization(_ x: ValueSpec, batch: Int, channels: Int, plane: Int, epsilon: Double,
                                           momentum: Double) throws(OpError) -> PlannedNode {
        struct Visit: NumericVisitor {
            let batch: Int, channels: Int, plane: Int, epsilon: Double, momentum: Double
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                guard T.self == Float.self || T.self == Double.self else { throw OpError("BatchNormalization needs float input") }
                let (batch, channels, plane, epsilon, momentum) = (batch, channels, plane, epsilon, momentum)
                return { inputs, outputs in
                    let x = typed(inputs[0], T.self), y = typed(outputs[0], T.self)
                    let scale = typed(inputs[1], T.self), bias = typed(inputs[2], T.self)
                    let runningMean = typed(inputs[3], T.self), runningVariance = typed(inputs[4], T.self)
                    let meanOut = typed(outputs[1], T.self), varianceOut = typed(outputs[2], T.self)
                    let n = Double(batch * plane)
                    for c in 0..<channels {
                        var sum = 0.0
                        for b in 0..<batch { for i in 0..<plane { sum += x[(b * channels + c) * plane + i].double } }
                        let mean = n > 0 ? sum / n : 0
                        var squares = 0.0
                        for b in 0..<batch {
                            for i in 0..<plane { let d = x[(b * channels + c) * plane + i].double - mean; squares += d * d }
                        }
                        let variance = n > 0 ? squares / n : 0
                        let factor = scale[c].double / (variance + epsilon).squareRoot()
                        for b in 0..<batch {
                            for i in 0..<plane {
                                let at = (b * channels + c) * plane + i
                                y[at] = T(double: (x[at].double - mean) * factor + bias[c].double)
                            }
                        }
                        meanOut[c] = T(double: runningMean[c].double * momentum + mean * (1 - momentum))
                        varianceOut[c] = T(double: runningVariance[c].double * momentum + variance * (1 - momentum))
                    }
                }
            }
        }
        let statistics = ValueSpec(type: x.type, shape: [channels])
        return PlannedNode(outputs: [x, statistics, statistics],
                           kernel: try x.type.dispatch(Visit(batch: batch, channels: channels, plane: plane, epsilon: epsilon, momentum: momentum)))
    }

    static func instanceNormalization(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        guard x.rank >= 3 else { throw OpError("input \(x.shape) has no spatial axes") }
        let channels = x.shape[1], planes = x.shape[0] * channels, plane = x.shape[2...].reduce(1, *)
        for index in 1...2 {
            let parameter = try context.input(index)
            guard parameter.type == x.type, parameter.count == channels else {
                throw OpError("input \(index) must hold \(channels) values of the input type")
            }
        }
        let epsilon = Double(try context.float("epsilon", default: 1e-5))
        struct Visit: NumericVisitor {
            let channels: Int, planes: Int, plane: Int, epsilon: Double
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                guard T.self == Float.self || T.self == Double.self else { throw OpError("InstanceNormalization needs float input") }
                let (channels, planes, plane, epsilon) = (channels, planes, plane, epsilon)
                return { inputs, outputs in
                    let x = typed(inputs[0], T.self), y = typed(outputs[0], T.self)
                    let scale = typed(inputs[1], T.self), bias = typed(inputs[2], T.self)
                    for p in 0..<planes {
                        let base = p * plane
                        var mean = 0.0
                        for i in 0..<plane { mean += x[base + i].double }
                        mean /= Double(plane)
                        var variance = 0.0
                        for i in 0..<plane { let d = x[base + i].double - mean; variance += d * d }
                        variance /= Double(plane)
                        let c = p % channels
                        let factor = scale[c].double / (variance + epsilon).squareRoot()
                        for i in 0..<plane { y[base + i] = T(double: (x[base + i].double - mean) * factor + bias[c].double) }
                    }
                }
            }
        }
        return PlannedNode(outputs: [x], kernel: try x.type.dispatch(Visit(channels: channels, planes: planes, plane: plane, epsilon: epsilon)))
    }
}
