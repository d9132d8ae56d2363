/// Where an integer product's accumulators go (Int32 or requantized 8-bit).
protocol IntegerProductOutput {
    func product<A: FixedWidthInteger & SIMDScalar, B: FixedWidthInteger & SIMDScalar>(
        m: Int, n: Int, k: Int, a: UnsafePointer<A>, lda: Int, aZero: QuantizationParameter<Int32>,
        b: UnsafePointer<B>, ldb: Int, bZero: QuantizationParameter<Int32>)
}

extension Int32Output: IntegerProductOutput {}
extension RequantizedOutput: IntegerProductOutput {}

extension IntegerProductOutput {
    /// Dispatches on the element types of `A` and `B`.
    @inline(__always)
    func product(
        m: Int, n: Int, k: Int, a: QuantizedPointer, lda: Int, aZero: QuantizationParameter<Int32>,
        b: IntegerColumns, ldb: Int, bZero: QuantizationParameter<Int32>
    ) {
        switch (a, b) {
        case (.int8(let a), .quantized(.int8(let b))):
            product(m: m, n: n, k: k, a: a, lda: lda, aZero: aZero, b: b, ldb: ldb, bZero: bZero)
        case (.int8(let a), .quantized(.uint8(let b))):
            product(m: m, n: n, k: k, a: a, lda: lda, aZero: aZero, b: b, ldb: ldb, bZero: bZero)
        case (.int8(let a), .centred(let b)):
            product(m: m, n: n, k: k, a: a, lda: lda, aZero: aZero, b: b, ldb: ldb, bZero: bZero)
        case (.uint8(let a), .quantized(.int8(let b))):
            product(m: m, n: n, k: k, a: a, lda: lda, aZero: aZero, b: b, ldb: ldb, bZero: bZero)
        case (.uint8(let a), .quantized(.uint8(let b))):
            product(m: m, n: n, k: k, a: a, lda: lda, aZero: aZero, b: b, ldb: ldb, bZero: bZero)
        case (.uint8(let a), .centred(let b)):
            product(m: m, n: n, k: k, a: a, lda: lda, aZero: aZero, b: b, ldb: ldb, bZero: bZero)
        }
    }
}
