extension Kernels {
    /// Bytes of workspace `convInteger` and `qlinearConv` need for this geometry (0 for pointwise
    /// convolutions). The workspace must be aligned to 2 bytes.
    public static func integerConvWorkspaceByteCount(_ geometry: ConvolutionGeometry) -> Int {
        geometry.plane.isPointwise ? 0 : geometry.columnRows * geometry.plane.outputSize * MemoryLayout<Int16>.stride
    }

    /// Integer convolution (ONNX `ConvInteger`): `(x - inputZeroPoint) ⊛ (w - weightZeroPoint)` in Int32.
    ///
    /// - Parameters:
    ///   - input: `geometry.inputCount` int8 or uint8 values.
    ///   - inputZeroPoint: the input's zero point (per tensor); pads behave as this value.
    ///   - weights: `geometry.weightCount` int8 or uint8 values, `[outputChannels, inputChannels / group, kernel...]`.
    ///   - weightZeroPoint: per tensor or per output channel.
    ///   - output: `geometry.outputCount` values, overwritten.
    ///   - workspace: at least `integerConvWorkspaceByteCount(geometry)` bytes (may be `nil` when that is 0).
    /// The caller owns every buffer; no allocation.
    public static func convInteger(
        _ geometry: ConvolutionGeometry,
        input: QuantizedPointer, inputZeroPoint: Int32 = 0,
        weights: QuantizedPointer, weightZeroPoint: QuantizationParameter<Int32> = .tensor(0),
        output: UnsafeMutablePointer<Int32>, workspace: UnsafeMutableRawPointer?
    ) {
        let pixels = geometry.plane.outputSize
        integerConv(
            geometry, input: input, inputZeroPoint: inputZeroPoint, weights: weights,
            weightZeroPoint: weightZeroPoint, workspace: workspace
        ) { outputOffset, channelOffset, m, n, k, a, lda, aZero, b, ldb, bZero in
            Int32Output(c: output + outputOffset, ldc: pixels, bias: nil)
                .product(m: m, n: n, k: k, a: a, lda: lda, aZero: aZero, b: b, ldb: ldb, bZero: bZero)
        }
    }

    /// Quantized convolution (ONNX `QLinearConv`): the integer convolution plus `bias`, requantized
    /// with scale `inputScale * weightScale / outputScale`, rounded half to even, plus
    /// `outputZeroPoint`, saturated to the output's type.
    ///
    /// - Parameters:
    ///   - weightScale, weightZeroPoint: per tensor or per output channel.
    ///   - bias: `outputChannels` Int32 values (scale `inputScale * weightScale`, zero point 0) or `nil`.
    ///   - output: `geometry.outputCount` int8 or uint8 values, overwritten.
    ///   - workspace: at least `integerConvWorkspaceByteCount(geometry)` bytes (may be `nil` when that is 0).
    /// The caller owns every buffer; no allocation.
    public static func qlinearConv(
        _ geometry: ConvolutionGeometry,
        input: QuantizedPointer, inputScale: Float, inputZeroPoint: Int32,
        weights: QuantizedPointer, weightScale: QuantizationParameter<Float>,
        weightZeroPoint: QuantizationParameter<Int32>,
        bias: UnsafePointer<Int32>?, outputScale: Float, outputZeroPoint: Int32,
        output: QuantizedMutablePointer, workspace: UnsafeMutableRawPointer?
    ) {
        let pixels = geometry.plane.outputSize
        integerConv(
            geometry, input: input, inputZeroPoint: inputZeroPoint, weights: weights,
            weightZeroPoint: weightZeroPoint, workspace: workspace
        ) { outputOffset, channelOffset, m, n, k, a, lda, aZero, b, ldb, bZero in
            let rowScale: QuantizationParameter<Float> =
                switch weightScale {
                case .tensor: weightScale
                case .channels(let scales): .channels(scales + channelOffset)
                }
            RequantizedOutput(
                y: output.advanced(by: outputOffset), ldy: pixels, rowScale: rowScale,
                columnScale: .tensor(inputScale), outputScale: outputScale, zeroPoint: outputZeroPoint,
                bias: bias.map { $0 + channelOffset }
            ).product(m: m, n: n, k: k, a: a, lda: lda, aZero: aZero, b: b, ldb: ldb, bZero: bZero)
        }
    }

    /// Walks images and groups, unfolds the centred input into Int16 columns, and hands each
    /// group's product to `product`.
    @inline(__always)
    static func integerConv(
        _ geometry: ConvolutionGeometry, input: QuantizedPointer, inputZeroPoint: Int32,
        weights: QuantizedPointer, weightZeroPoint: QuantizationParameter<Int32>, workspace: UnsafeMutableRawPointer?,
        product: (
            _ outputOffset: Int, _ channelOffset: Int, _ m: Int, _ n: Int, _ k: Int,
            _ a: QuantizedPointer, _ lda: Int, _ aZero: QuantizationParameter<Int32>,
            _ b: IntegerColumns, _ ldb: Int, _ bZero: QuantizationParameter<Int32>
        ) -> Void
    ) {
        let g = geometry.plane
        let groupIn = geometry.groupInputChannels
        let groupOut = geometry.groupOutputChannels
        let rows = geometry.columnRows
        let pixels = g.outputSize
        precondition(g.isPointwise || workspace != nil || rows * pixels == 0, "integer conv: workspace missing")
        let columns = workspace?.assumingMemoryBound(to: Int16.self)
        for image in 0..<geometry.batch {
            for group in 0..<geometry.group {
                let inputOffset = (image * geometry.inputChannels + group * groupIn) * g.inputSize
                let channelOffset = group * groupOut
                let outputOffset = (image * geometry.outputChannels + channelOffset) * pixels
                let w = weights.advanced(by: channelOffset * rows)
                let wZero: QuantizationParameter<Int32> =
                    switch weightZeroPoint {
                    case .tensor: weightZeroPoint
                    case .channels(let zeros): .channels(zeros + channelOffset)
                    }
                if g.isPointwise {
                    product(outputOffset, channelOffset, groupOut, pixels, rows, w, rows, wZero,
                            .quantized(input.advanced(by: inputOffset)), pixels, .tensor(inputZeroPoint))
                } else {
                    let columns = columns!
                    switch input.advanced(by: inputOffset) {
                    case .int8(let x):
                        centredColumns(g, channels: groupIn, input: x, zeroPoint: inputZeroPoint, columns: columns)
                    case .uint8(let x):
                        centredColumns(g, channels: groupIn, input: x, zeroPoint: inputZeroPoint, columns: columns)
                    }
                    product(outputOffset, channelOffset, groupOut, pixels, rows, w, rows, wZero,
                            .centred(UnsafePointer(columns)), pixels, .tensor(0))
                }
            }
        }
    }
}

extension Kernels {
    /// im2col of 8-bit input into Int16 with the zero point subtracted, so pads become 0.
    static func centredColumns<Element: FixedWidthInteger>(
        _ g: PlaneGeometry, channels: Int, input: UnsafePointer<Element>, zeroPoint: Int32,
        columns: UnsafeMutablePointer<Int16>
    ) {
        let zero = Int16(truncatingIfNeeded: zeroPoint)
        im2col(g, channels: channels, input: input, columns: columns, padValue: 0,
               convert: { Int16(truncatingIfNeeded: $0) &- zero }) { destination, source, count in
            var i = 0
            while i < count {
                destination[i] = Int16(truncatingIfNeeded: source[i]) &- zero
                i &+= 1
            }
        }
    }
}

/// The `B` operand of a convolution's product: the input itself or its unfolded, centred columns.
enum IntegerColumns {
    case quantized(QuantizedPointer)
    case centred(UnsafePointer<Int16>)
}
