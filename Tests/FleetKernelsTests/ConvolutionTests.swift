import Testing
@testable import FleetKernels

@Suite struct ConvolutionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var batch = 1, inC: Int, outC: Int, group = 1
        var input: [Int], kernel: [Int]
        var strides: [Int]? = nil, dilations: [Int]? = nil
        var padding: Padding = .valid
        var bias = true
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "pointwise", inC: 3, outC: 5, input: [4, 6], kernel: [1, 1]),
        Case(name: "pointwise batch 2 no bias", batch: 2, inC: 7, outC: 9, input: [3, 3], kernel: [1, 1], bias: false),
        Case(name: "3x3 same", inC: 1, outC: 8, input: [28, 28], kernel: [3, 3], padding: .explicit(begin: [1, 1], end: [1, 1])),
        Case(name: "winograd 3x3 second layer", inC: 8, outC: 16, input: [14, 14], kernel: [3, 3], padding: .sameUpper),
        Case(name: "asymmetric pads", inC: 2, outC: 3, input: [5, 7], kernel: [3, 2], padding: .explicit(begin: [0, 2], end: [2, 1])),
        Case(name: "strides and dilations", inC: 3, outC: 4, input: [11, 9], kernel: [3, 3], strides: [2, 3],
             dilations: [2, 1], padding: .explicit(begin: [1, 1], end: [2, 0])),
        Case(name: "groups", batch: 2, inC: 6, outC: 4, group: 2, input: [6, 5], kernel: [3, 3], padding: .explicit(begin: [1, 1], end: [1, 1])),
        Case(name: "depthwise", inC: 8, outC: 8, group: 8, input: [9, 9], kernel: [3, 3], strides: [2, 2], padding: .sameLower),
        Case(name: "depthwise multiplier 2", inC: 3, outC: 6, group: 3, input: [7, 8], kernel: [5, 5], dilations: [1, 2],
             padding: .explicit(begin: [2, 4], end: [2, 4])),
        Case(name: "1-D", batch: 3, inC: 4, outC: 5, input: [17], kernel: [3], strides: [2], padding: .explicit(begin: [1], end: [0])),
        Case(name: "1-D dilated groups", inC: 4, outC: 2, group: 2, input: [20], kernel: [4], dilations: [3], padding: .sameUpper),
        Case(name: "kernel equals input", inC: 2, outC: 3, input: [4, 4], kernel: [4, 4]),
        Case(name: "pointwise strided", inC: 3, outC: 2, input: [7, 7], kernel: [1, 1], strides: [2, 2]),
        Case(name: "wide output tail", inC: 1, outC: 5, input: [3, 13], kernel: [1, 3]),
        Case(name: "height stride only", batch: 2, inC: 2, outC: 5, input: [9, 10], kernel: [3, 2], strides: [3, 1],
             dilations: [1, 2], padding: .explicit(begin: [2, 1], end: [0, 3])),
        // 3x3, unit strides, four or more channels per group: the Winograd path.
        Case(name: "winograd odd output asymmetric pads", inC: 5, outC: 6, input: [9, 11], kernel: [3, 3],
             padding: .explicit(begin: [1, 0], end: [2, 1])),
        Case(name: "winograd groups batch 2", batch: 2, inC: 8, outC: 8, group: 2, input: [6, 13], kernel: [3, 3],
             padding: .explicit(begin: [1, 1], end: [1, 1])),
        Case(name: "winograd no pads no bias", inC: 4, outC: 4, input: [5, 5], kernel: [3, 3], bias: false),
        Case(name: "winograd wide rows", inC: 4, outC: 5, input: [3, 30], kernel: [3, 3], padding: .sameUpper),
        Case(name: "winograd large pads", inC: 4, outC: 4, input: [4, 4], kernel: [3, 3],
             padding: .explicit(begin: [2, 2], end: [2, 2])),
    ]

    @Test(arguments: cases)
    func matchesDirectConvolution(_ c: Case) throws {
        let g = try ConvolutionGeometry(
            batch: c.batch, inputChannels: c.inC, outputChannels: c.outC, group: c.group,
            inputSpatialShape: c.input, kernelSpatialShape: c.kernel, strides: c.strides, dilations: c.dilations,
            padding: c.padding)
        var rng = SplitMix64(seed: UInt64(c.name.utf8.count * 31 + c.inC))
        let x = [Float].random(g.inputCount, using: &rng)
        let w = [Float].random(g.weightCount, using: &rng)
        let bias: [Float]? = c.bias ? .random(c.outC, using: &rng) : nil
        var workspace = [Float](repeating: .nan, count: max(1, Kernels.convWorkspaceCount(g)))
        var y = [Float](repeating: .nan, count: g.outputCount)
        y.withUnsafeMutableBufferPointer { y in
            workspace.withUnsafeMutableBufferPointer { ws in
                if let bias {
                    Kernels.conv(g, input: x, weights: w, bias: bias, output: y.baseAddress!, workspace: ws.baseAddress)
                } else {
                    Kernels.conv(g, input: x, weights: w, bias: nil, output: y.baseAddress!, workspace: ws.baseAddress)
                }
            }
        }
        #expect(maxRelativeError(y, referenceConv(g, input: x, weights: w, bias: bias)) < 1e-5)
    }

    @Test func outputSizeFollowsOnnxFormula() throws {
        let g = try ConvolutionGeometry(
            batch: 1, inputChannels: 1, outputChannels: 1, inputSpatialShape: [28, 30], kernelSpatialShape: [3, 5],
            strides: [2, 3], dilations: [2, 1], padding: .onnx([1, 2, 0, 3]))
        // (28 + 1 + 0 - 5) / 2 + 1 = 13, (30 + 2 + 3 - 5) / 3 + 1 = 11
        #expect(g.outputSpatialShape == [13, 11])
        #expect(g.padsBegin == [1, 2] && g.padsEnd == [0, 3])
    }

    @Test func samePaddingPutsOddPadAtTheRightEnd() throws {
        let upper = try ConvolutionGeometry(
            batch: 1, inputChannels: 1, outputChannels: 1, inputSpatialShape: [10], kernelSpatialShape: [4],
            padding: .sameUpper)
        #expect(upper.outputSpatialShape == [10] && upper.padsBegin == [1] && upper.padsEnd == [2])
        let lower = try ConvolutionGeometry(
            batch: 1, inputChannels: 1, outputChannels: 1, inputSpatialShape: [10], kernelSpatialShape: [4],
            strides: [3], padding: .sameLower)
        // output ceil(10 / 3) = 4, total pad (4 - 1) * 3 + 4 - 10 = 3
        #expect(lower.outputSpatialShape == [4] && lower.padsBegin == [2] && lower.padsEnd == [1])
    }

    @Test func invalidGeometriesThrowTypedErrors() {
        func code(_ body: () throws -> ConvolutionGeometry) -> KernelError.Code? {
            do { _ = try body(); return nil } catch { return (error as? KernelError)?.code }
        }
        #expect(code { try ConvolutionGeometry(batch: 1, inputChannels: 3, outputChannels: 4, group: 2,
                                               inputSpatialShape: [5, 5], kernelSpatialShape: [3, 3]) } == .invalidGroup)
        #expect(code { try ConvolutionGeometry(batch: 1, inputChannels: 1, outputChannels: 1,
                                               inputSpatialShape: [5, 5, 5], kernelSpatialShape: [3, 3, 3]) } == .unsupportedRank)
        #expect(code { try ConvolutionGeometry(batch: 1, inputChannels: 1, outputChannels: 1,
                                               inputSpatialShape: [5, 5], kernelSpatialShape: [3]) } == .unsupportedRank)
        #expect(code { try ConvolutionGeometry(batch: 1, inputChannels: 1, outputChannels: 1,
                                               inputSpatialShape: [5, 5], kernelSpatialShape: [3, 3], strides: [1, 0]) } == .invalidDimension)
        #expect(code { try ConvolutionGeometry(batch: 1, inputChannels: 1, outputChannels: 1,
                                               inputSpatialShape: [5, 5], kernelSpatialShape: [3, 3], dilations: [3, 3]) } == .emptyOutput)
        #expect(code { try ConvolutionGeometry(batch: 1, inputChannels: 1, outputChannels: 1, inputSpatialShape: [5, 5],
                                               kernelSpatialShape: [3, 3], padding: .explicit(begin: [0, -1], end: [0, 0])) } == .invalidDimension)
        #expect(code { try ConvolutionGeometry(batch: 1, inputChannels: 0, outputChannels: 1,
                                               inputSpatialShape: [5, 5], kernelSpatialShape: [3, 3]) } == .invalidDimension)
    }

    @Test func pointwiseNeedsNoWorkspace() throws {
        let g = try ConvolutionGeometry(batch: 1, inputChannels: 4, outputChannels: 4, inputSpatialShape: [3, 3],
                                        kernelSpatialShape: [1, 1])
        #expect(Kernels.convWorkspaceCount(g) == 0)
        #expect(Kernels.integerConvWorkspaceByteCount(g) == 0)
        let strided = try ConvolutionGeometry(batch: 1, inputChannels: 3, outputChannels: 4, inputSpatialShape: [3, 3],
                                              kernelSpatialShape: [3, 3], strides: [2, 2], padding: .sameUpper)
        #expect(Kernels.convWorkspaceCount(strided) == 3 * 9 * 4)
    }

    @Test func casesTakeTheIntendedPath() throws {
        for c in Self.cases {
            let g = try ConvolutionGeometry(
                batch: c.batch, inputChannels: c.inC, outputChannels: c.outC, group: c.group,
                inputSpatialShape: c.input, kernelSpatialShape: c.kernel, strides: c.strides, dilations: c.dilations,
                padding: c.padding)
            #expect(Winograd.applies(g) == c.name.hasPrefix("winograd"), "\(c.name)")
            // Every other non-pointwise case with unit width stride takes the direct path.
            let direct = !c.name.hasPrefix("winograd") && !c.name.hasPrefix("pointwise") && (c.strides?.last ?? 1) == 1
            #expect(DirectConvolution.applies(g) == direct, "\(c.name)")
        }
    }
}
