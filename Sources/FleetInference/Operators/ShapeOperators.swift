/// Operators that reshape, reorder or select data without arithmetic.
enum ShapeOperators {
    static let all: [String: OperatorDefinition] = [
        "Identity": OperatorDefinition { context throws(OpError) in
            let x = try context.input(0)
            return PlannedNode(outputs: [x], kernel: copyKernel(byteCount: x.byteCount))
        },
        "Dropout": OperatorDefinition(shapeInputs: [1, 2]) { context throws(OpError) in
            // Inference: the output is the input; the optional mask is all true.
            let x = try context.input(0)
            if context.hasInput(2) {
                // Training with a zero ratio keeps everything; any other ratio draws random masks.
                guard let training = try context.constant(2)?.doubles.first else { throw OpError("training_mode must be a scalar") }
                let ratio = context.hasInput(1) ? try context.constant(1)?.doubles.first ?? 0.5 : 0.5
                if training != 0 && ratio != 0 {
                    throw OpError.unsupported("training_mode with a non-zero ratio (random masks) is not supported")
                }
            }
            let bytes = x.byteCount, count = x.count
            // The mask is bool from opset 10, of the input's type before.
            let maskType: TensorElementType = context.opset >= 10 ? .bool : x.type
            let one = try? Tensor(elementType: maskType, shape: [], doubles: [1])
            let pattern = one?.bytes ?? [1]
            let outputs = context.node.outputs.count > 1 ? [x, ValueSpec(type: maskType, shape: x.shape)] : [x]
            return PlannedNode(outputs: outputs) { inputs, outputs in
                if let source = inputs[0], bytes > 0 { outputs[0].copyMemory(from: source, byteCount: bytes) }
                guard outputs.count > 1 else { return }
                pattern.withUnsafeBytes { raw in
                    guard let base = raw.baseAddress else { return }
                    for i in 0..<count { (outputs[1] + i * raw.count).copyMemory(from: base, byteCount: raw.count) }
                }
            }
        },
        "Reshape": OperatorDefinition(shapeInputs: [1]) { context throws(OpError) in
            let x = try context.input(0)
            let fromInput = try context.constantInts(1)
            let fromAttribute = try context.ints("shape")
            guard let requested = fromInput ?? fromAttribute else {
                throw OpError("Reshape needs a shape")
            }
            let allowZero = try context.int("allowzero", default: 0) != 0
            var shape = [Int]()
            var inferred: Int?
            for (axis, size) in requested.enumerated() {
                if size == 0 && !allowZero {
                    guard axis < x.rank else { throw OpError("dimension 0 at axis \(axis) copies beyond the input rank") }
                    shape.append(x.shape[axis])
                } else if size == -1 {
                    guard inferred == nil else { throw OpError("more than one -1 in shape \(requested)") }
                    inferred = axis
                    shape.append(1)
                } else {
                    guard size >= 0 else { throw OpError("invalid dimension \(size) in shape \(requested)") }
                    shape.append(size)
                }
            }
            if let axis = inferred {
                let known = try ShapeLimits.count(shape)
                guard known > 0, x.count % known == 0 else { throw OpError("cannot reshape \(x.shape) to \(requested)") }
                shape[axis] = x.count / known
            }
            guard try ShapeLimits.count(shape) == x.count else { throw OpError("cannot reshape \(x.shape) (\(x.count) values) to \(requested)") }
            return PlannedNode(outputs: [ValueSpec(type: x.type, shape: shape)], kernel: copyKernel(byteCount: x.byteCount))
        },
        "Flatten": OperatorDefinition { context throws(OpError) in
            let x = try context.input(0)
            var axis = try context.int("axis", default: 1)
            if axis < 0 { axis += x.rank }
            guard axis >= 0, axis <= x.rank else { throw OpError("axis out of range for rank \(x.rank)") }
            let outer = x.shape[..<axis].reduce(1, *)
            let shape = [outer, x.shape[axis...].reduce(1, *)]
            return PlannedNode(outputs: [ValueSpec(type: x.type, shape: shape)], kernel: copyKernel(byteCount: x.byteCount))
        },
        "Squeeze": OperatorDefinition(shapeInputs: [1]) { context throws(OpError) in
            let x = try context.input(0)
            let axes = try context.opset >= 13 ? context.constantInts(1) : context.ints("axes")
            var remove = Set<Int>()
            if let axes {
                for axis in axes {
                    let a = try context.axis(axis, rank: x.rank)
                    guard x.shape[a] == 1 else { throw OpError("cannot squeeze axis \(axis) of size \(x.shape[a])") }
                    remove.insert(a)
                }
            } else {
                remove = Set(x.shape.indices.filter { x.shape[$0] == 1 })
            }
            let shape = x.shape.indices.filter { !remove.contains($0) }.map { x.shape[$0] }
            return PlannedNode(outputs: [ValueSpec(type: x.type, shape: shape)], kernel: copyKernel(byteCount: x.byteCount))
        },
        "Unsqueeze": OperatorDefinition(shapeInputs: [1]) { context throws(OpError) in
            let x = try context.input(0)
            guard let axes = try context.opset >= 13 ? context.constantInts(1) : context.ints("axes") else {
                throw OpError("Unsqueeze needs axes")
            }
            let rank = x.rank + axes.count
            var inserted = Set<Int>()
            for axis in axes {
                let a = try context.axis(axis, rank: rank)
                guard inserted.insert(a).inserted else { throw OpError("axis \(axis) repeats") }
            }
            var shape = [Int]()
            var source = x.shape.makeIterator()
            for axis in 0..<rank { shape.append(inserted.contains(axis) ? 1 : (source.next() ?? 1)) }
            return PlannedNode(outputs: [ValueSpec(type: x.type, shape: shape)], kernel: copyKernel(byteCount: x.byteCount))
        },
        "Shape": OperatorDefinition(readsData: false) { context throws(OpError) in
            let x = try context.input(0)
            func clamp(_ value: Int) -> Int { min(max(value < 0 ? value + x.rank : value, 0), x.rank) }
            let start = clamp(try context.int("start", default: 0))
            let end = clamp(try context.int("end", default: x.rank))
            let dims = start < end ? Array(x.shape[start..<end]) : []
            return PlannedNode(outputs: [ValueSpec(type: .int64, shape: [dims.count])]) { _, outputs in
                let out = typed(outputs[0], Int64.self)
                for (i, d) in dims.enumerated() { out[i] = Int64(d) }
            }
        },
        "Size": OperatorDefinition(readsData: false) { context throws(OpError) in
            let count = Int64(try context.input(0).count)
            return PlannedNode(outputs: [ValueSpec(type: .int64, shape: [])]) { _, outputs in
                typed(outputs[0], Int64.self)[0] = count
            }
        },
        "Constant": OperatorDefinition { context throws(OpError) in
            let value: Tensor
            if let tensor = try context.tensor("value") {
                value = tensor
            } else if let float = try context.float("value_float") {
                value = Tensor(elementType: .float32, shape: [], bytes: withUnsafeBytes(of: float) { Array($0) })
            } else if let floats = try context.floats("value_floats") {
                value = Tensor(elementType: .float32, shape: [floats.count], bytes: floats.withUnsafeBytes { Array($0) })
            } else if case .int(let int)? = context.attribute("value_int") {
                value = Tensor(elementType: .int64, shape: [], bytes: withUnsafeBytes(of: Int64(int)) { Array($0) })
            } else if let ints = try context.ints("value_ints") {
                let values = ints.map { Int64($0) }
                value = Tensor(elementType: .int64, shape: [values.count], bytes: values.withUnsafeBytes { Array($0) })
            } else if context.attribute("sparse_value") != nil {
                throw OpError.unsupported("sparse constants are not supported")
            } else {
                throw OpError.unsupported("Constant has no supported value attribute (string constants are not supported)")
            }
            let bytes = value.bytes
            return PlannedNode(outputs: [ValueSpec(type: value.elementType, shape: value.shape)]) { _, outputs in
                bytes.withUnsafeBytes { raw in
                    if let base = raw.baseAddress { outputs[0].copyMemory(from: base, byteCount: raw.count) }
                }
            }
        },
        "ConstantOfShape": OperatorDefinition(shapeInputs: [0]) { context throws(OpError) in
            guard let shape = try context.constantInts(0) else { throw OpError("ConstantOfShape needs a shape") }
            _ = try ShapeLimits.count(shape)
            let value = try context.tensor("value") ?? Tensor(elementType: .float32, shape: [1], bytes: [0, 0, 0, 0])
            guard value.count == 1 else { throw OpError("value must hold one element") }
            let spec = ValueSpec(type: value.elementType, shape: shape)
            let element = value.bytes, count = spec.count
            return PlannedNode(outputs: [spec]) { _, outputs in
                let width = element.count
                for i in 0..<count {
                    for b in 0..<width { outputs[0].storeBytes(of: element[b], toByteOffset: i * width + b, as: UInt8.self) }
                }
            }
        },
        "Transpose": OperatorDefinition { context throws(OpError) in
            let x = try context.input(0)
            let perm = try context.ints("perm") ?? Array(x.shape.indices.reversed())
            guard perm.count == x.rank, Set(perm) == Set(x.shape.indices) else { throw OpError("perm \(perm) does not fit rank \(x.rank)") }
            let strides = contiguousStrides(x.shape)
            let copy = StridedCopy(shape: perm.map { x.shape[$0] }, sourceStrides: perm.map { strides[$0] },
                                   sourceOffset: 0, width: x.type.byteWidth)
            return PlannedNode(outputs: [ValueSpec(type: x.type, shape: copy.shape)]) { inputs, outputs in
                if let source = inputs[0] { copy.run(from: source, to: outputs[0]) }
            }
        },
        "Expand": OperatorDefinition(shapeInputs: [1]) { context throws(OpError) in
            let x = try context.input(0)
            guard let shape = try context.constantInts(1) else { throw OpError("Expand needs a shape") }
            let broadcast = try Broadcast([x.shape, shape])
            let copy = StridedCopy(shape: broadcast.shape, sourceStrides: broadcast.strides[0], sourceOffset: 0, width: x.type.byteWidth)
            return PlannedNode(outputs: [ValueSpec(type: x.type, shape: broadcast.shape)]) { inputs, outputs in
                if let source = inputs[0] { copy.run(from: source, to: outputs[0]) }
            }
        },
        "Concat": OperatorDefinition { context throws(OpError) in try concat(context) },
        "DepthToSpace": OperatorDefinition { context throws(OpError) in try depthToSpace(context, toSpace: true) },
        "SpaceToDepth": OperatorDefinition { context throws(OpError) in try depthToSpace(context, toSpace: false) },
        "Split": OperatorDefinition(shapeInputs: [1]) { context throws(OpError) in try split(context) },
        "Slice": OperatorDefinition(shapeInputs: [1, 2, 3, 4]) { context throws(OpError) in try slice(context) },
        "Gather": OperatorDefinition { context throws(OpError) in try gather(context) },
        "Tile": OperatorDefinition(shapeInputs: [1]) { context throws(OpError) in try tile(context) },
        "Range": OperatorDefinition(shapeInputs: [0, 1, 2]) { context throws(OpError) in try range(context) },
    ]

    /// DepthToSpace and SpaceToDepth as a reshape to six axes and a transpose.
    static func depthToSpace(_ context: NodeContext, toSpace: Bool) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        guard x.rank == 4 else { throw OpError("input must be NCHW") }
        guard let block = try context.int("blocksize"), block > 0, block <= 1 << 16 else { throw OpError("blocksize must be positive") }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let view: [Int], perm: [Int], shape: [Int]
        if toSpace {
            guard c % (block * block) == 0 else { throw OpError("channels \(c) are not divisible by blocksize² \(block * block)") }
            let depth = c / (block * block)
            if try context.string("mode") ?? "DCR" == "CRD" {
                view = [n, depth, block, block, h, w]; perm = [0, 1, 4, 2, 5, 3]
            } else {
                view = [n, block, block, depth, h, w]; perm = [0, 3, 4, 1, 5, 2]
            }
            shape = [n, depth, h * block, w * block]
        } else {
            guard h % block == 0, w % block == 0 else { throw OpError("spatial size \(h)x\(w) is not divisible by blocksize \(block)") }
            view = [n, c, h / block, block, w / block, block]; perm = [0, 3, 5, 1, 2, 4]
            shape = [n, c * block * block, h / block, w / block]
        }
        let strides = contiguousStrides(view)
        let copy = StridedCopy(shape: perm.map { view[$0] }, sourceStrides: perm.map { strides[$0] }, sourceOffset: 0, width: x.type.byteWidth)
        return PlannedNode(outputs: [ValueSpec(type: x.type, shape: shape)]) { inputs, outputs in
            if let source = inputs[0] { copy.run(from: source, to: outputs[0]) }
        }
    }

    static func concat(_ context: NodeContext) throws(OpError) -> PlannedNode {
        var specs = [ValueSpec]()
        for index in 0..<context.inputCount { specs.append(try context.input(index)) }
        guard let first = specs.first else { throw OpError("Concat needs inputs") }
        guard first.rank > 0 else { throw OpError("Concat of scalars") }
        let axis = try context.axis(try context.int("axis", default: 1), rank: first.rank)
        var shape = first.shape
        shape[axis] = 0
        for spec in specs {
            guard spec.type == first.type, spec.rank == first.rank,
                  spec.shape.indices.allSatisfy({ $0 == axis || spec.shape[$0] == first.shape[$0] }) else {
                throw OpError("inputs \(specs.map(\.shape)) cannot be concatenated on axis \(axis)")
            }
            shape[axis] += spec.shape[axis]
        }
        let width = first.type.byteWidth
        let outer = first.shape[..<axis].reduce(1, *)
        let blocks = specs.map { $0.shape[axis...].reduce(1, *) * width }
        let row = blocks.reduce(0, +)
        return PlannedNode(outputs: [ValueSpec(type: first.type, shape: shape)]) { inputs, outputs in
            var column = 0
            for (index, block) in blocks.enumerated() {
                guard let source = inputs[index], block > 0 else { column += block; continue }
                for o in 0..<outer {
                    (outputs[0] + o * row + column).copyMemory(from: source + o * block, byteCount: block)
                }
                column += block
            }
        }
    }

    static func split(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        guard x.rank > 0 else { throw OpError("Split of a scalar") }
        let axis = try context.axis(try context.int("axis", default: 0), rank: x.rank)
        let parts = context.node.outputs.count
        var sizes = try (context.opset >= 13 ? context.constantInts(1) : context.ints("split")) ?? []
        if sizes.isEmpty {
            let n = try context.int("num_outputs") ?? parts
            guard n > 0, n <= 1 << 16 else { throw OpError("cannot split into \(n) outputs") }
            let chunk = (x.shape[axis] + n - 1) / n
            sizes = (0..<n).map { min(chunk, max(0, x.shape[axis] - $0 * chunk)) }
        }
        guard sizes.allSatisfy({ $0 >= 0 && $0 <= x.shape[axis] }), sizes.reduce(0, +) == x.shape[axis] else {
            throw OpError("split \(sizes) does not add up to \(x.shape[axis])")
        }
        let width = x.type.byteWidth
        let outer = x.shape[..<axis].reduce(1, *)
        let inner = x.shape[(axis + 1)...].reduce(1, *) * width
        let row = x.shape[axis] * inner
        let specs = sizes.map { size in
            var shape = x.shape
            shape[axis] = size
            return ValueSpec(type: x.type, shape: shape)
        }
        return PlannedNode(outputs: specs) { inputs, outputs in
            guard let source = inputs[0] else { return }
            var column = 0
            for (index, size) in sizes.enumerated() {
                let block = size * inner
                if block > 0 {
                    for o in 0..<outer { (outputs[index] + o * block).copyMemory(from: source + o * row + column, byteCount: block) }
                }
                column += block
            }
        }
    }

    static func slice(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        let starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?
        if context.opset >= 10 {
            guard let s = try context.constantInts(1), let e = try context.constantInts(2) else { throw OpError("Slice needs starts and ends") }
            starts = s; ends = e
            axes = try context.constantInts(3)
            steps = try context.constantInts(4)
        } else {
            guard let s = try context.ints("starts"), let e = try context.ints("ends") else { throw OpError("Slice needs starts and ends") }
            starts = s; ends = e
            axes = try context.ints("axes")
            steps = nil
        }
        let axisList = axes ?? Array(0..<starts.count)
        guard starts.count == ends.count, axisList.count == starts.count, (steps?.count ?? starts.count) == starts.count else {
            throw OpError("starts, ends, axes and steps differ in length")
        }
        let strides = contiguousStrides(x.shape)
        var shape = x.shape
        var sourceStrides = strides
        var offset = 0
        var seen = Set<Int>()
        for (i, rawAxis) in axisList.enumerated() {
            let axis = try context.axis(rawAxis, rank: x.rank)
            guard seen.insert(axis).inserted else { throw OpError("axis \(rawAxis) repeats") }
            let size = x.shape[axis]
            let rawStep = steps?[i] ?? 1
            guard rawStep != 0 else { throw OpError("step 0") }
            // A step beyond the axis selects at most one element; clamping keeps the arithmetic in range.
            let step = rawStep > 0 ? Swift.min(rawStep, Swift.max(size, 1)) : Swift.max(rawStep, -Swift.max(size, 1))
            func resolve(_ value: Int, low: Int, high: Int) -> Int {
                let v = value < 0 ? value + size : value
                return min(max(v, low), high)
            }
            let start: Int, end: Int, count: Int
            if step > 0 {
                start = resolve(starts[i], low: 0, high: size)
                end = resolve(ends[i], low: 0, high: size)
                count = end > start ? (end - start + step - 1) / step : 0
            } else {
                start = resolve(starts[i], low: -1, high: size - 1)
                end = resolve(ends[i], low: -1, high: size - 1)
                count = start > end ? (start - end - step - 1) / (-step) : 0
            }
            shape[axis] = count
            sourceStrides[axis] = strides[axis] * step
            if count > 0 { offset += start * strides[axis] }
        }
        let copy = StridedCopy(shape: shape, sourceStrides: sourceStrides, sourceOffset: offset, width: x.type.byteWidth)
        return PlannedNode(outputs: [ValueSpec(type: x.type, shape: shape)]) { inputs, outputs in
            if let source = inputs[0] { copy.run(from: source, to: outputs[0]) }
        }
    }

    static func gather(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0), indices = try context.input(1)
        guard indices.type == .int64 || indices.type == .int32 else { throw OpError("indices must be int32 or int64") }
        guard x.rank > 0 else { throw OpError("Gather from a scalar") }
        let axis = try context.axis(try context.int("axis", default: 0), rank: x.rank)
        let shape = Array(x.shape[..<axis]) + indices.shape + Array(x.shape[(axis + 1)...])
        let width = x.type.byteWidth
        let outer = x.shape[..<axis].reduce(1, *)
        let size = x.shape[axis]
        let inner = x.shape[(axis + 1)...].reduce(1, *) * width
        let count = indices.count
        let wide = indices.type == .int64
        return PlannedNode(outputs: [ValueSpec(type: x.type, shape: shape)]) { inputs, outputs throws(OpError) in
            guard let source = inputs[0] else { return }
            for j in 0..<count {
                var index = wide ? Int(typed(inputs[1], Int64.self)[j]) : Int(typed(inputs[1], Int32.self)[j])
                if index < 0 { index += size }
                guard index >= 0, index < size else { throw OpError("index \(index) is out of range for axis size \(size)") }
                for o in 0..<outer where inner > 0 {
                    (outputs[0] + (o * count + j) * inner).copyMemory(from: source + (o * size + index) * inner, byteCount: inner)
                }
            }
        }
    }

    static func tile(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        guard let repeats = try context.constantInts(1), repeats.count == x.rank, repeats.allSatisfy({ $0 >= 0 }) else {
            throw OpError("repeats must hold one non-negative value per axis")
        }
        var shape = [Int]()
        for (size, count) in zip(x.shape, repeats) {
            let (product, overflow) = size.multipliedReportingOverflow(by: count)
            guard !overflow else { throw OpError("repeats \(repeats) make the output too large") }
            shape.append(product)
        }
        _ = try ShapeLimits.count(shape)
        let outStrides = contiguousStrides(shape), inStrides = contiguousStrides(x.shape)
        let width = x.type.byteWidth, count = shape.reduce(1, *), inputShape = x.shape
        return PlannedNode(outputs: [ValueSpec(type: x.type, shape: shape)]) { inputs, outputs in
            guard let source = inputs[0] else { return }
            for i in 0..<count {
                var remainder = i, offset = 0
                for axis in inputShape.indices {
                    let coordinate = remainder / outStrides[axis]
                    remainder %= outStrides[axis]
                    offset += (coordinate % inputShape[axis]) * inStrides[axis]
                }
                (outputs[0] + i * width).copyMemory(from: source + offset * width, byteCount: width)
            }
        }
    }

    static func range(_ context: NodeContext) throws(OpError) -> PlannedNode {
        guard let start = try context.constant(0), let limit = try context.constant(1), let delta = try context.constant(2),
              let s = start.doubles.first, let l = limit.doubles.first, let d = delta.doubles.first, d != 0 else {
            throw OpError("Range needs scalar start, limit and a non-zero delta")
        }
        let steps = Swift.max(0, ((l - s) / d).rounded(.up))
        guard steps.isFinite, steps <= Double(ShapeLimits.maxDimension) else { throw OpError("Range of \(steps) elements is too large") }
        let count = Int(steps)
        let type = start.elementType
        struct Visit: NumericVisitor {
            let count: Int, start: Double, delta: Double
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                { _, outputs in
                    let out = typed(outputs[0], T.self)
                    if T.self == Float.self {
                        // Accumulate in the element type as onnxruntime does.
                        var value = Float(start)
                        for i in 0..<count { out[i] = T(double: Double(value)); value += Float(delta) }
                    } else {
                        for i in 0..<count { out[i] = T(double: start + Double(i) * delta) }
                    }
                }
            }
        }
        return PlannedNode(outputs: [ValueSpec(type: type, shape: [count])], kernel: try type.dispatch(Visit(count: count, start: s, delta: d)))
    }
}
