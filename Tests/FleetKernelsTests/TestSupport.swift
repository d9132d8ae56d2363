@testable import FleetKernels

/// A seeded generator so that failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476C_E5B9_E1D9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array where Element == Float {
    static func random(_ count: Int, using rng: inout SplitMix64) -> [Float] {
        (0..<count).map { _ in Float.random(in: -1...1, using: &rng) }
    }
}

/// Largest difference relative to `max(1, |expected|)`.
func maxRelativeError(_ actual: [Float], _ expected: [Float]) -> Float {
    precondition(actual.count == expected.count)
    var worst: Float = 0
    for (x, y) in zip(actual, expected) {
        if x.isNaN != y.isNaN { return .infinity }
        if x.isNaN { continue }
        worst = max(worst, abs(x - y) / max(1, abs(y)))
    }
    return worst
}

/// Reference convolution, computed directly from the ONNX definition in Double.
func referenceConv(
    _ g: ConvolutionGeometry, input: [Float], weights: [Float], bias: [Float]?
) -> [Float] {
    let p = g.plane
    var out = [Float](repeating: 0, count: g.outputCount)
    let gi = g.groupInputChannels, go = g.groupOutputChannels
    for n in 0..<g.batch {
        for oc in 0..<g.outputChannels {
            let group = oc / go
            for oh in 0..<p.outputHeight {
                for ow in 0..<p.outputWidth {
                    var sum = Double(bias?[oc] ?? 0)
                    for c in 0..<gi {
                        let ic = group * gi + c
                        for kh in 0..<p.kernelHeight {
                            for kw in 0..<p.kernelWidth {
                                let ih = oh * p.strideHeight - p.padTop + kh * p.dilationHeight
                                let iw = ow * p.strideWidth - p.padLeft + kw * p.dilationWidth
                                guard ih >= 0, ih < p.inputHeight, iw >= 0, iw < p.inputWidth else { continue }
                                let x = input[((n * g.inputChannels + ic) * p.inputHeight + ih) * p.inputWidth + iw]
                                let w = weights[((oc * gi + c) * p.kernelHeight + kh) * p.kernelWidth + kw]
                                sum += Double(x) * Double(w)
                            }
                        }
                    }
                    out[((n * g.outputChannels + oc) * p.outputHeight + oh) * p.outputWidth + ow] = Float(sum)
                }
            }
        }
    }
    return out
}
