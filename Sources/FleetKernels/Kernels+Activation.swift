extension Kernels {
    /// Rectified linear unit (ONNX `Relu`): `output[i] = max(input[i], 0)`; NaN stays NaN.
    ///
    /// `input` and `output` hold `count` values and may be the same buffer (in place).
    /// The caller owns every buffer; no allocation.
    public static func relu(count: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        clip(count: count, input: input, output: output, lower: 0, upper: .infinity)
    }

    /// Clipping (ONNX `Clip`): `output[i] = min(max(input[i], lower), upper)`; NaN stays NaN.
    ///
    /// `input` and `output` hold `count` values and may be the same buffer (in place).
    /// The caller owns every buffer; no allocation.
    public static func clip(
        count: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, lower: Float, upper: Float
    ) {
        typealias V = SIMD8<Float>
        let low = V(repeating: lower), high = V(repeating: upper)
        var i = 0
        while i + 8 <= count {
            var v: V = input.vector(at: i)
            v.replace(with: low, where: v .< low)
            v.replace(with: high, where: v .> high)
            output.store(v, at: i)
            i += 8
        }
        while i < count {
            let v = input[i]
            output[i] = v < lower ? lower : (v > upper ? upper : v)
            i += 1
        }
    }
}
