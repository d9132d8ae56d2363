import FleetKernels

/// Conv (1-D and 2-D, float32) over FleetKernels, and the attribute handling convolutions and
/// poolings share.
enum ConvOperators {
    static let all: [String: OperatorDefinition] = [
        "Conv": OperatorDefinition { context throws(OpError) in try conv(context) },
    ]

    static func conv(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0), w = try context.input(1)
        guard x.type == .float32, w.type == .float32 else { throw OpError.unsupported("Conv supports float32, got \(x.type.rawValue)") }
        let geometry = try convolutionGeometry(context, input: x, weights: w)
        if context.hasInput(2) {
            let bias = try context.input(2)
            guard bias.type == .float32, bias.count == geometry.outputChannels else { throw OpError("bias must hold one float per output channel") }
        }
        let workspace = Kernels.convWorkspaceCount(geometry)
        let shape = [geometry.batch, geometry.outputChannels] + geometry.outputSpatialShape
        return PlannedNode(outputs: [ValueSpec(type: .float32, shape: shape), ValueSpec(type: .float32, shape: [workspace])]) { inputs, outputs in
            Kernels.conv(geometry, input: typed(inputs[0], Float.self), weights: typed(inputs[1], Float.self),
                         bias: inputs.count > 2 ? inputs[2].map { typed($0, Float.self) } : nil,
                         output: typed(outputs[0], Float.self), workspace: workspace > 0 ? typed(outputs[1], Float.self) : nil)
        }
    }

    /// The geometry of a convolution node from its input and weight shapes and attributes.
    /// Rejects spatial attributes whose arithmetic could overflow (kernels take them as given).
    static func checkSpatialAttributes(_ context: NodeContext) throws(OpError) {
        for name in ["pads", "strides", "dilations", "kernel_shape"] {
            if let values = try context.ints(name), !values.allSatisfy({ abs($0) <= 1 << 20 }) {
                throw OpError("\(name) \(values) are out of range")
            }
        }
    }

    static func convolutionGeometry(_ context: NodeContext, input x: ValueSpec, weights w: ValueSpec) throws(OpError) -> ConvolutionGeometry {
        try checkSpatialAttributes(context)
        guard x.rank >= 3, w.rank == x.rank else { throw OpError("input \(x.shape) and weights \(w.shape) do not form a convolution") }
        let spatial = Array(x.shape[2...])
        let kernel = try context.ints("kernel_shape") ?? Array(w.shape[2...])
        guard kernel == Array(w.shape[2...]) else { throw OpError("kernel_shape \(kernel) differs from the weights \(w.shape)") }
        let group = try context.int("group", default: 1)
        guard group > 0, x.shape[1] == w.shape[1] * group else {
            throw OpError("input has \(x.shape[1]) channels, weights expect \(w.shape[1]) per group in \(group) groups")
        }
        do {
            return try ConvolutionGeometry(
                batch: x.shape[0], inputChannels: x.shape[1], outputChannels: w.shape[0], group: group,
                inputSpatialShape: spatial, kernelSpatialShape: kernel,
                strides: try context.ints("strides"), dilations: try context.ints("dilations"),
                padding: try padding(context, rank: spatial.count))
        } catch let error as KernelError {
            if error.code == .unsupportedRank { throw OpError.unsupported("\(x.rank - 2)-D \(context.node.opType) (1-D and 2-D are supported)") }
            throw OpError(error.description)
        } catch let error as OpError {
            throw error
        } catch {
            throw OpError("\(error)")
        }
    }

    /// `auto_pad` and `pads` as a FleetKernels padding.
    static func padding(_ context: NodeContext, rank: Int) throws(OpError) -> Padding {
        switch try context.string("auto_pad") ?? "NOTSET" {
        case "SAME_UPPER": return .sameUpper
        case "SAME_LOWER": return .sameLower
        case "VALID": return .valid
        case "NOTSET", "":
            guard let pads = try context.ints("pads") else { return .valid }
            guard pads.count == 2 * rank else { throw OpError("pads \(pads) do not fit \(rank) spatial axes") }
            return .onnx(pads)
        case let mode:
            throw OpError.unsupported("auto_pad '\(mode)' is not supported")
        }
    }
}
