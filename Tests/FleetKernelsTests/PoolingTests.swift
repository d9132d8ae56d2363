import Testing
@testable import FleetKernels

@Suite struct PoolingTests {
    /// The inputs of the onnxruntime references below: `(i * 7 % 11) - 5` over `0..<count`.
    static func pattern(_ count: Int) -> [Float] { (0..<count).map { Float($0 * 7 % 11 - 5) } }

    struct Reference: CustomTestStringConvertible, Sendable {
        var name: String
        var max: Bool
        var input: [Int], kernel: [Int], strides: [Int]
        var dilations: [Int]? = nil
        var pads: [Int] = [0, 0, 0, 0]
        var ceil = false
        var countIncludePad = false
        var output: [Int]
        var expected: [Float]
        var testDescription: String { name }
    }

    /// Outputs of onnxruntime 1.32 (opset 19) on the same inputs and attributes.
    static let references: [Reference] = [
        Reference(name: "average ceil count pads", max: false, input: [5, 5], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1],
                  ceil: true, countIncludePad: true, output: [3, 3],
                  expected: [-0.2222222, 0.5555556, 0.5555556, -0.7777778, -0.4444444, -0.2222222, 0, -0.3333333, -0.4444444]),
        Reference(name: "average ceil exclude pads", max: false, input: [5, 5], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1],
                  ceil: true, output: [3, 3],
                  expected: [-0.5, 0.8333333, 1.25, -1.1666666, -0.4444444, -0.3333333, 0, -0.5, -1]),
        Reference(name: "average end pads only", max: false, input: [6, 6], kernel: [3, 3], strides: [2, 2], pads: [0, 0, 1, 1],
                  ceil: true, countIncludePad: true, output: [3, 3],
                  expected: [0, 0.5555556, -0.7777778, 0.8888889, 0.2222222, 0.2222222, 0.2222222, -0.2222222, 0.4444444]),
        Reference(name: "average ceil partial window", max: false, input: [5, 5], kernel: [2, 2], strides: [2, 2], ceil: true,
                  output: [3, 3], expected: [-0.5, -0.25, 2, -2, 1, 0.5, 1, -1.5, -2]),
        Reference(name: "max ceil partial window", max: true, input: [5, 5], kernel: [2, 2], strides: [2, 2], ceil: true,
                  output: [3, 3], expected: [4, 5, 3, 1, 4, 5, 3, 2, -2]),
        Reference(name: "max dilated asymmetric ceil", max: true, input: [7, 7], kernel: [2, 2], strides: [2, 2], dilations: [2, 2],
                  pads: [1, 0, 1, 1], ceil: true, output: [4, 4],
                  expected: [3, 3, -2, -2, 3, 5, 5, -2, 2, 5, 5, -3, 1, 4, 4, -4]),
        Reference(name: "average dilated asymmetric ceil", max: false, input: [7, 7], kernel: [2, 3], strides: [2, 1],
                  dilations: [2, 2], pads: [1, 0, 1, 1], ceil: true, countIncludePad: true, output: [4, 4],
                  expected: [-0.3333333, -0.5, -0.6666667, 0.1666667, 0.6666667, -1.5, 0, 0, 1.5, -0.6666667, 0.8333333,
                             -0.6666667, 0.5, 0.3333333, 0.1666667, -0.5]),
        Reference(name: "max window may not start in end pad", max: true, input: [4, 4], kernel: [3, 3], strides: [2, 2],
                  pads: [1, 1, 1, 1], ceil: true, output: [3, 3], expected: [2, 5, 5, 3, 5, 1, 2, 5, 1]),
    ]

    @Test(arguments: references)
    func matchesOnnxruntime(_ r: Reference) throws {
        let g = try PoolingGeometry(
            batch: 1, channels: 1, inputSpatialShape: r.input, kernelSpatialShape: r.kernel, strides: r.strides,
            dilations: r.dilations, padding: .onnx(r.pads), ceilMode: r.ceil)
        #expect(g.outputSpatialShape == r.output)
        let x = Self.pattern(g.inputCount)
        var y = [Float](repeating: .nan, count: g.outputCount)
        if r.max {
            Kernels.maxPool(g, input: x, output: &y)
        } else {
            Kernels.averagePool(g, countIncludePad: r.countIncludePad, input: x, output: &y)
        }
        #expect(maxRelativeError(y, r.expected) < 1e-6)
    }

    @Test func maxPoolIndicesAreFlatOverBatchAndChannels() throws {
        let g = try PoolingGeometry(batch: 2, channels: 3, inputSpatialShape: [4, 5], kernelSpatialShape: [2, 2],
                                    strides: [2, 2], padding: .onnx([0, 0, 0, 1]))
        var rng = SplitMix64(seed: 11)
        let x = [Float].random(g.inputCount, using: &rng)
        var y = [Float](repeating: 0, count: g.outputCount)
        var indices = [Int64](repeating: -1, count: g.outputCount)
        Kernels.maxPool(g, input: x, output: &y, indices: &indices)
        #expect(g.outputSpatialShape == [2, 3])
        for (value, index) in zip(y, indices) { #expect(x[Int(index)] == value) }
        // The window of the last output of the last plane covers only column 4 of rows 2 and 3.
        let last = 5 * 20
        #expect(indices.last! == Int64(x[last + 14] >= x[last + 19] ? last + 14 : last + 19))
    }

    @Test func randomPoolingMatchesDirectDefinition() throws {
        var rng = SplitMix64(seed: 3)
        for trial in 0..<40 {
            let rank = trial % 2 + 1
            let input = (0..<rank).map { _ in Int.random(in: 3...9, using: &rng) }
            let kernel = input.map { Int.random(in: 1...min(3, $0), using: &rng) }
            let strides = (0..<rank).map { _ in Int.random(in: 1...3, using: &rng) }
            let dilations = zip(input, kernel).map { $1 == 1 ? 1 : Int.random(in: 1...max(1, ($0 - 1) / ($1 - 1) / 2), using: &rng) }
            let pads = kernel.map { Int.random(in: 0..<$0, using: &rng) } + kernel.map { Int.random(in: 0..<$0, using: &rng) }
            let ceil = Bool.random(using: &rng)
            let includePad = Bool.random(using: &rng)
            let g = try PoolingGeometry(batch: 1, channels: 2, inputSpatialShape: input, kernelSpatialShape: kernel,
                                        strides: strides, dilations: dilations, padding: .onnx(pads), ceilMode: ceil)
            let x = [Float].random(g.inputCount, using: &rng)
            var maxY = [Float](repeating: .nan, count: g.outputCount)
            var avgY = maxY
            Kernels.maxPool(g, input: x, output: &maxY)
            Kernels.averagePool(g, countIncludePad: includePad, input: x, output: &avgY)
            let (expectedMax, expectedAverage) = referencePool(g, x, countIncludePad: includePad)
            #expect(maxY == expectedMax, "trial \(trial)")
            #expect(maxRelativeError(avgY, expectedAverage) < 1e-6, "trial \(trial)")
        }
    }

    /// Direct definition: window taps clipped to the padded input; no window starts in the end pad.
    func referencePool(_ g: PoolingGeometry, _ x: [Float], countIncludePad: Bool) -> ([Float], [Float]) {
        let p = g.plane
        var maxes: [Float] = [], averages: [Float] = []
        for plane in 0..<(g.batch * g.channels) {
            for oh in 0..<p.outputHeight {
                for ow in 0..<p.outputWidth {
                    var best = -Float.infinity, sum: Float = 0, inside = 0, padded = 0
                    for kh in 0..<p.kernelHeight {
                        for kw in 0..<p.kernelWidth {
                            let ih = oh * p.strideHeight - p.padTop + kh * p.dilationHeight
                            let iw = ow * p.strideWidth - p.padLeft + kw * p.dilationWidth
                            guard ih < p.inputHeight + p.padBottom, iw < p.inputWidth + p.padRight else { continue }
                            padded += 1
                            guard ih >= 0, ih < p.inputHeight, iw >= 0, iw < p.inputWidth else { continue }
                            let v = x[plane * p.inputSize + ih * p.inputWidth + iw]
                            best = max(best, v)
                            sum += v
                            inside += 1
                        }
                    }
                    maxes.append(best)
                    averages.append(sum / Float(countIncludePad ? padded : inside))
                }
            }
        }
        return (maxes, averages)
    }

    @Test func pairwiseMaxPoolingMatchesDirectDefinition() throws {
        var rng = SplitMix64(seed: 17)
        for trial in 0..<30 {
            let height = Int.random(in: 2...12, using: &rng), width = Int.random(in: 2...41, using: &rng)
            let kernelHeight = Int.random(in: 1...min(3, height), using: &rng)
            let pads = [Int.random(in: 0..<kernelHeight, using: &rng), Int.random(in: 0...1, using: &rng),
                        Int.random(in: 0..<kernelHeight, using: &rng), Int.random(in: 0...1, using: &rng)]
            let g = try PoolingGeometry(batch: 2, channels: 3, inputSpatialShape: [height, width],
                                        kernelSpatialShape: [kernelHeight, 2], strides: [Int.random(in: 1...2, using: &rng), 2],
                                        padding: .onnx(pads), ceilMode: Bool.random(using: &rng))
            let x = [Float].random(g.inputCount, using: &rng)
            var y = [Float](repeating: .nan, count: g.outputCount)
            Kernels.maxPool(g, input: x, output: &y)
            #expect(y == referencePool(g, x, countIncludePad: false).0, "trial \(trial): \(g.inputSpatialShape) pads \(pads)")
        }
    }

    @Test func maxPoolPropagatesNaN() throws {
        let g = try PoolingGeometry(batch: 1, channels: 1, inputSpatialShape: [2, 16], kernelSpatialShape: [2, 2], strides: [2, 2])
        var x = [Float](repeating: 1, count: 32)
        x[3] = .nan  // window 1, first row
        x[16 + 8] = .nan  // window 4, second row
        var y = [Float](repeating: 0, count: 8)
        Kernels.maxPool(g, input: x, output: &y)
        #expect(y.enumerated().allSatisfy { i, v in [1, 4].contains(i) ? v.isNaN : v == 1 })
        var indices = [Int64](repeating: 0, count: 8)
        Kernels.maxPool(g, input: x, output: &y, indices: &indices)
        #expect(y[1].isNaN && indices[1] == 3 && indices[4] == 24)
    }

    @Test func globalAveragePoolAveragesEachPlane() {
        var rng = SplitMix64(seed: 5)
        for size in [1, 7, 8, 9, 49, 196] {
            let x = [Float].random(3 * size, using: &rng)
            var y = [Float](repeating: .nan, count: 3)
            Kernels.globalAveragePool(planes: 3, planeSize: size, input: x, output: &y)
            let expected = (0..<3).map { p in x[(p * size)..<((p + 1) * size)].reduce(0, +) / Float(size) }
            #expect(maxRelativeError(y, expected) < 1e-6, "size \(size)")
        }
    }
}

@Suite struct ActivationTests {
    @Test func reluAndClipMatchScalarDefinitionInPlace() {
        var rng = SplitMix64(seed: 23)
        for count in [0, 1, 7, 8, 9, 100] {
            var x = [Float].random(count, using: &rng)
            if count > 3 { x[2] = .nan; x[3] = -.infinity }
            var relu = x
            relu.withUnsafeMutableBufferPointer { Kernels.relu(count: count, input: $0.baseAddress!, output: $0.baseAddress!) }
            var clipped = [Float](repeating: 0, count: count)
            Kernels.clip(count: count, input: x, output: &clipped, lower: -0.5, upper: 0.25)
            for i in 0..<count {
                #expect(x[i].isNaN ? relu[i].isNaN : relu[i] == max(x[i], 0), "relu at \(i) of \(count)")
                #expect(x[i].isNaN ? clipped[i].isNaN : clipped[i] == min(max(x[i], -0.5), 0.25), "clip at \(i) of \(count)")
            }
        }
    }
}
