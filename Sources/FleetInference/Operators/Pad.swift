/// Pad: constant, reflect, edge and wrap modes. Pads are an attribute before opset 11 and an input after.
enum PadOperators {
    static let all: [String: OperatorDefinition] = [
        "Pad": OperatorDefinition(shapeInputs: [1, 3]) { context throws(OpError) in try pad(context) },
    ]

    static func pad(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        let mode = try context.string("mode") ?? "constant"
        var pads: [Int]
        if context.opset >= 11 {
            guard let values = try context.constantInts(1) else { throw OpError("Pad needs pads") }
            pads = values
        } else {
            let current = try context.ints("pads"), legacy = try context.ints("paddings")
            guard let values = current ?? legacy else { throw OpError("Pad needs pads") }
            pads = values
        }
        if let axes = try context.constantInts(3) {
            // Opset 18: pads cover only the listed axes.
            guard pads.count == 2 * axes.count else { throw OpError("pads \(pads) do not fit axes \(axes)") }
            var full = [Int](repeating: 0, count: 2 * x.rank)
            for (i, axis) in axes.enumerated() {
                let a = try context.axis(axis, rank: x.rank)
                full[a] = pads[i]
                full[a + x.rank] = pads[i + axes.count]
            }
            pads = full
        }
        guard pads.count == 2 * x.rank else { throw OpError("pads \(pads) do not fit rank \(x.rank)") }
        guard pads.allSatisfy({ abs($0) <= ShapeLimits.maxDimension }) else { throw OpError("pads \(pads) are out of range") }
        let shape = (0..<x.rank).map { x.shape[$0] + pads[$0] + pads[$0 + x.rank] }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw OpError("pads \(pads) remove more than the input \(x.shape)") }
        _ = try ShapeLimits.count(shape)
        guard ["constant", "reflect", "edge", "wrap"].contains(mode) else { throw OpError.unsupported("mode '\(mode)' is not supported") }
        if mode != "constant" {
            for axis in 0..<x.rank where (pads[axis] > 0 || pads[axis + x.rank] > 0) && x.shape[axis] == 0 {
                throw OpError("cannot \(mode)-pad an empty axis")
            }
        }
        let attributeValue = Double(try context.float("value", default: 0))
        struct Visit: NumericVisitor {
            let inputShape: [Int], shape: [Int], pads: [Int], mode: String, attributeValue: Double
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                let (inputShape, shape, pads, mode, attributeValue) = (inputShape, shape, pads, mode, attributeValue)
                let rank = shape.count
                let outStrides = contiguousStrides(shape), inStrides = contiguousStrides(inputShape)
                let count = shape.reduce(1, *)
                return { inputs, outputs in
                    let x = typed(inputs[0], T.self), y = typed(outputs[0], T.self)
                    var fill = T(double: attributeValue)
                    if inputs.count > 2, let value = inputs[2] { fill = typed(value, T.self)[0] }
                    for i in 0..<count {
                        var remainder = i, offset = 0, inside = true
                        for axis in 0..<rank {
                            var c = remainder / outStrides[axis] - pads[axis]
                            remainder %= outStrides[axis]
                            let size = inputShape[axis]
                            if c < 0 || c >= size {
                                switch mode {
                                case "constant": inside = false
                                case "edge": c = Swift.min(Swift.max(c, 0), size - 1)
                                case "wrap": c = ((c % size) + size) % size
                                default:
                                    if size == 1 { c = 0 } else {
                                        let period = 2 * (size - 1)
                                        c = ((c % period) + period) % period
                                        if c >= size { c = period - c }
                                    }
                                }
                            }
                            if !inside { break }
                            offset += c * inStrides[axis]
                        }
                        y[i] = inside ? x[offset] : fill
                    }
                }
            }
        }
        if context.hasInput(2) {
            let value = try context.input(2)
            guard value.type == x.type, value.count == 1 else { throw OpError("constant_value must be one value of the input type") }
        }
        let kernel = try x.type.dispatch(Visit(inputShape: x.shape, shape: shape, pads: pads, mode: mode, attributeValue: attributeValue))
        return PlannedNode(outputs: [ValueSpec(type: x.type, shape: shape)], kernel: kernel)
    }
}
