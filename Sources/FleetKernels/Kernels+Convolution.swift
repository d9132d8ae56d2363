extension Kernels {
    /// Number of `Float`s of workspace `conv` needs for this geometry (0 for pointwise convolutions),
    /// so that the caller can plan its memory once.
    public static func convWorkspaceCount(_ geometry: ConvolutionGeometry) -> Int {
        if Winograd.applies(geometry) { return Winograd.workspaceCount(geometry) }
        if DirectConvolution.applies(geometry) { return DirectConvolution.workspaceCount(geometry) }
        return geometry.plane.isPointwise ? 0 : geometry.columnRows * geometry.plane.outputSize
    }

    /// Float convolution (ONNX `Conv`): NCHW input, OIHW weights, optional bias per output channel.
    ///
    /// 3x3 kernels with unit strides and dilations and four or more channels per group use Winograd's
    /// F(2x2, 3x3) (results differ from direct summation by float rounding only); other convolutions
    /// with unit width stride run directly over zero-padded planes; the rest unfold the input (im2col)
    /// and multiply with `sgemm`.
    ///
    /// - Parameters:
    ///   - input: `geometry.inputCount` values.
    ///   - weights: `geometry.weightCount` values, `[outputChannels, inputChannels / group, kernel...]`.
    ///   - bias: `outputChannels` values or `nil`.
    ///   - output: `geometry.outputCount` values, overwritten.
    ///   - workspace: at least `convWorkspaceCount(geometry)` values (may be `nil` when that is 0).
    /// The caller owns every buffer; no allocation. `output` must not overlap the other buffers.
    public static func conv(
        _ geometry: ConvolutionGeometry, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>?
    ) {
        let g = geometry.plane
        let groupIn = geometry.groupInputChannels
        let groupOut = geometry.groupOutputChannels
        let rows = geometry.columnRows
        let pixels = g.outputSize
        precondition(g.isPointwise || workspace != nil || rows * pixels == 0, "conv: workspace missing")
        if Winograd.applies(geometry), let workspace {
            Winograd.conv(geometry, input: input, weights: weights, bias: bias, output: output, workspace: workspace)
            return
        }
        if DirectConvolution.applies(geometry), let workspace {
            DirectConvolution.conv(geometry, input: input, weights: weights, bias: bias, output: output, workspace: workspace)
            return
        }
        for image in 0..<geometry.batch {
            for group in 0..<geometry.group {
                let x = input + (image * geometry.inputChannels + group * groupIn) * g.inputSize
                let y = output + (image * geometry.outputChannels + group * groupOut) * pixels
                let w = weights + group * groupOut * rows
                var beta: Float = 0
                if let bias {
                    for channel in 0..<groupOut {
                        (y + channel * pixels).update(repeating: bias[group * groupOut + channel], count: pixels)
                    }
                    beta = 1
                }
                let columns: UnsafePointer<Float>
                if g.isPointwise {
                    columns = x
                } else {
                    im2col(g, channels: groupIn, input: x, columns: workspace!)
                    columns = UnsafePointer(workspace!)
                }
                sgemm(transA: false, transB: false, m: groupOut, n: pixels, k: rows, alpha: 1,
                      a: w, lda: rows, b: columns, ldb: pixels, beta: beta, c: y, ldc: pixels)
            }
        }
    }

    /// Unfolds `channels` planes into a `[channels * kernel, outputHeight * outputWidth]` matrix;
    /// taps in the padding get `padValue`. `copy(destination, source, count)` moves a contiguous run.
    @inline(__always)
    static func im2col<Element, Column>(
        _ g: PlaneGeometry, channels: Int, input: UnsafePointer<Element>, columns: UnsafeMutablePointer<Column>,
        padValue: Column, convert: (Element) -> Column,
        copy: (UnsafeMutablePointer<Column>, UnsafePointer<Element>, Int) -> Void
    ) {
        var out = columns
        let outputWidth = g.outputWidth
        for channel in 0..<channels {
            let plane = input + channel &* g.inputSize
            for kh in 0..<g.kernelHeight {
                for kw in 0..<g.kernelWidth {
                    let start = kw &* g.dilationWidth &- g.padLeft
                    // Output columns whose tap lies inside the row: first..<last.
                    let first: Int, last: Int
                    if g.strideWidth == 1 {
                        first = min(outputWidth, max(0, -start))
                        last = max(first, min(outputWidth, g.inputWidth &- start))
                    } else {
                        first = min(outputWidth, max(0, (-start + g.strideWidth - 1) / g.strideWidth))
                        last = max(first, min(outputWidth, (g.inputWidth - start + g.strideWidth - 1) / g.strideWidth))
                    }
                    for oh in 0..<g.outputHeight {
                        let ih = oh &* g.strideHeight &- g.padTop &+ kh &* g.dilationHeight
                        if ih < 0 || ih >= g.inputHeight {
                            out.update(repeating: padValue, count: outputWidth)
                        } else {
                            let source = plane + (ih &* g.inputWidth &+ start)
                            out.update(repeating: padValue, count: first)
                            if g.strideWidth == 1 {
                                copy(out + first, source + first, last &- first)
                            } else {
                                var ow = first
                                while ow < last {
                                    out[ow] = convert(source[ow &* g.strideWidth])
                                    ow &+= 1
                                }
                            }
                            (out + last).update(repeating: padValue, count: outputWidth &- last)
                        }
                        out += outputWidth
                    }
                }
            }
        }
    }

    static func im2col(_ g: PlaneGeometry, channels: Int, input: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>) {
        im2col(g, channels: channels, input: input, columns: columns, padValue: 0, convert: { $0 }) {
            $0.update(from: $1, count: $2)
        }
    }
}
