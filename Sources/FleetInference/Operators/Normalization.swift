/// BatchNormalization (inference) and InstanceNormalization.
enum NormalizationOperators {
    static let all: [String: OperatorDefinition] = [
        "BatchNormalization": OperatorDefinition { context throws(OpError) in try batchNormalization(context) },
        "InstanceNormalization": OperatorDefinition { context throws(OpError) in try instanceNormalization(context) },
    ]

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
