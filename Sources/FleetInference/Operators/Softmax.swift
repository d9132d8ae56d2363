#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Softmax, LogSoftmax and Hardmax along one axis (before opset 13: over the flattened trailing axes).
enum SoftmaxOperators {
    static let all: [String: OperatorDefinition] = {
        var table = [String: OperatorDefinition]()
        for name in ["Softmax", "LogSoftmax", "Hardmax"] {
            table[name] = OperatorDefinition { context throws(OpError) in try plan(context) }
        }
        return table
    }()

    static func plan(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        guard x.rank > 0 else {
            // A scalar is its own single-element axis.
            let value: Double = context.node.opType == "LogSoftmax" ? 0 : 1
            return PlannedNode(outputs: [x], kernel: try CastOperators.fill(x.type, value, count: 1))
        }
        let legacy = context.opset < 13
        let axis = try context.axis(try context.int("axis", default: legacy ? 1 : -1), rank: x.rank)
        let outer = x.shape[..<min(axis, x.rank)].reduce(1, *)
        let size = legacy ? x.shape[axis...].reduce(1, *) : x.shape[axis]
        let inner = legacy ? 1 : x.shape[(axis + 1)...].reduce(1, *)
        let op = context.node.opType
        struct Visit: NumericVisitor {
            let op: String, outer: Int, size: Int, inner: Int
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                guard T.self == Float.self || T.self == Double.self else { throw OpError("\(op) needs a float input") }
                let (op, outer, size, inner) = (op, outer, size, inner)
                return { inputs, outputs in
                    let x = typed(inputs[0], T.self), y = typed(outputs[0], T.self)
                    for o in 0..<outer {
                        for i in 0..<inner {
                            let base = o * size * inner + i
                            var best = -Double.infinity, bestIndex = 0
                            for k in 0..<size where x[base + k * inner].double > best || k == 0 {
                                best = x[base + k * inner].double
                                bestIndex = k
                            }
                            if op == "Hardmax" {
                                for k in 0..<size { y[base + k * inner] = k == bestIndex ? T.one : T.zero }
                                continue
                            }
                            var sum = 0.0
                            for k in 0..<size { sum += exp(x[base + k * inner].double - best) }
                            if op == "Softmax" {
                                for k in 0..<size { y[base + k * inner] = T(double: exp(x[base + k * inner].double - best) / sum) }
                            } else {
                                let shift = best + log(sum)
                                for k in 0..<size { y[base + k * inner] = T(double: x[base + k * inner].double - shift) }
                            }
                        }
                    }
                }
            }
        }
        return PlannedNode(outputs: [x], kernel: try x.type.dispatch(Visit(op: op, outer: outer, size: size, inner: inner)))
    }
}
