#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reductions over axes (ReduceSum, ReduceMean, ...) and ArgMax/ArgMin.
enum ReduceOperators {
    static let all: [String: OperatorDefinition] = {
        var table = [String: OperatorDefinition]()
        for name in ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceSumSquare",
                     "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp"] {
            table[name] = OperatorDefinition(shapeInputs: [1]) { context throws(OpError) in try reduce(context) }
        }
        for name in ["ArgMax", "ArgMin"] {
            table[name] = OperatorDefinition { context throws(OpError) in try argument(context) }
        }
        return table
    }()

    /// Axes come from an input from opset 13 (ReduceSum) or 18 (the others), before from an attribute.
    static func reduce(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        let op = context.node.opType
        let axesFromInput = context.opset >= (op == "ReduceSum" ? 13 : 18)
        let axes = try axesFromInput ? context.constantInts(1) : context.ints("axes")
        let keepDims = try context.int("keepdims", default: 1) != 0
        let noop = try context.int("noop_with_empty_axes", default: 0) != 0
        var reduced = [Bool](repeating: false, count: x.rank)
        if let axes, !axes.isEmpty {
            for axis in axes { reduced[try context.axis(axis, rank: x.rank)] = true }
        } else if !noop {
            reduced = [Bool](repeating: true, count: x.rank)
        }
        var shape = [Int]()
        for axis in 0..<x.rank {
            if !reduced[axis] { shape.append(x.shape[axis]) } else if keepDims { shape.append(1) }
        }
        let keptStrides: [Int] = {
            // Output stride per input axis (0 for reduced axes).
            let kept = (0..<x.rank).filter { !reduced[$0] }
            let strides = contiguousStrides(kept.map { x.shape[$0] })
            var result = [Int](repeating: 0, count: x.rank)
            for (position, axis) in kept.enumerated() { result[axis] = strides[position] }
            return result
        }()
        let outputCount = shape.reduce(1, *)
        let inputCount = x.count
        let reducedCount = outputCount == 0 ? 0 : inputCount / max(outputCount, 1)
        let inputShape = x.shape
        struct Visit: NumericVisitor {
            let op: String, inputShape: [Int], keptStrides: [Int], outputCount: Int, inputCount: Int, reducedCount: Int
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                let (op, inputShape, keptStrides, outputCount, inputCount, reducedCount) =
                    (op, inputShape, keptStrides, outputCount, inputCount, reducedCount)
                let start: Double =
                    switch op {
                    case "ReduceMax": -.infinity
                    case "ReduceMin": .infinity
                    case "ReduceProd": 1
                    default: 0
                    }
                return { inputs, outputs in
                    let x = typed(inputs[0], T.self), y = typed(outputs[0], T.self)
                    let accumulator = typed(outputs[1], Double.self)
                    accumulator.update(repeating: start, count: outputCount)
                    let rank = inputShape.count
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: max(rank, 1)) { index in
                        for axis in 0..<rank { index[axis] = 0 }
                        var target = 0
                        for i in 0..<inputCount {
                            let v = x[i].double
                            let a = accumulator[target]
                            switch op {
                            case "ReduceMax": accumulator[target] = v.isNaN || a.isNaN ? .nan : Swift.max(a, v)
                            case "ReduceMin": accumulator[target] = v.isNaN || a.isNaN ? .nan : Swift.min(a, v)
                            case "ReduceProd": accumulator[target] = a * v
                            case "ReduceSumSquare", "ReduceL2": accumulator[target] = a + v * v
                            case "ReduceL1": accumulator[target] = a + Swift.abs(v)
                            case "ReduceLogSumExp": accumulator[target] = a + exp(v)
                            default: accumulator[target] = a + v
                            }
                            var axis = rank - 1
                            while axis >= 0 {
                                index[axis] += 1
                                target += keptStrides[axis]
                                if index[axis] < inputShape[axis] { break }
                                target -= keptStrides[axis] * inputShape[axis]
                                index[axis] = 0
                                axis -= 1
                            }
                        }
                    }
                    for o in 0..<outputCount {
                        let a = accumulator[o]
                        let value: Double =
                            switch op {
                            case "ReduceMean": a / Double(reducedCount)
                            case "ReduceL2": a.squareRoot()
                            case "ReduceLogSum", "ReduceLogSumExp": log(a)
                            default: a
                            }
                        y[o] = T(double: value)
                    }
                }
            }
        }
        let kernel = try x.type.dispatch(Visit(op: op, inputShape: inputShape, keptStrides: keptStrides, outputCount: outputCount,
                                               inputCount: inputCount, reducedCount: reducedCount))
        return PlannedNode(outputs: [ValueSpec(type: x.type, shape: shape), ValueSpec(type: .float64, shape: [outputCount])],
                           kernel: kernel)
    }

    static func argument(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        let axis = try context.axis(try context.int("axis", default: 0), rank: x.rank)
        let keepDims = try context.int("keepdims", default: 1) != 0
        let last = try context.int("select_last_index", default: 0) != 0
        var shape = x.shape
        if keepDims { shape[axis] = 1 } else { shape.remove(at: axis) }
        let outer = x.shape[..<axis].reduce(1, *), size = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        let maximum = context.node.opType == "ArgMax"
        guard size > 0 else { throw OpError("cannot take \(context.node.opType) of an empty axis") }
        struct Visit: NumericVisitor {
            let outer: Int, size: Int, inner: Int, maximum: Bool, last: Bool
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                let (outer, size, inner, maximum, last) = (outer, size, inner, maximum, last)
                return { inputs, outputs in
                    let x = typed(inputs[0], T.self), y = typed(outputs[0], Int64.self)
                    for o in 0..<outer {
                        for i in 0..<inner {
                            let base = o * size * inner + i
                            var best = x[base], bestIndex = 0
                            for k in 1..<max(size, 1) {
                                let v = x[base + k * inner]
                                let better = maximum ? (last ? v >= best : v > best) : (last ? v <= best : v < best)
                                if better { best = v; bestIndex = k }
                            }
                            y[o * inner + i] = Int64(bestIndex)
                        }
                    }
                }
            }
        }
        return PlannedNode(outputs: [ValueSpec(type: .int64, shape: shape)],
                           kernel: try x.type.dispatch(Visit(outer: outer, size: size, inner: inner, maximum: maximum, last: last)))
    }
}
