#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Elementwise functions of one input: activations and math functions.
enum ActivationOperators {
    /// Functions of floating-point inputs, computed in double precision.
    private static func floatFunction(_ context: NodeContext) throws(OpError) -> (Double) -> Double {
        switch context.node.opType {
        case "Sigmoid": return { x in x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }
        case "Tanh": return tanh
        case "Exp": return exp
        case "Log": return log
        case "Sqrt": return { $0.squareRoot() }
        case "Reciprocal": return { 1 / $0 }
        case "Floor": return { $0.rounded(.down) }
        case "Ceil": return { $0.rounded(.up) }
        case "Round": return { $0.rounded(.toNearestOrEven) }
        case "Sin": return sin
        case "Cos": return cos
        case "Tan": return tan
        case "Asin": return asin
        case "Acos": return acos
        case "Atan": return atan
        case "Sinh": return sinh
        case "Cosh": return cosh
        case "Asinh": return asinh
        case "Acosh": return acosh
        case "Atanh": return atanh
        case "Erf": return erf
        case "Softplus": return { x in x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)) }
        case "Softsign": return { x in x / (1 + abs(x)) }
        case "LeakyRelu":
            let alpha = Double(try context.float("alpha", default: 0.01))
            return { x in x < 0 ? alpha * x : x }
        case "Elu":
            let alpha = Double(try context.float("alpha", default: 1))
            return { x in x < 0 ? alpha * (exp(x) - 1) : x }
        case "Selu":
            let alpha = Double(try context.float("alpha", default: 1.67326319217681884765625))
            let gamma = Double(try context.float("gamma", default: 1.05070102214813232421875))
            return { x in x <= 0 ? gamma * (alpha * exp(x) - alpha) : gamma * x }
        case "Celu":
            let alpha = Double(try context.float("alpha", default: 1))
            return { x in max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) }
        case "HardSigmoid":
            let alpha = Double(try context.float("alpha", default: 0.2))
            let beta = Double(try context.float("beta", default: 0.5))
            return { x in max(0, min(1, alpha * x + beta)) }
        case "HardSwish":
            return { x in x * max(0, min(1, x / 6 + 0.5)) }
        case "ThresholdedRelu":
            let alpha = Double(try context.float("alpha", default: 1))
            return { x in x > alpha ? x : 0 }
        case "Shrink":
            let lambd = Double(try context.float("lambd", default: 0.5))
            let bias = Double(try context.float("bias", default: 0))
            return { x in x < -lambd ? x + bias : (x > lambd ? x - bias : 0) }
        default:
            throw OpError("unknown function \(context.node.opType)")
        }
    }

    private static func planFloat(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        let f = try floatFunction(context)
        let kernel: Kernel =
            switch x.type {
            case .float32: ElementwiseKernels.unary(count: x.count, Float.self, Float.self) { Float(f(Double($0))) }
            case .float64: ElementwiseKernels.unary(count: x.count, Double.self, Double.self, f)
            default: throw OpError.unsupported("\(context.node.opType) of \(x.type.rawValue) is not supported (float32 and float64 are)")
            }
        return PlannedNode(outputs: [x], kernel: kernel)
    }

    /// Functions that keep any numeric type.
    private static func planNumeric(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        if x.type == .float32 && context.node.opType == "Relu" {
            // The hot activation of most models: a loop the compiler vectorises.
            let count = x.count
            return PlannedNode(outputs: [x]) { inputs, outputs in
                let source = typed(inputs[0], Float.self), target = typed(outputs[0], Float.self)
                for i in 0..<count {
                    let value = source[i]
                    target[i] = value < 0 ? 0 : value
                }
            }
        }
        struct Visit: NumericVisitor {
            let op: String, count: Int
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                switch op {
                case "Relu": ElementwiseKernels.unary(count: count, T.self, T.self) { $0 < T.zero ? T.zero : $0 }
                case "Neg": ElementwiseKernels.unary(count: count, T.self, T.self, T.negate)
                case "Abs": ElementwiseKernels.unary(count: count, T.self, T.self, T.absolute)
                default:
                    ElementwiseKernels.unary(count: count, T.self, T.self) { x in
                        x.isNaNValue ? x : (x > T.zero ? T.one : (x < T.zero ? T.negate(T.one) : T.zero))
                    }
                }
            }
        }
        return PlannedNode(outputs: [x], kernel: try x.type.dispatch(Visit(op: context.node.opType, count: x.count)))
    }

    static let all: [String: OperatorDefinition] = {
        var table = [String: OperatorDefinition]()
        for name in ["Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Sin", "Cos",
                     "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Erf", "Softplus",
                     "Softsign", "LeakyRelu", "Elu", "Selu", "Celu", "HardSigmoid", "HardSwish", "ThresholdedRelu", "Shrink"] {
            table[name] = OperatorDefinition { context throws(OpError) in try planFloat(context) }
        }
        for name in ["Relu", "Neg", "Abs", "Sign"] {
            table[name] = OperatorDefinition { context throws(OpError) in try planNumeric(context) }
        }
        table["IsNaN"] = OperatorDefinition { context throws(OpError) in
            let x = try context.input(0)
            let output = [ValueSpec(type: .bool, shape: x.shape)]
            switch x.type {
            case .float32: return PlannedNode(outputs: output, kernel: ElementwiseKernels.unary(count: x.count, Float.self, Bool.self) { $0.isNaN })
            case .float64: return PlannedNode(outputs: output, kernel: ElementwiseKernels.unary(count: x.count, Double.self, Bool.self) { $0.isNaN })
            default: throw OpError("IsNaN needs a float input")
            }
        }
        table["IsInf"] = OperatorDefinition { context throws(OpError) in
            let x = try context.input(0)
            let positive = try context.int("detect_positive", default: 1) != 0
            let negative = try context.int("detect_negative", default: 1) != 0
            let test: (Double) -> Bool = { $0.isInfinite && ($0 > 0 ? positive : negative) }
            let output = [ValueSpec(type: .bool, shape: x.shape)]
            switch x.type {
            case .float32: return PlannedNode(outputs: output, kernel: ElementwiseKernels.unary(count: x.count, Float.self, Bool.self) { test(Double($0)) })
            case .float64: return PlannedNode(outputs: output, kernel: ElementwiseKernels.unary(count: x.count, Double.self, Bool.self, test))
            default: throw OpError("IsInf needs a float input")
            }
        }
        table["PRelu"] = OperatorDefinition { context throws(OpError) in
            let x = try context.input(0), slope = try context.input(1)
            guard x.type == slope.type else { throw OpError("input types differ") }
            var slopeShape = slope.shape
            if context.opset < 7, slope.rank == 1, x.rank >= 2, slope.count == x.shape[1], slope.count != x.shape[x.rank - 1] || x.rank == 2 {
                // Before opset 7 a vector slope applies per channel (axis 1).
                slopeShape = [slope.count] + [Int](repeating: 1, count: x.rank - 2)
            }
            let broadcast = try Broadcast([x.shape, slopeShape])
            struct Visit: NumericVisitor {
                let broadcast: Broadcast
                func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                    ElementwiseKernels.binary(broadcast, T.self, T.self, T.self) { $0 < T.zero ? T.multiply($0, $1) : $0 }
                }
            }
            return PlannedNode(outputs: [ValueSpec(type: x.type, shape: broadcast.shape)],
                               kernel: try x.type.dispatch(Visit(broadcast: broadcast)))
        }
        table["Clip"] = OperatorDefinition { context throws(OpError) in try clip(context) }
        return table
    }()

    /// Clip: bounds are attributes before opset 11 and optional scalar inputs (read at run time) after.
    private static func clip(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        for index in [1, 2] where context.hasInput(index) {
            let bound = try context.input(index)
            guard bound.type == x.type, bound.count == 1 else { throw OpError("Clip bounds must be scalars of the input type") }
        }
        let attributeMin = try context.float("min"), attributeMax = try context.float("max")
        struct Visit: NumericVisitor {
            let count: Int, attributeMin: Float?, attributeMax: Float?
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                let fixedLow = attributeMin.map { T(double: Double($0)) }
                let fixedHigh = attributeMax.map { T(double: Double($0)) }
                return { inputs, outputs in
                    let low = inputs.count > 1 ? inputs[1].map { typed($0, T.self)[0] } ?? fixedLow : fixedLow
                    let high = inputs.count > 2 ? inputs[2].map { typed($0, T.self)[0] } ?? fixedHigh : fixedHigh
                    let lo = low ?? T.lowest, hi = high ?? T.highest
                    let x = typed(inputs[0], T.self), out = typed(outputs[0], T.self)
                    for i in 0..<count {
                        let v = x[i]
                        out[i] = v.isNaNValue ? v : Swift.min(Swift.max(v, lo), hi)
                    }
                }
            }
        }
        return PlannedNode(outputs: [x], kernel: try x.type.dispatch(Visit(count: x.count, attributeMin: attributeMin, attributeMax: attributeMax)))
    }
}
