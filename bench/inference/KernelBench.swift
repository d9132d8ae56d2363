// Times FleetKernels on the layer shapes of the inference benchmark models (MLP 64-256-256-10,
// the small CNN on 1x28x28, the int8 MLP). Built and run by kernels.sh; prints one JSON object
// per line: {"kernel": ..., "shape": ..., "median_us": ..., "p99_us": ...}.
import FleetKernels

/// With an argument, only kernels whose name and shape contain it run (for profiling one shape).
let filter = CommandLine.arguments.dropFirst().first

func measure(_ name: String, _ shape: String, runs: Int = 3000, _ body: () -> Void) {
    if let filter, !"\(name) \(shape)".contains(filter) { return }
    for _ in 0..<200 { body() }
    var samples: [Double] = []
    samples.reserveCapacity(runs)
    let clock = ContinuousClock()
    for _ in 0..<runs {
        let start = clock.now
        for _ in 0..<10 { body() }
        let elapsed = clock.now - start
        samples.append(Double(elapsed.components.attoseconds) / 1e13 + Double(elapsed.components.seconds) * 1e5)
    }
    samples.sort()
    let median = samples[samples.count / 2], p99 = samples[samples.count * 99 / 100]
    print("{\"kernel\": \"\(name)\", \"shape\": \"\(shape)\", \"median_us\": \(median), \"p99_us\": \(p99)}")
}

func floats(_ count: Int, seed: Int) -> [Float] {
    (0..<count).map { Float(($0 &* 2_654_435_761 &+ seed) % 2001 - 1000) / 1000 }
}

// Dense layers at batch 1: MatMul layout (B is k x n) and Gemm transB layout (B is n x k).
for (k, n) in [(64, 256), (256, 256), (256, 10), (784, 64), (64, 10)] {
    let x = floats(k, seed: 1), w = floats(k * n, seed: 2)
    var y = [Float](repeating: 0, count: n)
    measure("sgemm", "1x\(k) * \(k)x\(n)") {
        Kernels.sgemm(transA: false, transB: false, m: 1, n: n, k: k, alpha: 1, a: x, lda: k, b: w, ldb: n,
                      beta: 0, c: &y, ldc: n)
    }
    measure("sgemm_transB", "1x\(k) * (\(n)x\(k))T") {
        Kernels.sgemm(transA: false, transB: true, m: 1, n: n, k: k, alpha: 1, a: x, lda: k, b: w, ldb: k,
                      beta: 0, c: &y, ldc: n)
    }
}

// CNN convolutions: 1->8 3x3 pad 1 on 28x28, 8->16 3x3 pad 1 on 14x14.
for (c, o, size) in [(1, 8, 28), (8, 16, 14)] {
    let g = try! ConvolutionGeometry(batch: 1, inputChannels: c, outputChannels: o, inputSpatialShape: [size, size],
                                     kernelSpatialShape: [3, 3], padding: .explicit(begin: [1, 1], end: [1, 1]))
    let x = floats(g.inputCount, seed: 3), w = floats(g.weightCount, seed: 4), b = floats(o, seed: 5)
    var y = [Float](repeating: 0, count: g.outputCount)
    var workspace = [Float](repeating: 0, count: Kernels.convWorkspaceCount(g))
    measure("conv", "1x\(c)x\(size)x\(size) * \(o)x\(c)x3x3 pad 1") {
        Kernels.conv(g, input: x, weights: w, bias: b, output: &y, workspace: &workspace)
    }
    let pool = try! PoolingGeometry(batch: 1, channels: o, inputSpatialShape: [size, size], kernelSpatialShape: [2, 2],
                                    strides: [2, 2])
    var pooled = [Float](repeating: 0, count: pool.outputCount)
    measure("maxpool", "1x\(o)x\(size)x\(size) 2x2/2") { Kernels.maxPool(pool, input: y, output: &pooled) }
}

// Int8 dense layers at batch 1: uint8 activations, int8 weights (onnxruntime's default quantization).
for (k, n) in [(64, 256), (256, 256), (256, 10)] {
    let x = (0..<k).map { UInt8(truncatingIfNeeded: $0 &* 37) }
    let w = (0..<(k * n)).map { Int8(truncatingIfNeeded: $0 &* 91) }
    var y = [UInt8](repeating: 0, count: n)
    x.withUnsafeBufferPointer { xp in
        w.withUnsafeBufferPointer { wp in
            y.withUnsafeMutableBufferPointer { yp in
                measure("qlinear_matmul", "1x\(k) * \(k)x\(n) u8*s8->u8") {
                    Kernels.qlinearMatMul(m: 1, n: n, k: k, a: .uint8(xp.baseAddress!), lda: k, aScale: .tensor(0.02),
                                          aZeroPoint: .tensor(3), b: .int8(wp.baseAddress!), ldb: n, bScale: .tensor(0.01),
                                          bZeroPoint: .tensor(0), yScale: 0.5, yZeroPoint: 128,
                                          y: .uint8(yp.baseAddress!), ldy: n)
                }
            }
        }
    }
}
