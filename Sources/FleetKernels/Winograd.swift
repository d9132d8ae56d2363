/// Winograd F(2x2, 3x3) convolution: 3x3 kernels with unit strides and dilations, 2x2 output tiles
/// from 4x4 input tiles, 16 multiplications per tile and channel pair instead of 36.
enum Winograd {
    /// True when the geometry suits the transform and has channels enough to repay it.
    static func applies(_ geometry: ConvolutionGeometry) -> Bool {
        let g = geometry.plane
        return geometry.inputSpatialShape.count == 2 && g.kernelHeight == 3 && g.kernelWidth == 3
            && g.strideHeight == 1 && g.strideWidth == 1 && g.dilationHeight == 1 && g.dilationWidth == 1
            && geometry.groupInputChannels >= 4 && geometry.groupOutputChannels >= 4
    }

    static func tileCount(_ g: PlaneGeometry) -> Int { ((g.outputHeight + 1) / 2) * ((g.outputWidth + 1) / 2) }

    /// Floats of workspace: transformed weights, transformed input and products of one group, and
    /// one zero-padded input plane.
    static func workspaceCount(_ geometry: ConvolutionGeometry) -> Int {
        let tiles = tileCount(geometry.plane)
        let ci = geometry.groupInputChannels, co = geometry.groupOutputChannels
        return 16 * (co * ci + ci * tiles + co * tiles) + PaddedPlane(geometry.plane).count
    }

    /// An input plane copied into zeros so that every 4x4 tile, and every 12-wide load of a group of
    /// four neighbouring tiles, lies inside it.
    struct PaddedPlane {
        let height: Int, width: Int
        var count: Int { height * width }

        init(_ g: PlaneGeometry) {
            let tilesWide = (g.outputWidth + 1) / 2
            height = 2 * ((g.outputHeight + 1) / 2) + 2
            // The last group of four tiles starts at tile (tilesWide - 1) / 4 * 4 and loads 12 columns.
            width = max(2 * tilesWide + 2, 2 * ((tilesWide - 1) / 4 * 4) + 12)
        }

        func fill(_ padded: UnsafeMutablePointer<Float>, from x: UnsafePointer<Float>, _ g: PlaneGeometry) {
            padded.update(repeating: 0, count: count)
            let rows = max(0, min(g.inputHeight, height - g.padTop))
            let columns = max(0, min(g.inputWidth, width - g.padLeft))
            for row in 0..<rows {
                (padded + (row + g.padTop) * width + g.padLeft).update(from: x + row * g.inputWidth, count: columns)
            }
        }
    }

    static func conv(
        _ geometry: ConvolutionGeometry, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>
    ) {
        let g = geometry.plane
        let ci = geometry.groupInputChannels, co = geometry.groupOutputChannels
        let tilesWide = (g.outputWidth + 1) / 2
        let tiles = tileCount(g)
        let u = workspace, v = u + 16 * co * ci, products = v + 16 * ci * tiles, padded = products + 16 * co * tiles
        let plane = PaddedPlane(g)
        for group in 0..<geometry.group {
            transformWeights(weights + group * co * ci * 9, outputChannels: co, inputChannels: ci, into: u)
            for image in 0..<geometry.batch {
                let x = input + (image * geometry.inputChannels + group * ci) * g.inputSize
                let y = output + (image * geometry.outputChannels + group * co) * g.outputSize
                for channel in 0..<ci {
                    plane.fill(padded, from: x + channel * g.inputSize, g)
                    transformInput(padded, plane, g, tilesWide: tilesWide, into: v + channel * tiles, stride: ci * tiles)
                }
                for xi in 0..<16 {
                    Kernels.sgemm(transA: false, transB: false, m: co, n: tiles, k: ci, alpha: 1,
                                  a: u + xi * co * ci, lda: ci, b: v + xi * ci * tiles, ldb: tiles,
                                  beta: 0, c: products + xi * co * tiles, ldc: tiles)
                }
                for channel in 0..<co {
                    transformOutput(products + channel * tiles, stride: co * tiles, g, tilesWide: tilesWide,
                                    bias: bias?[group * co + channel] ?? 0, into: y + channel * g.outputSize)
                }
            }
        }
    }

    /// `U = G g Gᵀ` for every (output, input) channel pair, stored `[16][outputChannels][inputChannels]`.
    static func transformWeights(
        _ weights: UnsafePointer<Float>, outputChannels: Int, inputChannels: Int, into u: UnsafeMutablePointer<Float>
    ) {
        let plane = outputChannels * inputChannels
        for pair in 0..<plane {
            let w = weights + pair * 9
            // Rows of G g (4 x 3), then the same transform along each row.
            var rows = (SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>())
            for column in 0..<3 {
                let g0 = w[column], g1 = w[3 + column], g2 = w[6 + column]
                rows.0[column] = g0
                rows.1[column] = 0.5 * (g0 + g1 + g2)
                rows.2[column] = 0.5 * (g0 - g1 + g2)
                rows.3[column] = g2
            }
            func store(_ row: SIMD4<Float>, _ r: Int) {
                let g0 = row[0], g1 = row[1], g2 = row[2]
                u[(r * 4) * plane + pair] = g0
                u[(r * 4 + 1) * plane + pair] = 0.5 * (g0 + g1 + g2)
                u[(r * 4 + 2) * plane + pair] = 0.5 * (g0 - g1 + g2)
                u[(r * 4 + 3) * plane + pair] = g2
            }
            store(rows.0, 0)
            store(rows.1, 1)
            store(rows.2, 2)
            store(rows.3, 3)
        }
    }

    /// `V = Bᵀ d B` for every 4x4 tile of one zero-padded channel; element `xi` of tile `t` goes to
    /// `v[xi * stride + t]`. Four neighbouring tiles at a time, one per lane.
    @inline(__always)
    static func transformInput(
        _ x: UnsafePointer<Float>, _ plane: PaddedPlane, _ g: PlaneGeometry, tilesWide: Int,
        into v: UnsafeMutablePointer<Float>, stride: Int
    ) {
        typealias V = SIMD4<Float>
        let tilesHigh = (g.outputHeight + 1) / 2
        for th in 0..<tilesHigh {
            let top = x + 2 * th * plane.width
            var tw = 0
            while tw < tilesWide {
                let p = top + 2 * tw
                // Lane i holds tile tw + i (input columns 2i...2i+3); lanes past the row's last tile
                // read zeros or neighbours and are not stored.
                func columns(_ r: Int) -> (V, V, V, V) {
                    let row = p + r * plane.width
                    let a: V = row.vector(), b: V = row.vector(at: 4), c: V = row.vector(at: 8)
                    return (V(a[0], a[2], b[0], b[2]), V(a[1], a[3], b[1], b[3]),
                            V(a[2], b[0], b[2], c[0]), V(a[3], b[1], b[3], c[1]))
                }
                let d0 = columns(0), d1 = columns(1), d2 = columns(2), d3 = columns(3)
                // Bᵀ d: rows.
                let t0 = (d0.0 - d2.0, d0.1 - d2.1, d0.2 - d2.2, d0.3 - d2.3)
                let t1 = (d1.0 + d2.0, d1.1 + d2.1, d1.2 + d2.2, d1.3 + d2.3)
                let t2 = (d2.0 - d1.0, d2.1 - d1.1, d2.2 - d1.2, d2.3 - d1.3)
                let t3 = (d1.0 - d3.0, d1.1 - d3.1, d1.2 - d3.2, d1.3 - d3.3)
                let tile = th * tilesWide + tw
                let lanes = min(4, tilesWide - tw)
                func store(_ t: (V, V, V, V), _ row: Int) {
                    put(t.0 - t.2, v + (row * 4) * stride + tile, lanes)
                    put(t.1 + t.2, v + (row * 4 + 1) * stride + tile, lanes)
                    put(t.2 - t.1, v + (row * 4 + 2) * stride + tile, lanes)
                    put(t.1 - t.3, v + (row * 4 + 3) * stride + tile, lanes)
                }
                store(t0, 0)
                store(t1, 1)
                store(t2, 2)
                store(t3, 3)
                tw += 4
            }
        }
    }

    /// Stores the first `lanes` lanes of `value`.
    @inline(__always)
    static func put(_ value: SIMD4<Float>, _ out: UnsafeMutablePointer<Float>, _ lanes: Int) {
        if lanes == 4 {
            out.store(value)
        } else {
            out[0] = value[0]
            if lanes > 1 { out[1] = value[1] }
            if lanes > 2 { out[2] = value[2] }
        }
    }

    /// `Y = Aᵀ M A` for every tile of one output channel, plus `bias`, clipped to the output.
    /// Four neighbouring tiles at a time, one per lane.
    @inline(__always)
    static func transformOutput(
        _ m: UnsafePointer<Float>, stride: Int, _ g: PlaneGeometry, tilesWide: Int, bias: Float,
        into y: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD4<Float>
        let tilesHigh = (g.outputHeight + 1) / 2
        let b = V(repeating: bias)
        for th in 0..<tilesHigh {
            var tw = 0
            while tw < tilesWide {
                let tile = th * tilesWide + tw
                let lanes = min(4, tilesWide - tw)
                // Aᵀ M: two rows of four columns (lane i: tile tw + i), then the same along each row.
                // Lanes past the last tile read the next row of products (or the padded plane that
                // follows them in the workspace) and are never written out.
                let p = m + tile
                @inline(__always) func q(_ xi: Int) -> V { (p + xi * stride).vector() }
                let s0 = (q(0) + q(4) + q(8), q(1) + q(5) + q(9), q(2) + q(6) + q(10), q(3) + q(7) + q(11))
                let s1 = (q(4) - q(8) - q(12), q(5) - q(9) - q(13), q(6) - q(10) - q(14), q(7) - q(11) - q(15))
                let y00 = s0.0 + s0.1 + s0.2 + b, y01 = s0.1 - s0.2 - s0.3 + b
                let y10 = s1.0 + s1.1 + s1.2 + b, y11 = s1.1 - s1.2 - s1.3 + b
                let oh = th * 2, ow = tw * 2
                write(y00, y01, lanes: lanes, to: y + oh * g.outputWidth + ow, available: g.outputWidth - ow)
                if oh + 1 < g.outputHeight {
                    write(y10, y11, lanes: lanes, to: y + (oh + 1) * g.outputWidth + ow, available: g.outputWidth - ow)
                }
                tw += 4
            }
        }
    }

    /// Interleaves the left and right outputs of `lanes` tiles into one output row, writing at
    /// most `available` values.
    @inline(__always)
    static func write(
        _ left: SIMD4<Float>, _ right: SIMD4<Float>, lanes: Int, to out: UnsafeMutablePointer<Float>, available: Int
    ) {
        if lanes == 4 && available >= 8 {
            out.store(SIMD4(left[0], right[0], left[1], right[1]))
            out.store(SIMD4(left[2], right[2], left[3], right[3]), at: 4)
            return
        }
        for lane in 0..<lanes {
            if 2 * lane < available { out[2 * lane] = left[lane] }
            if 2 * lane + 1 < available { out[2 * lane + 1] = right[lane] }
        }
    }
}
