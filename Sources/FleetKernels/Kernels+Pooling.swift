extension Kernels {
    /// Max pooling (ONNX `MaxPool`): padded taps are ignored.
    ///
    /// - Parameters:
    ///   - input: `geometry.inputCount` values.
    ///   - output: `geometry.outputCount` values, overwritten.
    ///   - indices: `nil`, or `geometry.outputCount` values receiving the flat row-major index into
    ///     `input` of each maximum (the first one on ties), as ONNX's optional `Indices` output.
    /// The caller owns every buffer; no allocation.
    public static func maxPool(
        _ geometry: PoolingGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        indices: UnsafeMutablePointer<Int64>? = nil
    ) {
        let g = geometry.plane
        for plane in 0..<(geometry.batch * geometry.channels) {
            let x = input + plane * g.inputSize
            let y = output + plane * g.outputSize
            for oh in 0..<g.outputHeight {
                let h0 = oh * g.strideHeight - g.padTop
                for ow in 0..<g.outputWidth {
                    let w0 = ow * g.strideWidth - g.padLeft
                    var best = -Float.infinity
                    var bestIndex = -1
                    for kh in 0..<g.kernelHeight {
                        let ih = h0 + kh * g.dilationHeight
                        if ih < 0 || ih >= g.inputHeight { continue }
                        for kw in 0..<g.kernelWidth {
                            let iw = w0 + kw * g.dilationWidth
                            if iw < 0 || iw >= g.inputWidth { continue }
                            let value = x[ih * g.inputWidth + iw]
                            if value > best || bestIndex < 0 || (value.isNaN && !best.isNaN) {
                                best = value
                                bestIndex = ih * g.inputWidth + iw
                            }
                        }
                    }
                    y[oh * g.outputWidth + ow] = best
                    if let indices {
                        indices[plane * g.outputSize + oh * g.outputWidth + ow] =
                            Int64(bestIndex < 0 ? 0 : plane * g.inputSize + bestIndex)
                    }
                }
            }
        }
    }

    /// Average pooling (ONNX `AveragePool`).
    ///
    /// With `countIncludePad` the divisor counts the window's taps inside the padded input
    /// (taps beyond the end pads that `ceilMode` adds are not counted); otherwise only taps inside
    /// the input count. The caller owns every buffer; no allocation.
    public static func averagePool(
        _ geometry: PoolingGeometry, countIncludePad: Bool, input: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>
    ) {
        let g = geometry.plane
        let paddedHeight = g.inputHeight + g.padBottom
        let paddedWidth = g.inputWidth + g.padRight
        for plane in 0..<(geometry.batch * geometry.channels) {
            let x = input + plane * g.inputSize
            let y = output + plane * g.outputSize
            for oh in 0..<g.outputHeight {
                let h0 = oh * g.strideHeight - g.padTop
                for ow in 0..<g.outputWidth {
                    let w0 = ow * g.strideWidth - g.padLeft
                    var sum: Float = 0
                    var inside = 0
                    var padded = 0
                    for kh in 0..<g.kernelHeight {
                        let ih = h0 + kh * g.dilationHeight
                        if ih >= paddedHeight { break }
                        for kw in 0..<g.kernelWidth {
                            let iw = w0 + kw * g.dilationWidth
                            if iw >= paddedWidth { break }
                            padded += 1
                            if ih < 0 || ih >= g.inputHeight || iw < 0 || iw >= g.inputWidth { continue }
                            sum += x[ih * g.inputWidth + iw]
                            inside += 1
                        }
                    }
                    let divisor = countIncludePad ? padded : inside
                    y[oh * g.outputWidth + ow] = divisor > 0 ? sum / Float(divisor) : 0
                }
            }
        }
    }

    /// Global average pooling (ONNX `GlobalAveragePool`): the mean of each of `planes` planes of
    /// `planeSize` values (`planes = batch * channels`). The caller owns every buffer; no allocation.
    public static func globalAveragePool(
        planes: Int, planeSize: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        precondition(planes >= 0 && planeSize > 0, "globalAveragePool: empty plane")
        let vectorEnd = planeSize & ~7
        for plane in 0..<planes {
            let x = input + plane * planeSize
            var acc = SIMD8<Float>()
            var i = 0
            while i < vectorEnd {
                acc += x.vector(at: i)
                i += 8
            }
            var sum = acc.sum()
            while i < planeSize {
                sum += x[i]
                i += 1
            }
            output[plane] = sum / Float(planeSize)
        }
    }
}
