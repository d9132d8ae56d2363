import Testing
@testable import FleetKernels

/// Int8/uint8 test data: values as Int32 plus the typed bytes handed to the kernels.
struct QuantizedData {
    var signed: Bool
    var values: [Int32]
    var int8: [Int8] { values.map { Int8($0) } }
    var uint8: [UInt8] { values.map { UInt8($0) } }
    var range: ClosedRange<Int32> { signed ? -128...127 : 0...255 }

    static func random(_ count: Int, signed: Bool, using rng: inout SplitMix64) -> QuantizedData {
        let range: ClosedRange<Int32> = signed ? -128...127 : 0...255
        // Extremes appear often so that sign and zero-extension bugs show.
        let values = (0..<count).map { _ -> Int32 in
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: range.lowerBound
            case 1: range.upperBound
            default: Int32.random(in: range, using: &rng)
            }
        }
        return QuantizedData(signed: signed, values: values)
    }

    func withPointer<R>(_ body: (QuantizedPointer) -> R) -> R {
        if signed {
            int8.withUnsafeBufferPointer { body(.int8($0.baseAddress!)) }
        } else {
            uint8.withUnsafeBufferPointer { body(.uint8($0.baseAddress!)) }
        }
    }
}

/// Runs `body` with a writable 8-bit output of `count` elements and returns its values.
func withQuantizedOutput(count: Int, signed: Bool, _ body: (QuantizedMutablePointer) -> Void) -> [Int32] {
    if signed {
        var out = [Int8](repeating: 99, count: count)
        out.withUnsafeMutableBufferPointer { body(.int8($0.baseAddress!)) }
        return out.map(Int32.init)
    } else {
        var out = [UInt8](repeating: 99, count: count)
        out.withUnsafeMutableBufferPointer { body(.uint8($0.baseAddress!)) }
        return out.map(Int32.init)
    }
}

/// Requantization as ONNX defines it, with the multiplier formed the way the kernels form it.
func referenceRequantize(_ acc: Int32, multiplier: Float, zeroPoint: Int32, signed: Bool) -> Int32 {
    let scaled = (Float(acc) * multiplier).rounded(.toNearestOrEven)
    let range: ClosedRange<Float> = signed ? -128...127 : 0...255
    return Int32(min(max(scaled + Float(zeroPoint), range.lowerBound), range.upperBound))
}

@Suite struct IntegerMatMulTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        var m: Int, n: Int, k: Int, aSigned: Bool, bSigned: Bool, perChannel: Bool
        var testDescription: String { "m\(m) n\(n) k\(k) a\(aSigned ? "s8" : "u8") b\(bSigned ? "s8" : "u8") \(perChannel ? "per-channel" : "per-tensor")" }
    }

    static let shapes: [Shape] = {
        var shapes: [Shape] = []
        for (i, (m, n, k)) in [(1, 1, 1), (1, 256, 64), (1, 10, 256), (3, 7, 5), (4, 8, 9), (6, 17, 33), (9, 3, 300), (1, 13, 1000), (5, 70, 19), (2, 45, 8)].enumerated() {
            for aSigned in [false, true] {
                for bSigned in [false, true] {
                    shapes.append(Shape(m: m, n: n, k: k, aSigned: aSigned, bSigned: bSigned, perChannel: i % 2 == 1))
                }
            }
        }
        return shapes
    }()

    @Test(arguments: shapes)
    func matMulIntegerMatchesNaiveProduct(_ s: Shape) {
        var rng = SplitMix64(seed: UInt64(s.m * 7919 + s.n * 31 + s.k))
        let lda = s.k + 3, ldb = s.n + 1, ldc = s.n + 2
        let a = QuantizedData.random(s.m * lda, signed: s.aSigned, using: &rng)
        let b = QuantizedData.random(s.k * ldb, signed: s.bSigned, using: &rng)
        let aZero = QuantizedData.random(s.perChannel ? s.m : 1, signed: s.aSigned, using: &rng).values
        let bZero = QuantizedData.random(s.perChannel ? s.n : 1, signed: s.bSigned, using: &rng).values
        var expected = [Int32](repeating: -7, count: s.m * ldc)
        for i in 0..<s.m {
            for j in 0..<s.n {
                var sum: Int32 = 0
                for p in 0..<s.k {
                    sum += (a.values[i * lda + p] - aZero[s.perChannel ? i : 0]) * (b.values[p * ldb + j] - bZero[s.perChannel ? j : 0])
                }
                expected[i * ldc + j] = sum
            }
        }
        var c = [Int32](repeating: -7, count: s.m * ldc)
        aZero.withUnsafeBufferPointer { az in
            bZero.withUnsafeBufferPointer { bz in
                a.withPointer { ap in
                    b.withPointer { bp in
                        Kernels.matMulInteger(
                            m: s.m, n: s.n, k: s.k, a: ap, lda: lda,
                            aZeroPoint: s.perChannel ? .channels(az.baseAddress!) : .tensor(az[0]),
                            b: bp, ldb: ldb, bZeroPoint: s.perChannel ? .channels(bz.baseAddress!) : .tensor(bz[0]),
                            c: &c, ldc: ldc)
                    }
                }
            }
        }
        #expect(c == expected)
    }

    @Test(arguments: shapes)
    func qlinearMatMulMatchesRequantizedProduct(_ s: Shape) {
        var rng = SplitMix64(seed: UInt64(s.m * 31 + s.n * 7 + s.k))
        let a = QuantizedData.random(s.m * s.k, signed: s.aSigned, using: &rng)
        let b = QuantizedData.random(s.k * s.n, signed: s.bSigned, using: &rng)
        let aZero = QuantizedData.random(s.perChannel ? s.m : 1, signed: s.aSigned, using: &rng).values
        let bZero = QuantizedData.random(s.perChannel ? s.n : 1, signed: s.bSigned, using: &rng).values
        let aScale = (0..<(s.perChannel ? s.m : 1)).map { _ in Float.random(in: 0.001...0.05, using: &rng) }
        let bScale = (0..<(s.perChannel ? s.n : 1)).map { _ in Float.random(in: 0.001...0.05, using: &rng) }
        // Large enough that most outputs land inside the range, small enough that some saturate.
        let yScale = Float(s.k).squareRoot() * 0.02 * 0.025 * 100 / 60
        let ySigned = s.aSigned != s.bSigned
        let yZero: Int32 = ySigned ? -3 : 131
        var expected: [Int32] = []
        for i in 0..<s.m {
            for j in 0..<s.n {
                var sum: Int32 = 0
                for p in 0..<s.k {
                    sum += (a.values[i * s.k + p] - aZero[s.perChannel ? i : 0]) * (b.values[p * s.n + j] - bZero[s.perChannel ? j : 0])
                }
                let multiplier = aScale[s.perChannel ? i : 0] * bScale[s.perChannel ? j : 0] / yScale
                expected.append(referenceRequantize(sum, multiplier: multiplier, zeroPoint: yZero, signed: ySigned))
            }
        }
        let y = withQuantizedOutput(count: s.m * s.n, signed: ySigned) { yp in
            aZero.withUnsafeBufferPointer { az in
                bZero.withUnsafeBufferPointer { bz in
                    aScale.withUnsafeBufferPointer { asc in
                        bScale.withUnsafeBufferPointer { bsc in
                            a.withPointer { ap in
                                b.withPointer { bp in
                                    Kernels.qlinearMatMul(
                                        m: s.m, n: s.n, k: s.k, a: ap, lda: s.k,
                                        aScale: s.perChannel ? .channels(asc.baseAddress!) : .tensor(asc[0]),
                                        aZeroPoint: s.perChannel ? .channels(az.baseAddress!) : .tensor(az[0]),
                                        b: bp, ldb: s.n,
                                        bScale: s.perChannel ? .channels(bsc.baseAddress!) : .tensor(bsc[0]),
                                        bZeroPoint: s.perChannel ? .channels(bz.baseAddress!) : .tensor(bz[0]),
                                        yScale: yScale, yZeroPoint: yZero, y: yp, ldy: s.n)
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(y == expected)
    }

    /// Runs a 1 x n x 1 product `a * b` with the given parameters and returns the 8-bit outputs.
    func singleColumnProduct(
        a: Int8, aZero: Int32, b: [Int8], bScale: Float, yScale: Float, yZero: Int32, signed: Bool
    ) -> [Int32] {
        withQuantizedOutput(count: b.count, signed: signed) { yp in
            withUnsafePointer(to: a) { ap in
                b.withUnsafeBufferPointer { bp in
                    Kernels.qlinearMatMul(m: 1, n: b.count, k: 1, a: .int8(ap), lda: 1, aScale: .tensor(1),
                                          aZeroPoint: .tensor(aZero), b: .int8(bp.baseAddress!), ldb: b.count,
                                          bScale: .tensor(bScale), bZeroPoint: .tensor(0),
                                          yScale: yScale, yZeroPoint: yZero, y: yp, ldy: b.count)
                }
            }
        }
    }

    @Test func requantizationRoundsHalfToEvenAndSaturates() {
        // Multiplier 0.5 makes every odd product a tie.
        let b: [Int8] = [1, 3, 5, -1, -3, -5, 7, 127, -128, 0, 2]
        let halves: [Int32] = [0, 2, 2, 0, -2, -2, 4, 64, -64, 0, 1]
        for signed in [true, false] {
            let zero: Int32 = signed ? 0 : 128
            let y = singleColumnProduct(a: 1, aZero: 0, b: b, bScale: 0.5, yScale: 1, yZero: zero, signed: signed)
            #expect(y == halves.map { $0 + zero })
        }
        // (127 + 128) * 127 / 0.5 and (127 + 128) * -128 / 0.5 saturate at both ends of both types.
        for signed in [true, false] {
            let y = singleColumnProduct(a: 127, aZero: -128, b: [127, -128], bScale: 1, yScale: 0.5,
                                        yZero: signed ? 0 : 10, signed: signed)
            #expect(y == (signed ? [127, -128] : [255, 0]))
        }
    }

    @Test func uint8OperandsAreZeroExtended() {
        var c: [Int32] = [0, 0]
        let a: [UInt8] = [200, 255]
        let b: [UInt8] = [255, 128, 1, 129]
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                Kernels.matMulInteger(m: 1, n: 2, k: 2, a: .uint8(ap.baseAddress!), lda: 2, aZeroPoint: .tensor(255),
                                      b: .uint8(bp.baseAddress!), ldb: 2, bZeroPoint: .tensor(128), c: &c, ldc: 2)
            }
        }
        // (200 - 255) * (255 - 128) + 0 * (1 - 128), (200 - 255) * 0 + 0 * (129 - 128)
        #expect(c == [-55 * 127, 0])
    }
}

@Suite struct IntegerConvolutionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var inC: Int, outC: Int, group = 1
        var input: [Int], kernel: [Int]
        var strides: [Int]? = nil, dilations: [Int]? = nil
        var padding: Padding = .valid
        var xSigned: Bool, wSigned: Bool, perChannel: Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "pointwise u8/s8", inC: 3, outC: 5, input: [4, 6], kernel: [1, 1], xSigned: false, wSigned: true, perChannel: true),
        Case(name: "3x3 padded u8/u8", inC: 2, outC: 4, input: [7, 7], kernel: [3, 3], padding: .sameUpper,
             xSigned: false, wSigned: false, perChannel: false),
        Case(name: "strided dilated s8/s8", inC: 3, outC: 2, input: [9, 10], kernel: [3, 2], strides: [2, 1], dilations: [2, 3],
             padding: .explicit(begin: [1, 0], end: [2, 2]), xSigned: true, wSigned: true, perChannel: true),
        Case(name: "depthwise s8/u8", inC: 4, outC: 4, group: 4, input: [6, 6], kernel: [3, 3],
             padding: .explicit(begin: [1, 1], end: [1, 1]), xSigned: true, wSigned: false, perChannel: true),
        Case(name: "groups 1-D", inC: 4, outC: 6, group: 2, input: [15], kernel: [3], strides: [2], padding: .sameLower,
             xSigned: false, wSigned: true, perChannel: false),
    ]

    @Test(arguments: cases)
    func integerConvolutionsMatchDirectDefinition(_ c: Case) throws {
        let g = try ConvolutionGeometry(
            batch: 2, inputChannels: c.inC, outputChannels: c.outC, group: c.group, inputSpatialShape: c.input,
            kernelSpatialShape: c.kernel, strides: c.strides, dilations: c.dilations, padding: c.padding)
        var rng = SplitMix64(seed: UInt64(c.name.utf8.count))
        let x = QuantizedData.random(g.inputCount, signed: c.xSigned, using: &rng)
        let w = QuantizedData.random(g.weightCount, signed: c.wSigned, using: &rng)
        let xZero = QuantizedData.random(1, signed: c.xSigned, using: &rng).values[0]
        let wZero = QuantizedData.random(c.perChannel ? c.outC : 1, signed: c.wSigned, using: &rng).values
        let wScale = (0..<(c.perChannel ? c.outC : 1)).map { _ in Float.random(in: 0.002...0.02, using: &rng) }
        let bias = (0..<c.outC).map { _ in Int32.random(in: -3000...3000, using: &rng) }
        let xScale: Float = 0.03

        // Direct definition: pads take the input zero point, so they contribute nothing.
        let p = g.plane
        var accumulators = [Int32](repeating: 0, count: g.outputCount)
        for n in 0..<g.batch {
            for oc in 0..<g.outputChannels {
                let group = oc / g.groupOutputChannels
                for oh in 0..<p.outputHeight {
                    for ow in 0..<p.outputWidth {
                        var sum: Int32 = 0
                        for ci in 0..<g.groupInputChannels {
                            let ic = group * g.groupInputChannels + ci
                            for kh in 0..<p.kernelHeight {
                                for kw in 0..<p.kernelWidth {
                                    let ih = oh * p.strideHeight - p.padTop + kh * p.dilationHeight
                                    let iw = ow * p.strideWidth - p.padLeft + kw * p.dilationWidth
                                    guard ih >= 0, ih < p.inputHeight, iw >= 0, iw < p.inputWidth else { continue }
                                    let xv = x.values[((n * g.inputChannels + ic) * p.inputHeight + ih) * p.inputWidth + iw] - xZero
                                    let wv = w.values[((oc * g.groupInputChannels + ci) * p.kernelHeight + kh) * p.kernelWidth + kw]
                                        - wZero[c.perChannel ? oc : 0]
                                    sum += xv * wv
                                }
                            }
                        }
                        accumulators[((n * g.outputChannels + oc) * p.outputHeight + oh) * p.outputWidth + ow] = sum
                    }
                }
            }
        }
        let ySigned = c.wSigned
        let yZero: Int32 = ySigned ? 5 : 120
        // The largest accumulator maps to about 150 steps: a few outputs saturate, most do not.
        let largest = accumulators.map { abs($0) }.max() ?? 1
        let yScale = Float(largest) * xScale * wScale.reduce(0, +) / Float(wScale.count) / 150
        let expectedQuantized = accumulators.enumerated().map { index, acc in
            let oc = index / p.outputSize % g.outputChannels
            let multiplier = wScale[c.perChannel ? oc : 0] * xScale / yScale
            return referenceRequantize(acc + bias[oc], multiplier: multiplier, zeroPoint: yZero, signed: ySigned)
        }

        var workspace = [UInt8](repeating: 0xA5, count: max(1, Kernels.integerConvWorkspaceByteCount(g)))
        var integerOutput = [Int32](repeating: -1, count: g.outputCount)
        let quantizedOutput = withQuantizedOutput(count: g.outputCount, signed: ySigned) { yp in
            wZero.withUnsafeBufferPointer { wz in
                wScale.withUnsafeBufferPointer { ws in
                    x.withPointer { xp in
                        w.withPointer { wp in
                            workspace.withUnsafeMutableBytes { scratch in
                                let zero: QuantizationParameter<Int32> = c.perChannel ? .channels(wz.baseAddress!) : .tensor(wz[0])
                                Kernels.convInteger(g, input: xp, inputZeroPoint: xZero, weights: wp, weightZeroPoint: zero,
                                                    output: &integerOutput, workspace: scratch.baseAddress)
                                Kernels.qlinearConv(
                                    g, input: xp, inputScale: xScale, inputZeroPoint: xZero, weights: wp,
                                    weightScale: c.perChannel ? .channels(ws.baseAddress!) : .tensor(ws[0]), weightZeroPoint: zero,
                                    bias: bias, outputScale: yScale, outputZeroPoint: yZero, output: yp,
                                    workspace: scratch.baseAddress)
                            }
                        }
                    }
                }
            }
        }
        #expect(integerOutput == accumulators)
        #expect(quantizedOutput == expectedQuantized)
        let saturated = quantizedOutput.filter { $0 == (ySigned ? -128 : 0) || $0 == (ySigned ? 127 : 255) }.count
        #expect(saturated < quantizedOutput.count / 2, "scales leave most outputs unsaturated")
    }
}
