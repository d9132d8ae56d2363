/// Operators that select or place elements by index: GatherElements, GatherND, ScatterElements,
/// ScatterND, OneHot, TopK, Trilu, EyeLike, CumSum.
enum IndexingOperators {
    static let all: [String: OperatorDefinition] = [
        "GatherElements": OperatorDefinition { context throws(OpError) in try gatherElements(context) },
        "ScatterElements": OperatorDefinition { context throws(OpError) in try scatterElements(context) },
        "GatherND": OperatorDefinition { context throws(OpError) in try gatherND(context) },
        "ScatterND": OperatorDefinition { context throws(OpError) in try scatterND(context) },
        "OneHot": OperatorDefinition(shapeInputs: [1]) { context throws(OpError) in try oneHot(context) },
        "TopK": OperatorDefinition(shapeInputs: [1]) { context throws(OpError) in try topK(context) },
        "Trilu": OperatorDefinition { context throws(OpError) in try trilu(context) },
        "EyeLike": OperatorDefinition { context throws(OpError) in try eyeLike(context) },
        "CumSum": OperatorDefinition(shapeInputs: [1]) { context throws(OpError) in try cumSum(context) },
    ]

    /// Reads index `i` of an int32 or int64 buffer.
    static func index(_ pointer: UnsafeRawPointer?, _ wide: Bool, _ i: Int) -> Int {
        wide ? Int(typed(pointer, Int64.self)[i]) : Int(typed(pointer, Int32.self)[i])
    }

    static func indexSpec(_ context: NodeContext, _ position: Int) throws(OpError) -> ValueSpec {
        let spec = try context.input(position)
        guard spec.type == .int64 || spec.type == .int32 else { throw OpError("indices must be int32 or int64") }
        return spec
    }

    static func gatherElements(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0), indices = try indexSpec(context, 1)
        guard x.rank > 0, indices.rank == x.rank else { throw OpError("indices must have the rank of the data") }
        let axis = try context.axis(try context.int("axis", default: 0), rank: x.rank)
        let dataStrides = contiguousStrides(x.shape), indexStrides = contiguousStrides(indices.shape)
        let count = indices.count, wide = indices.type == .int64, width = x.type.byteWidth, size = x.shape[axis]
        return PlannedNode(outputs: [ValueSpec(type: x.type, shape: indices.shape)]) { inputs, outputs throws(OpError) in
            guard let source = inputs[0] else { return }
            for i in 0..<count {
                var remainder = i, offset = 0
                for d in 0..<indexStrides.count {
                    let coordinate = remainder / indexStrides[d]
                    remainder %= indexStrides[d]
                    if d != axis { offset += coordinate * dataStrides[d] }
                }
                var at = index(inputs[1], wide, i)
                if at < 0 { at += size }
                guard at >= 0, at < size else { throw OpError("index \(at) is out of range for axis size \(size)") }
                offset += at * dataStrides[axis]
                (outputs[0] + i * width).copyMemory(from: source + offset * width, byteCount: width)
            }
        }
    }

    /// The combining function of a scatter's `reduction` attribute.
    struct Reduction: NumericVisitor {
        let name: String, width: Int
        func visit<T: NumericElement>(_: T.Type) throws(OpError) -> (UnsafeMutableRawPointer, UnsafeRawPointer) -> Void {
            let combine: (T, T) -> T
            switch name {
            case "add": combine = T.add
            case "mul": combine = T.multiply
            case "max": combine = { Swift.max($0, $1) }
            case "min": combine = { Swift.min($0, $1) }
            default: throw OpError.unsupported("reduction '\(name)' is not supported")
            }
            return { target, value in
                let t = target.assumingMemoryBound(to: T.self)
                t.pointee = combine(t.pointee, value.assumingMemoryBound(to: T.self).pointee)
            }
        }
    }

    static func combiner(_ context: NodeContext, _ type: TensorElementType) throws(OpError) -> (UnsafeMutableRawPointer, UnsafeRawPointer) -> Void {
        let name = try context.string("reduction") ?? "none"
        let width = type.byteWidth
        if name == "none" { return { target, value in target.copyMemory(from: value, byteCount: width) } }
        return try type.dispatch(Reduction(name: name, width: width))
    }

    static func scatterElements(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0), indices = try indexSpec(context, 1), updates = try context.input(2)
        guard x.rank > 0, indices.rank == x.rank, updates.shape == indices.shape, updates.type == x.type else {
            throw OpError("indices and updates must match each other and the data's rank")
        }
        let axis = try context.axis(try context.int("axis", default: 0), rank: x.rank)
        let combine = try combiner(context, x.type)
        let dataStrides = contiguousStrides(x.shape), indexStrides = contiguousStrides(indices.shape)
        let count = indices.count, wide = indices.type == .int64, width = x.type.byteWidth, size = x.shape[axis]
        let bytes = x.byteCount
        return PlannedNode(outputs: [x]) { inputs, outputs throws(OpError) in
            guard let source = inputs[0], let values = inputs[2] else { return }
            if bytes > 0 { outputs[0].copyMemory(from: source, byteCount: bytes) }
            for i in 0..<count {
                var remainder = i, offset = 0
                for d in 0..<indexStrides.count {
                    let coordinate = remainder / indexStrides[d]
                    remainder %= indexStrides[d]
                    if d != axis { offset += coordinate * dataStrides[d] }
                }
                var at = index(inputs[1], wide, i)
                if at < 0 { at += size }
                guard at >= 0, at < size else { throw OpError("index \(at) is out of range for axis size \(size)") }
                offset += at * dataStrides[axis]
                combine(outputs[0] + offset * width, values + i * width)
            }
        }
    }

    /// The shared geometry of GatherND and ScatterND.
    struct NDGeometry {
        let tuples: Int, depth: Int, slice: Int, batches: Int, perBatch: Int
        let dataStrides: [Int], dataShape: [Int], batchDims: Int

        init(data: ValueSpec, indices: ValueSpec, batchDims: Int) throws(OpError) {
            guard indices.rank >= 1, let depth = indices.shape.last, batchDims >= 0, batchDims < min(data.rank, indices.rank),
                  depth >= 1, batchDims + depth <= data.rank, Array(data.shape[..<batchDims]) == Array(indices.shape[..<batchDims]) else {
                throw OpError("indices \(indices.shape) do not address data \(data.shape) with \(batchDims) batch axes")
            }
            self.depth = depth
            self.batchDims = batchDims
            batches = data.shape[..<batchDims].reduce(1, *)
            tuples = indices.count / depth
            perBatch = batches == 0 ? 0 : tuples / batches
            slice = data.shape[(batchDims + depth)...].reduce(1, *)
            dataStrides = contiguousStrides(data.shape)
            dataShape = data.shape
        }

        /// The element offset into the data of index tuple `t`.
        func offset(_ pointer: UnsafeRawPointer?, _ wide: Bool, tuple t: Int) throws(OpError) -> Int {
            let batch = perBatch == 0 ? 0 : t / perBatch
            var offset = batch * (batchDims == 0 ? 0 : dataStrides[batchDims - 1])
            for j in 0..<depth {
                let axis = batchDims + j
                var at = IndexingOperators.index(pointer, wide, t * depth + j)
                if at < 0 { at += dataShape[axis] }
                guard at >= 0, at < dataShape[axis] else { throw OpError("index \(at) is out of range for axis size \(dataShape[axis])") }
                offset += at * dataStrides[axis]
            }
            return offset
        }
    }

    static func gatherND(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0), indices = try indexSpec(context, 1)
        let geometry = try NDGeometry(data: x, indices: indices, batchDims: try context.int("batch_dims", default: 0))
        let shape = Array(indices.shape.dropLast()) + Array(x.shape[(geometry.batchDims + geometry.depth)...])
        let width = x.type.byteWidth, wide = indices.type == .int64
        return PlannedNode(outputs: [ValueSpec(type: x.type, shape: shape)]) { inputs, outputs throws(OpError) in
            guard let source = inputs[0] else { return }
            let bytes = geometry.slice * width
            for t in 0..<geometry.tuples where bytes > 0 {
                let offset = try geometry.offset(inputs[1], wide, tuple: t)
                (outputs[0] + t * bytes).copyMemory(from: source + offset * width, byteCount: bytes)
            }
        }
    }

    static func scatterND(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0), indices = try indexSpec(context, 1), updates = try context.input(2)
        let geometry = try NDGeometry(data: x, indices: indices, batchDims: 0)
        guard updates.type == x.type, updates.shape == Array(indices.shape.dropLast()) + Array(x.shape[geometry.depth...]) else {
            throw OpError("updates \(updates.shape) do not match indices \(indices.shape) and data \(x.shape)")
        }
        let combine = try combiner(context, x.type)
        let width = x.type.byteWidth, wide = indices.type == .int64, bytes = x.byteCount
        return PlannedNode(outputs: [x]) { inputs, outputs throws(OpError) in
            guard let source = inputs[0], let values = inputs[2] else { return }
            if bytes > 0 { outputs[0].copyMemory(from: source, byteCount: bytes) }
            for t in 0..<geometry.tuples {
                let offset = try geometry.offset(inputs[1], wide, tuple: t)
                for e in 0..<geometry.slice {
                    combine(outputs[0] + (offset + e) * width, values + (t * geometry.slice + e) * width)
                }
            }
        }
    }

    static func oneHot(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let indices = try context.input(0), values = try context.input(2)
        guard let depthValue = try context.constant(1)?.doubles.first, depthValue.isFinite, depthValue >= 1,
              depthValue <= Double(ShapeLimits.maxDimension) else { throw OpError("depth must be a positive scalar") }
        guard values.count == 2 else { throw OpError("values must hold [off, on]") }
        let depth = Int(depthValue)
        let rank = indices.rank + 1
        let axis = try context.axis(try context.int("axis", default: -1), rank: rank)
        var shape = indices.shape
        shape.insert(depth, at: axis)
        let outer = indices.shape[..<axis].reduce(1, *), inner = indices.shape[axis...].reduce(1, *)
        let width = values.type.byteWidth, count = try ShapeLimits.count(shape)
        let indexType = indices.type
        struct Reader: NumericVisitor {
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> (UnsafeRawPointer?, Int) -> Double {
                { pointer, i in typed(pointer, T.self)[i].double }
            }
        }
        let read = try indexType.dispatch(Reader())
        return PlannedNode(outputs: [ValueSpec(type: values.type, shape: shape)]) { inputs, outputs in
            guard let pair = inputs[2] else { return }
            for i in 0..<count { (outputs[0] + i * width).copyMemory(from: pair, byteCount: width) }
            for o in 0..<outer {
                for i in 0..<inner {
                    var at = read(inputs[0], o * inner + i).rounded(.towardZero)
                    if at < 0 { at += Double(depth) }
                    guard at >= 0, at < Double(depth) else { continue }
                    (outputs[0] + ((o * depth + Int(at)) * inner + i) * width).copyMemory(from: pair + width, byteCount: width)
                }
            }
        }
    }

    static func topK(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        guard x.rank > 0 else { throw OpError("TopK of a scalar") }
        let kInput = try context.constantInts(1)?.first, kAttribute = try context.int("k")
        let kValue = kInput ?? kAttribute
        let axis = try context.axis(try context.int("axis", default: -1), rank: x.rank)
        guard let k = kValue, k >= 0, k <= x.shape[axis] else { throw OpError("k must be between 0 and \(x.shape[axis])") }
        let largest = try context.int("largest", default: 1) != 0
        var shape = x.shape
        shape[axis] = k
        let outer = x.shape[..<axis].reduce(1, *), size = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        struct Visit: NumericVisitor {
            let outer: Int, size: Int, inner: Int, k: Int, largest: Bool
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                let (outer, size, inner, k, largest) = (outer, size, inner, k, largest)
                return { inputs, outputs in
                    let x = typed(inputs[0], T.self), values = typed(outputs[0], T.self), indices = typed(outputs[1], Int64.self)
                    let order = typed(outputs[2], Int.self)
                    for o in 0..<outer {
                        for i in 0..<inner {
                            let base = o * size * inner + i
                            for j in 0..<size { order[j] = j }
                            var buffer = UnsafeMutableBufferPointer(start: order, count: size)
                            // Ties keep the lower index first, as onnxruntime does.
                            buffer.sort { a, b in
                                let va = x[base + a * inner], vb = x[base + b * inner]
                                if va == vb { return a < b }
                                return largest ? va > vb : va < vb
                            }
                            for j in 0..<k {
                                values[(o * k + j) * inner + i] = x[base + order[j] * inner]
                                indices[(o * k + j) * inner + i] = Int64(order[j])
                            }
                        }
                    }
                }
            }
        }
        let kernel = try x.type.dispatch(Visit(outer: outer, size: size, inner: inner, k: k, largest: largest))
        return PlannedNode(outputs: [ValueSpec(type: x.type, shape: shape), ValueSpec(type: .int64, shape: shape),
                                     ValueSpec(type: .int64, shape: [size])], kernel: kernel)
    }

    static func trilu(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        guard x.rank >= 2 else { throw OpError("Trilu needs a matrix") }
        if context.hasInput(1) { guard try context.input(1).type == .int64 else { throw OpError("k must be int64") } }
        let upper = try context.int("upper", default: 1) != 0
        let rows = x.shape[x.rank - 2], columns = x.shape[x.rank - 1]
        let matrices = x.shape.dropLast(2).reduce(1, *), width = x.type.byteWidth
        return PlannedNode(outputs: [x]) { inputs, outputs in
            guard let source = inputs[0] else { return }
            let k = inputs.count > 1 ? inputs[1].map { Int(typed($0, Int64.self)[0]) } ?? 0 : 0
            for m in 0..<matrices {
                for r in 0..<rows {
                    for c in 0..<columns {
                        let at = ((m * rows + r) * columns + c) * width
                        let keep = upper ? c - r >= k : c - r <= k
                        if keep { (outputs[0] + at).copyMemory(from: source + at, byteCount: width) }
                        else { (outputs[0] + at).initializeMemory(as: UInt8.self, repeating: 0, count: width) }
                    }
                }
            }
        }
    }

    static func eyeLike(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        guard x.rank == 2 else { throw OpError("EyeLike needs a matrix") }
        var type = x.type
        if let code = try context.int("dtype") {
            guard let chosen = TensorElementType(onnxCode: Int32(clamping: code)) else { throw OpError.unsupported("dtype \(code) is not supported") }
            type = chosen
        }
        let k = try context.int("k", default: 0)
        let rows = x.shape[0], columns = x.shape[1]
        let one: [UInt8] = {
            switch type {
            case .float32: return withUnsafeBytes(of: Float(1)) { Array($0) }
            case .float64: return withUnsafeBytes(of: Double(1)) { Array($0) }
            default: return [1] + [UInt8](repeating: 0, count: type.byteWidth - 1)
            }
        }()
        let width = type.byteWidth
        return PlannedNode(outputs: [ValueSpec(type: type, shape: x.shape)]) { _, outputs in
            outputs[0].initializeMemory(as: UInt8.self, repeating: 0, count: rows * columns * width)
            for r in 0..<rows {
                let c = r + k
                guard c >= 0, c < columns else { continue }
                for b in 0..<width { outputs[0].storeBytes(of: one[b], toByteOffset: (r * columns + c) * width + b, as: UInt8.self) }
            }
        }
    }

    static func cumSum(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let x = try context.input(0)
        guard x.rank > 0, let axisValue = try context.constantInts(1)?.first else { throw OpError("CumSum needs a tensor and an axis") }
        let axis = try context.axis(axisValue, rank: x.rank)
        let exclusive = try context.int("exclusive", default: 0) != 0, reverse = try context.int("reverse", default: 0) != 0
        let outer = x.shape[..<axis].reduce(1, *), size = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        struct Visit: NumericVisitor {
            let outer: Int, size: Int, inner: Int, exclusive: Bool, reverse: Bool
            func visit<T: NumericElement>(_: T.Type) throws(OpError) -> Kernel {
                let (outer, size, inner, exclusive, reverse) = (outer, size, inner, exclusive, reverse)
                return { inputs, outputs in
                    let x = typed(inputs[0], T.self), y = typed(outputs[0], T.self)
                    for o in 0..<outer {
                        for i in 0..<inner {
                            var sum = T.zero
                            for step in 0..<size {
                                let j = reverse ? size - 1 - step : step
                                let at = (o * size + j) * inner + i
                                if exclusive { y[at] = sum; sum = T.add(sum, x[at]) }
                                else { sum = T.add(sum, x[at]); y[at] = sum }
                            }
                        }
                    }
                }
            }
        }
        return PlannedNode(outputs: [x], kernel: try x.type.dispatch(Visit(outer: outer, size: size, inner: inner, exclusive: exclusive, reverse: reverse)))
    }
}
