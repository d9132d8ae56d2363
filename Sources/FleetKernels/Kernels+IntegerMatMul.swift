extension Kernels {
    /// Integer matrix product (ONNX `MatMulInteger`): `C = (A - aZeroPoint) * (B - bZeroPoint)` in Int32.
    ///
    /// `A` is `m x k` with row stride `lda`, `B` is `k x n` with row stride `ldb`, `C` is `m x n` with
    /// row stride `ldc` and is overwritten. `aZeroPoint` is per tensor or per row of `A` (`m` values),
    /// `bZeroPoint` per tensor or per column of `B` (`n` values). Zero points must lie in the range of
    /// their operand's type, as ONNX requires. The caller owns every buffer; no allocation.
    public static func matMulInteger(
        m: Int, n: Int, k: Int,
        a: QuantizedPointer, lda: Int, aZeroPoint: QuantizationParameter<Int32> = .tensor(0),
        b: QuantizedPointer, ldb: Int, bZeroPoint: QuantizationParameter<Int32> = .tensor(0),
        c: UnsafeMutablePointer<Int32>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "matMulInteger: negative size")
        precondition(lda >= max(1, k) && ldb >= max(1, n) && ldc >= max(1, n), "matMulInteger: leading dimension smaller than a row")
        let output = Int32Output(c: c, ldc: ldc, bias: nil)
        output.product(m: m, n: n, k: k, a: a, lda: lda, aZero: aZeroPoint, b: .quantized(b), ldb: ldb, bZero: bZeroPoint)
    }

    /// Quantized matrix product (ONNX `QLinearMatMul`): the integer product of `A` and `B` requantized
    /// to `Y` with scale `aScale * bScale / yScale`, rounded half to even, plus `yZeroPoint`, saturated.
    ///
    /// `A` scales and zero points are per tensor or per row (`m` values); `B`'s per tensor or per
    /// column (`n` values); zero points must lie in the range of their operand's type. `Y` is
    /// `m x n` with row stride `ldy` and is overwritten. The caller owns every buffer; no allocation.
    public static func qlinearMatMul(
        m: Int, n: Int, k: Int,
        a: QuantizedPointer, lda: Int, aScale: QuantizationParameter<Float>, aZeroPoint: QuantizationParameter<Int32>,
        b: QuantizedPointer, ldb: Int, bScale: QuantizationParameter<Float>, bZeroPoint: QuantizationParameter<Int32>,
        yScale: Float, yZeroPoint: Int32, y: QuantizedMutablePointer, ldy: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "qlinearMatMul: negative size")
        precondition(lda >= max(1, k) && ldb >= max(1, n) && ldy >= max(1, n), "qlinearMatMul: leading dimension smaller than a row")
        let output = RequantizedOutput(
            y: y, ldy: ldy, rowScale: aScale, columnScale: bScale, outputScale: yScale, zeroPoint: yZeroPoint, bias: nil)
        output.product(m: m, n: n, k: k, a: a, lda: lda, aZero: aZeroPoint, b: .quantized(b), ldb: ldb, bZero: bZeroPoint)
    }
}

/// Stores accumulators as Int32, adding an optional bias per row.
struct Int32Output {
    let c: UnsafeMutablePointer<Int32>
    let ldc: Int
    let bias: UnsafePointer<Int32>?

    func product<A: FixedWidthInteger & SIMDScalar, B: FixedWidthInteger & SIMDScalar>(
        m: Int, n: Int, k: Int, a: UnsafePointer<A>, lda: Int, aZero: QuantizationParameter<Int32>,
        b: UnsafePointer<B>, ldb: Int, bZero: QuantizationParameter<Int32>
    ) {
        IntegerGemm.run(m: m, n: n, k: k, a: a, lda: lda, aZero: aZero, b: b, ldb: ldb, bZero: bZero) {
            row, column, acc, count in
            let values = bias.map { acc &+ $0[row] } ?? acc
            let out = c + row * ldc + column
            if count == 8 {
                out.store(values)
            } else {
                for lane in 0..<count { out[lane] = values[lane] }
            }
        }
    }
}

/// Requantizes accumulators to int8/uint8 with a scale per row and per column.
struct RequantizedOutput {
    let y: QuantizedMutablePointer
    let ldy: Int
    let rowScale: QuantizationParameter<Float>
    let columnScale: QuantizationParameter<Float>
    let outputScale: Float
    let zeroPoint: Int32
    let bias: UnsafePointer<Int32>?

    var range: ClosedRange<Int32> {
        switch y {
        case .int8: -128...127
        case .uint8: 0...255
        }
    }

    func product<A: FixedWidthInteger & SIMDScalar, B: FixedWidthInteger & SIMDScalar>(
        m: Int, n: Int, k: Int, a: UnsafePointer<A>, lda: Int, aZero: QuantizationParameter<Int32>,
        b: UnsafePointer<B>, ldb: Int, bZero: QuantizationParameter<Int32>
    ) {
        let range = self.range
        IntegerGemm.run(m: m, n: n, k: k, a: a, lda: lda, aZero: aZero, b: b, ldb: ldb, bZero: bZero) {
            row, column, acc, count in
            let values = bias.map { acc &+ $0[row] } ?? acc
            var multiplier: SIMD8<Float>
            switch columnScale {
            case .tensor(let scale):
                multiplier = SIMD8(repeating: rowScale[row] * scale / outputScale)
            case .channels(let scales):
                multiplier = SIMD8()
                for lane in 0..<count { multiplier[lane] = rowScale[row] * scales[column + lane] / outputScale }
            }
            let result = Requantization.apply(values, multiplier: multiplier, zeroPoint: zeroPoint, range: range)
            Requantization.store(result, count: count, to: y.advanced(by: row * ldy + column))
        }
    }
}
