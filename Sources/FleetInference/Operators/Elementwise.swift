/// Arithmetic, comparison and logical operators with numpy-style broadcasting.
enum ElementwiseOperators {
    static let all: [String: OperatorDefinition] = {
        var table = [String: OperatorDefinition]()
        for name in ["Add", "Sub", "Mul", "Div", "Pow", "Mod"] {
            table[name] = OperatorDefinition { context throws(OpError) in try arithmetic(context) }
        }
        for name in ["Max", "Min", "Sum", "Mean"] {
            table[name] = OperatorDefinition { context throws(OpError) in try variadic(context) }
        }
        for name in ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"] {
            table[name] = OperatorDefinition { context throws(OpError) in try comparison(context) }
        }
        for name in ["And", "Or", "Xor"] {
            table[name] = OperatorDefinition { context throws(OpError) in try logical(context) }
        }
        table["Not"] = OperatorDefinition { context throws(OpError) in
            let x = try context.input(0)
            guard x.type == .bool else { throw OpError("Not needs bool input") }
            return PlannedNode(outputs: [x], kernel: ElementwiseKernels.unary(count: x.count, Bool.self, Bool.self) { !$0 })
        }
        table["Where"] = OperatorDefinition { context throws(OpError) in try whereOperator(context) }
        return table
    }()

    /// Legacy (opset < 7) broadcasting: `broadcast=1` with `axis` aligns B at that axis of A.
    static func legacyShapes(_ context: NodeContext, _ a: [Int], _ b: [Int]) throws(OpError) -> [[Int]] {
        guard context.opset < 7, try context.int("broadcast", default: 0) == 1, let axis = try context.int("axis") else {
            return [a, b]
        }
        let start = axis < 0 ? axis + a.count : axis
        guard start >= 0, start + b.count <= a.count else { throw OpError("axis \(axis) does not fit shape \(b) into \(a)") }
        return [a, b + [Int](repeating: 1, count: a.count - start - b.count)]
    }

    static func arithmetic(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let a = try context.input(0), b = try context.input(1)
        let op = context.node.opType
        if op == "Pow" {
            // Pow allows the exponent's type to differ: compute through doubles.
            let broadcast = try Broadcast([a.shape, b.shape])
            guard a.type.isFloatingPoint || b.type.isFloatingPoint || a.type == b.type else {
                throw OpError.unsupported("Pow of \(a.type.rawValue) by \(b.type.rawValue) is not supported")
            }
            struct Visit: NumericVisitor {
                let broadcast: Broadcast, exponent: TensorElementType
                func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                    try exponent.dispatch(PowerVisitor<T>(broadcast: broadcast))
                }
            }
            let kernel = try a.type.dispatch(Visit(broadcast: broadcast, exponent: b.type))
            return PlannedNode(outputs: [ValueSpec(type: a.type, shape: broadcast.shape)], kernel: kernel)
        }
        guard a.type == b.type else { throw OpError("input types differ: \(a.type.rawValue) and \(b.type.rawValue)") }
        let broadcast = try Broadcast(try legacyShapes(context, a.shape, b.shape))
        if a.type == .float32, let kernel = FloatArithmetic.kernel(op, broadcast) {
            return PlannedNode(outputs: [ValueSpec(type: .float32, shape: broadcast.shape)], kernel: kernel)
        }
        let fmod = try context.int("fmod", default: 0) != 0
        struct Visit: NumericVisitor {
            let op: String, broadcast: Broadcast, fmod: Bool
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                switch op {
                case "Add": ElementwiseKernels.binary(broadcast, T.self, T.self, T.self, T.add)
                case "Sub": ElementwiseKernels.binary(broadcast, T.self, T.self, T.self, T.subtract)
                case "Mul": ElementwiseKernels.binary(broadcast, T.self, T.self, T.self, T.multiply)
                case "Div": ElementwiseKernels.binary(broadcast, T.self, T.self, T.self, T.divide)
                default:
                    ElementwiseKernels.binary(broadcast, T.self, T.self, T.self) { [fmod] in T.modulo($0, $1, fmod: fmod) }
                }
            }
        }
        let kernel = try a.type.dispatch(Visit(op: op, broadcast: broadcast, fmod: fmod))
        return PlannedNode(outputs: [ValueSpec(type: a.type, shape: broadcast.shape)], kernel: kernel)
    }

    static func variadic(_ context: NodeContext) throws(OpError) -> PlannedNode {
        var specs = [ValueSpec]()
        for index in 0..<context.inputCount { specs.append(try context.input(index)) }
        guard let first = specs.first else { throw OpError("at least one input is required") }
        guard specs.allSatisfy({ $0.type == first.type }) else { throw OpError("input types differ") }
        let broadcast = try Broadcast(specs.map(\.shape))
        let count = specs.count
        struct Visit: NumericVisitor {
            let op: String, broadcast: Broadcast, count: Int
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                switch op {
                case "Max": ElementwiseKernels.variadic(broadcast, T.self) { a, b in a.isNaNValue || b.isNaNValue ? (a.isNaNValue ? a : b) : Swift.max(a, b) }
                case "Min": ElementwiseKernels.variadic(broadcast, T.self) { a, b in a.isNaNValue || b.isNaNValue ? (a.isNaNValue ? a : b) : Swift.min(a, b) }
                case "Sum": ElementwiseKernels.variadic(broadcast, T.self, T.add)
                default:
                    ElementwiseKernels.variadic(broadcast, T.self, T.add) { [count] in T(double: $0.double / Double(count)) }
                }
            }
        }
        let kernel = try first.type.dispatch(Visit(op: context.node.opType, broadcast: broadcast, count: count))
        return PlannedNode(outputs: [ValueSpec(type: first.type, shape: broadcast.shape)], kernel: kernel)
    }

    static func comparison(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let a = try context.input(0), b = try context.input(1)
        guard a.type == b.type else { throw OpError("input types differ: \(a.type.rawValue) and \(b.type.rawValue)") }
        let broadcast = try Broadcast(try legacyShapes(context, a.shape, b.shape))
        let output = [ValueSpec(type: .bool, shape: broadcast.shape)]
        let op = context.node.opType
        if a.type == .bool {
            guard op == "Equal" else { throw OpError.unsupported("\(op) of bool tensors is not supported") }
            return PlannedNode(outputs: output, kernel: ElementwiseKernels.binary(broadcast, Bool.self, Bool.self, Bool.self, ==))
        }
        struct Visit: NumericVisitor {
            let op: String, broadcast: Broadcast
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                switch op {
                case "Equal": ElementwiseKernels.binary(broadcast, T.self, T.self, Bool.self, ==)
                case "Less": ElementwiseKernels.binary(broadcast, T.self, T.self, Bool.self, <)
                case "Greater": ElementwiseKernels.binary(broadcast, T.self, T.self, Bool.self, >)
                case "LessOrEqual": ElementwiseKernels.binary(broadcast, T.self, T.self, Bool.self, <=)
                default: ElementwiseKernels.binary(broadcast, T.self, T.self, Bool.self, >=)
                }
            }
        }
        return PlannedNode(outputs: output, kernel: try a.type.dispatch(Visit(op: op, broadcast: broadcast)))
    }

    static func logical(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let a = try context.input(0), b = try context.input(1)
        guard a.type == .bool, b.type == .bool else { throw OpError("\(context.node.opType) needs bool inputs") }
        let broadcast = try Broadcast(try legacyShapes(context, a.shape, b.shape))
        let f: (Bool, Bool) -> Bool =
            switch context.node.opType {
            case "And": { $0 && $1 }
            case "Or": { $0 || $1 }
            default: { $0 != $1 }
            }
        return PlannedNode(outputs: [ValueSpec(type: .bool, shape: broadcast.shape)],
                           kernel: ElementwiseKernels.binary(broadcast, Bool.self, Bool.self, Bool.self, f))
    }

    static func whereOperator(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let condition = try context.input(0), x = try context.input(1), y = try context.input(2)
        guard condition.type == .bool, x.type == y.type else { throw OpError("Where needs a bool condition and equal value types") }
        let broadcast = try Broadcast([condition.shape, x.shape, y.shape])
        func make<T>(_: T.Type) -> Kernel {
            { inputs, outputs in
                let c = typed(inputs[0], Bool.self), a = typed(inputs[1], T.self), b = typed(inputs[2], T.self)
                let out = typed(outputs[0], T.self)
                broadcast.forEachRun { o, offsets, n, strides in
                    for k in 0..<n {
                        out[o + k] = c[offsets[0] + k * strides[0]] ? a[offsets[1] + k * strides[1]] : b[offsets[2] + k * strides[2]]
                    }
                }
            }
        }
        let kernel: Kernel =
            switch x.type.byteWidth {
            case 1: make(UInt8.self)
            case 2: make(UInt16.self)
            case 4: make(UInt32.self)
            default: make(UInt64.self)
            }
        return PlannedNode(outputs: [ValueSpec(type: x.type, shape: broadcast.shape)], kernel: kernel)
    }
}

private struct PowerVisitor<Base: NumericElement>: NumericVisitor {
    let broadcast: Broadcast
    func visit<E: NumericElement>(_: E.Type) throws(OpError) -> Kernel {
        if E.self == Base.self {
            return ElementwiseKernels.binary(broadcast, Base.self, Base.self, Base.self) { Base.power($0, $1) }
        }
        return ElementwiseKernels.binary(broadcast, Base.self, E.self, Base.self) { Base(double: realPow($0.double, $1.double)) }
    }
}

/// float32 Add, Sub, Mul and Div with the operation chosen outside the loops, so they vectorise.
enum FloatArithmetic {
    enum Operation { case add, subtract, multiply, divide }

    static func kernel(_ op: String, _ broadcast: Broadcast) -> Kernel? {
        let operation: Operation
        switch op {
        case "Add": operation = .add
        case "Sub": operation = .subtract
        case "Mul": operation = .multiply
        case "Div": operation = .divide
        default: return nil
        }
        let sameShape = broadcast.strides.allSatisfy { $0 == contiguousStrides(broadcast.shape) }
        let count = broadcast.count
        return { inputs, outputs in
            let a = typed(inputs[0], Float.self), b = typed(inputs[1], Float.self), out = typed(outputs[0], Float.self)
            if sameShape {
                apply(operation, a, 1, b, 1, out, count)
                return
            }
            broadcast.forEachRun { o, offsets, n, strides in
                apply(operation, a + offsets[0], strides[0], b + offsets[1], strides[1], out + o, n)
            }
        }
    }

    @inline(__always)
    static func apply(_ operation: Operation, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                      _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        switch (sa, sb) {
        case (1, 1): loop(operation, n) { i in (a[i], b[i]) } store: { out[$0] = $1 }
        case (1, 0): let y = b[0]; loop(operation, n) { i in (a[i], y) } store: { out[$0] = $1 }
        case (0, 1): let x = a[0]; loop(operation, n) { i in (x, b[i]) } store: { out[$0] = $1 }
        default: loop(operation, n) { i in (a[i * sa], b[i * sb]) } store: { out[$0] = $1 }
        }
    }

    @inline(__always)
    static func loop(_ operation: Operation, _ n: Int, _ load: (Int) -> (Float, Float), store: (Int, Float) -> Void) {
        switch operation {
        case .add: for i in 0..<n { let (x, y) = load(i); store(i, x + y) }
        case .subtract: for i in 0..<n { let (x, y) = load(i); store(i, x - y) }
        case .multiply: for i in 0..<n { let (x, y) = load(i); store(i, x * y) }
        case .divide: for i in 0..<n { let (x, y) = load(i); store(i, x / y) }
        }
    }
}
