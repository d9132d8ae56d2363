import FleetKernels

/// Gemm and MatMul over FleetKernels' sgemm (float32).
enum MatMulOperators {
    static let all: [String: OperatorDefinition] = [
        "Gemm": OperatorDefinition { context throws(OpError) in try gemm(context) },
        "MatMul": OperatorDefinition { context throws(OpError) in try matMul(context) },
    ]

    static func gemm(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let a = try context.input(0), b = try context.input(1)
        guard a.type == .float32, b.type == .float32 else { throw OpError.unsupported("Gemm supports float32, got \(a.type.rawValue)") }
        guard a.rank == 2, b.rank == 2 else { throw OpError("Gemm needs matrices, got \(a.shape) and \(b.shape)") }
        let transA = try context.int("transA", default: 0) != 0, transB = try context.int("transB", default: 0) != 0
        let alpha = try context.float("alpha", default: 1), beta = try context.float("beta", default: 1)
        let m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1]
        let kb = transB ? b.shape[1] : b.shape[0], n = transB ? b.shape[0] : b.shape[1]
        guard k == kb else { throw OpError("inner dimensions differ: \(a.shape) and \(b.shape)") }
        var bias: StridedCopy?
        if context.hasInput(2) {
            let c = try context.input(2)
            guard c.type == .float32 else { throw OpError("C must be float32") }
            let broadcast = try Broadcast([c.shape, [m, n]])
            guard broadcast.shape == [m, n] else { throw OpError("C of shape \(c.shape) does not broadcast to [\(m), \(n)]") }
            bias = StridedCopy(shape: [m, n], sourceStrides: broadcast.strides[0], sourceOffset: 0, width: 4)
        }
        let lda = a.shape[1], ldb = b.shape[1]
        return PlannedNode(outputs: [ValueSpec(type: .float32, shape: [m, n])]) { inputs, outputs in
            let y = typed(outputs[0], Float.self)
            var betaOut: Float = 0
            if let bias, let c = inputs[2], beta != 0 {
                bias.run(from: c, to: outputs[0])
                if beta != 1 { for i in 0..<(m * n) { y[i] *= beta } }
                betaOut = 1
            }
            Kernels.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                          a: typed(inputs[0], Float.self), lda: max(lda, 1), b: typed(inputs[1], Float.self), ldb: max(ldb, 1),
                          beta: betaOut, c: y, ldc: max(n, 1))
        }
    }

    /// numpy matmul: 1-D operands are promoted, batch axes broadcast.
    static func matMul(_ context: NodeContext) throws(OpError) -> PlannedNode {
        let a = try context.input(0), b = try context.input(1)
        guard a.type == .float32, b.type == .float32 else { throw OpError.unsupported("MatMul supports float32, got \(a.type.rawValue)") }
        let product = try MatrixProduct(a.shape, b.shape)
        let (m, n, k) = (product.m, product.n, product.k)
        return PlannedNode(outputs: [ValueSpec(type: .float32, shape: product.shape)]) { inputs, outputs in
            let x = typed(inputs[0], Float.self), w = typed(inputs[1], Float.self), y = typed(outputs[0], Float.self)
            for batch in 0..<product.batches {
                Kernels.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                              a: x + product.aOffsets[batch] * m * k, lda: max(k, 1),
                              b: w + product.bOffsets[batch] * k * n, ldb: max(n, 1),
                              beta: 0, c: y + batch * m * n, ldc: max(n, 1))
            }
        }
    }
}

/// The geometry of a batched, broadcasting matrix product `[..., m, k] x [..., k, n]`.
struct MatrixProduct {
    let m: Int, n: Int, k: Int
    let shape: [Int]
    let batches: Int
    /// Matrix index into A and B for each output batch.
    let aOffsets: [Int], bOffsets: [Int]

    init(_ aShape: [Int], _ bShape: [Int]) throws(OpError) {
        guard !aShape.isEmpty, !bShape.isEmpty else { throw OpError("matrix product of a scalar") }
        let a = aShape.count == 1 ? [1] + aShape : aShape
        let b = bShape.count == 1 ? bShape + [1] : bShape
        m = a[a.count - 2]; k = a[a.count - 1]; n = b[b.count - 1]
        guard b[b.count - 2] == k else { throw OpError("inner dimensions differ: \(aShape) and \(bShape)") }
        let batch = try Broadcast([Array(a.dropLast(2)), Array(b.dropLast(2))])
        var shape = batch.shape
        if aShape.count > 1 { shape.append(m) }
        if bShape.count > 1 { shape.append(n) }
        self.shape = shape
        batches = batch.count
        var aOffsets = [Int](), bOffsets = [Int]()
        batch.forEachRun { _, offsets, run, strides in
            for i in 0..<run {
                aOffsets.append(offsets[0] + i * strides[0])
                bOffsets.append(offsets[1] + i * strides[1])
            }
        }
        if batch.shape.isEmpty { aOffsets = [0]; bOffsets = [0] }
        self.aOffsets = aOffsets
        self.bOffsets = bOffsets
    }
}
