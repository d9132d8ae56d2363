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
        // Windows two wide with stride two (the usual 2x2/2 pooling) go eight outputs at a time.
        let pairs = indices == nil && g.kernelWidth == 2 && g.strideWidth == 2 && g.dilationWidth == 1
        let pairStart = min(g.outputWidth, (g.padLeft + 1) / 2)
        let pairEnd = max(pairStart, min(g.outputWidth, (g.inputWidth - 2 + g.padLeft) / 2 + 1))
        for plane in 0..<(geometry.batch * geometry.channels) {
            let x = input + plane * g.inputSize
            let y = output + plane * g.outputSize
            for oh in 0..<g.outputHeight {
                let h0 = oh * g.strideHeight - g.padTop
                let rows = PoolingWindow(start: h0, kernel: g.kernelHeight, dilation: g.dilationHeight, size: g.inputHeight)
                let out = y + oh * g.outputWidth
                var ow = 0
                if pairs && rows.upper > rows.lower {
                    while ow < pairStart {
                        out[ow] = maxTap(x, g, rows, ow)
                        ow += 1
                    }
                    while ow + 4 <= pairEnd {
                        let column = ow * 2 - g.padLeft
                        var row = x + rows.first(h0, g) * g.inputWidth + column
                        var low: SIMD4<Float> = row.vector(), high: SIMD4<Float> = row.vector(at: 4)
                        var kh = rows.lower + 1
                        while kh < rows.upper {
                            row += g.dilationHeight * g.inputWidth
                            low = maximum(low, row.vector())
                            high = maximum(high, row.vector(at: 4))
                            kh += 1
                        }
                        let even = SIMD4(low[0], low[2], high[0], high[2])
                        let odd = SIMD4(low[1], low[3], high[1], high[3])
                        out.store(maximum(even, odd), at: ow)
                        ow += 4
                    }
                    while ow < pairEnd {
                        var row = x + rows.first(h0, g) * g.inputWidth + ow * 2 - g.padLeft
                        var best = pairMaximum(row[0], row[1])
                        var kh = rows.lower + 1
                        while kh < rows.upper {
                            row += g.dilationHeight * g.inputWidth
                            best = pairMaximum(best, pairMaximum(row[0], row[1]))
                            kh += 1
                        }
                        out[ow] = best
                        ow += 1
                    }
                }
                while ow < g.outputWidth {
                    if let indices {
                        let (value, index) = maxTapIndex(x, g, rows, ow)
                        out[ow] = value
                        indices[plane * g.outputSize + oh * g.outputWidth + ow] = Int64(index < 0 ? 0 : plane * g.inputSize + index)
                    } else {
                        out[ow] = maxTap(x, g, rows, ow)
                    }
                    ow += 1
                }
            }
        }
    }

    /// Lane-wise maximum that propagates NaN.
    @inline(__always)
    static func maximum<V: SIMD>(_ a: V, _ b: V) -> V where V.Scalar == Float {
        a.replacing(with: b, where: (b .> a) .| (b .!= b))
    }

    /// The larger of two values, NaN if either is NaN.
    @inline(__always)
    static func pairMaximum(_ a: Float, _ b: Float) -> Float {
        b > a || b != b ? b : a
    }

    /// The maximum over one window (padded taps ignored; NaN propagates).
    @inline(__always)
    static func maxTap(_ x: UnsafePointer<Float>, _ g: PlaneGeometry, _ rows: PoolingWindow, _ ow: Int) -> Float {
        let w0 = ow * g.strideWidth - g.padLeft
        let columns = PoolingWindow(start: w0, kernel: g.kernelWidth, dilation: g.dilationWidth, size: g.inputWidth)
        let h0 = rows.origin
        var best = -Float.infinity
        var kh = rows.lower
        while kh < rows.upper {
            let row = x + (h0 + kh * g.dilationHeight) * g.inputWidth + w0
            var kw = columns.lower
            while kw < columns.upper {
                let v = row[kw * g.dilationWidth]
                if v > best || v != v { best = v }
                kw += 1
            }
            kh += 1
        }
        return best
    }

    /// The maximum over one window and the offset of its first occurrence in the plane (-1 if none).
    static func maxTapIndex(_ x: UnsafePointer<Float>, _ g: PlaneGeometry, _ rows: PoolingWindow, _ ow: Int) -> (Float, Int) {
        let w0 = ow * g.strideWidth - g.padLeft
        let columns = PoolingWindow(start: w0, kernel: g.kernelWidth, dilation: g.dilationWidth, size: g.inputWidth)
        var best = -Float.infinity
        var index = -1
        for kh in rows.lower..<max(rows.lower, rows.upper) {
            let ih = rows.origin + kh * g.dilationHeight
            for kw in columns.lower..<max(columns.lower, columns.upper) {
                let offset = ih * g.inputWidth + w0 + kw * g.dilationWidth
                let v = x[offset]
                if index < 0 || v > best || (v != v && best == best) {
                    best = v
                    index = offset
                }
            }
        }
        return (best, index)
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

/// The taps `lower..<upper` of a pooling window starting at `origin` that fall inside `0..<size`.
struct PoolingWindow {
    let origin: Int
    let lower: Int
    let upper: Int

    @inline(__always)
    init(start: Int, kernel: Int, dilation: Int, size: Int) {
        origin = start
        // Smallest k with start + k * dilation >= 0, and first k with start + k * dilation >= size.
        lower = start >= 0 ? 0 : (-start + dilation - 1) / dilation
        upper = size - start <= 0 ? 0 : min(kernel, (size - start + dilation - 1) / dilation)
    }

    @inline(__always)
    func first(_ h0: Int, _ g: PlaneGeometry) -> Int { h0 + lower * g.dilationHeight }
}
