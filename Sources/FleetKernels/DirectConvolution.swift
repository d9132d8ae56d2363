/// Direct convolution for unit width stride: the input planes of a group are copied once into
/// zero-padded planes, then four output channels times eight output columns accumulate in
/// registers over every (channel, kernel row, kernel column) tap, each tap one vector load shared
/// by the four channels. The same arithmetic as im2col followed by sgemm, without the unfolded matrix.
enum DirectConvolution {
    /// True for convolutions that are not pointwise, not Winograd's, and have unit width stride.
    static func applies(_ geometry: ConvolutionGeometry) -> Bool {
        let g = geometry.plane
        return !g.isPointwise && g.strideWidth == 1 && !Winograd.applies(geometry)
    }

    /// The zero-padded copy of one input plane; the slack on the right lets the last block of
    /// eight columns load whole vectors.
    struct PaddedPlane {
        let height: Int, width: Int
        var count: Int { height * width }

        init(_ g: PlaneGeometry) {
            height = g.inputHeight + g.padTop + g.padBottom
            width = g.inputWidth + g.padLeft + g.padRight + 8
        }
    }

    static func workspaceCount(_ geometry: ConvolutionGeometry) -> Int {
        geometry.groupInputChannels * PaddedPlane(geometry.plane).count
    }

    static func conv(
        _ geometry: ConvolutionGeometry, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>
    ) {
        let g = geometry.plane
        let ci = geometry.groupInputChannels, co = geometry.groupOutputChannels
        let plane = PaddedPlane(g)
        let taps = ci * g.kernelSize
        for image in 0..<geometry.batch {
            for group in 0..<geometry.group {
                let x = input + (image * geometry.inputChannels + group * ci) * g.inputSize
                workspace.update(repeating: 0, count: ci * plane.count)
                for channel in 0..<ci {
                    for row in 0..<g.inputHeight {
                        (workspace + channel * plane.count + (row + g.padTop) * plane.width + g.padLeft)
                            .update(from: x + channel * g.inputSize + row * g.inputWidth, count: g.inputWidth)
                    }
                }
                var channel = 0
                while channel < co {
                    let rows = min(4, co - channel)
                    let first = group * co + channel
                    convolveChannels(
                        rows, g, plane, padded: workspace, inputChannels: ci,
                        weights: weights + first * taps, bias: bias.map { $0 + first },
                        output: output + (image * geometry.outputChannels + first) * g.outputSize)
                    channel += rows
                }
            }
        }
    }

    /// Up to four output channels of one image and group.
    @inline(__always)
    static func convolveChannels(
        _ rows: Int, _ g: PlaneGeometry, _ plane: PaddedPlane, padded: UnsafePointer<Float>, inputChannels: Int,
        weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD8<Float>
        let taps = inputChannels * g.kernelSize
        // Rows beyond `rows` repeat the last channel's weights and are not stored.
        let w0 = weights, w1 = weights + min(1, rows - 1) * taps
        let w2 = weights + min(2, rows - 1) * taps, w3 = weights + min(3, rows - 1) * taps
        var initial = (V(), V(), V(), V())
        if let bias {
            initial = (V(repeating: bias[0]), V(repeating: bias[min(1, rows - 1)]),
                       V(repeating: bias[min(2, rows - 1)]), V(repeating: bias[min(3, rows - 1)]))
        }
        for oh in 0..<g.outputHeight {
            let top = padded + oh * g.strideHeight * plane.width
            var ow = 0
            while ow < g.outputWidth {
                var c0 = initial.0, c1 = initial.1, c2 = initial.2, c3 = initial.3
                var tap = 0
                var channelStart = top + ow
                let rowStep = g.dilationHeight * plane.width
                for _ in 0..<inputChannels {
                    var row = channelStart
                    for _ in 0..<g.kernelHeight {
                        var p = row
                        for _ in 0..<g.kernelWidth {
                            let v: V = p.vector()
                            c0 += V(repeating: w0[tap]) * v
                            c1 += V(repeating: w1[tap]) * v
                            c2 += V(repeating: w2[tap]) * v
                            c3 += V(repeating: w3[tap]) * v
                            tap += 1
                            p += g.dilationWidth
                        }
                        row += rowStep
                    }
                    channelStart += plane.count
                }
                let count = min(8, g.outputWidth - ow)
                let out = output + oh * g.outputWidth + ow
                store(c0, out, count)
                if rows > 1 { store(c1, out + g.outputSize, count) }
                if rows > 2 { store(c2, out + 2 * g.outputSize, count) }
                if rows > 3 { store(c3, out + 3 * g.outputSize, count) }
                ow += 8
            }
        }
    }

    @inline(__always)
    static func store(_ value: SIMD8<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int) {
        if count == 8 {
            out.store(value)
        } else {
            for lane in 0..<count { out[lane] = value[lane] }
        }
    }
}
