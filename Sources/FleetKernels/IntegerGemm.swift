/// `acc(i, j) = sum over p of (A(i, p) - zeroA(i)) * (B(p, j) - zeroB(j))` in Int32, handed to a
/// closure eight columns at a time.
enum IntegerGemm {
    typealias Accumulator = SIMD8<Int32>

    /// Calls `emit(row, column, acc, count)` for every row and every block of up to eight columns;
    /// lanes at or beyond `count` are zero.
    @inline(__always)
    static func run<A: FixedWidthInteger & SIMDScalar, B: FixedWidthInteger & SIMDScalar>(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<A>, lda: Int, aZero: QuantizationParameter<Int32>,
        b: UnsafePointer<B>, ldb: Int, bZero: QuantizationParameter<Int32>,
        emit: (Int, Int, Accumulator, Int) -> Void
    ) {
        var j = 0
        while j < n {
            let count = min(8, n - j)
            let zeroB: Accumulator = zeroVector(bZero, at: j, count: count)
            var i = 0
            while i + 4 <= m {
                let a0 = a + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
                let z0 = aZero[i], z1 = aZero[i + 1], z2 = aZero[i + 2], z3 = aZero[i + 3]
                var c0 = Accumulator(), c1 = Accumulator(), c2 = Accumulator(), c3 = Accumulator()
                var bp = b + j
                if count == 8 {
                    for p in 0..<k {
                        let bv = widened(bp) &- zeroB
                        c0 &+= Accumulator(repeating: Int32(truncatingIfNeeded: a0[p]) &- z0) &* bv
                        c1 &+= Accumulator(repeating: Int32(truncatingIfNeeded: a1[p]) &- z1) &* bv
                        c2 &+= Accumulator(repeating: Int32(truncatingIfNeeded: a2[p]) &- z2) &* bv
                        c3 &+= Accumulator(repeating: Int32(truncatingIfNeeded: a3[p]) &- z3) &* bv
                        bp += ldb
                    }
                } else {
                    for p in 0..<k {
                        let bv = widened(bp, count: count) &- zeroB
                        c0 &+= Accumulator(repeating: Int32(truncatingIfNeeded: a0[p]) &- z0) &* bv
                        c1 &+= Accumulator(repeating: Int32(truncatingIfNeeded: a1[p]) &- z1) &* bv
                        c2 &+= Accumulator(repeating: Int32(truncatingIfNeeded: a2[p]) &- z2) &* bv
                        c3 &+= Accumulator(repeating: Int32(truncatingIfNeeded: a3[p]) &- z3) &* bv
                        bp += ldb
                    }
                }
                emit(i, j, c0, count)
                emit(i + 1, j, c1, count)
                emit(i + 2, j, c2, count)
                emit(i + 3, j, c3, count)
                i += 4
            }
            while i < m {
                let ar = a + i * lda
                let z = aZero[i]
                var c0 = Accumulator()
                var bp = b + j
                if count == 8 {
                    for p in 0..<k {
                        c0 &+= Accumulator(repeating: Int32(truncatingIfNeeded: ar[p]) &- z) &* (widened(bp) &- zeroB)
                        bp += ldb
                    }
                } else {
                    for p in 0..<k {
                        c0 &+= Accumulator(repeating: Int32(truncatingIfNeeded: ar[p]) &- z)
                            &* (widened(bp, count: count) &- zeroB)
                        bp += ldb
                    }
                }
                emit(i, j, c0, count)
                i += 1
            }
            j += 8
        }
    }

    @inline(__always)
    static func widened<B: FixedWidthInteger & SIMDScalar>(_ p: UnsafePointer<B>) -> Accumulator {
        Accumulator(truncatingIfNeeded: UnsafeRawPointer(p).loadUnaligned(as: SIMD8<B>.self))
    }

    @inline(__always)
    static func widened<B: FixedWidthInteger & SIMDScalar>(_ p: UnsafePointer<B>, count: Int) -> Accumulator {
        var v = Accumulator()
        for lane in 0..<count { v[lane] = Int32(truncatingIfNeeded: p[lane]) }
        return v
    }

    @inline(__always)
    static func zeroVector(_ zero: QuantizationParameter<Int32>, at j: Int, count: Int) -> Accumulator {
        switch zero {
        case .tensor(let value):
            return Accumulator(repeating: value)
        case .channels(let values):
            var v = Accumulator()
            for lane in 0..<count { v[lane] = values[j + lane] }
            return v
        }
    }
}

/// Conversion of Int32 accumulators to int8/uint8: scale, round half to even, add the zero
/// point, saturate.
enum Requantization {
    /// Rounds to the nearest integer, ties to even, for magnitudes below 2^22.
    @inline(__always)
    static func roundedHalfEven(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let magic = SIMD8<Float>(repeating: 12_582_912)  // 1.5 * 2^23
        return (x + magic) - magic
    }

    @inline(__always)
    static func apply(
        _ acc: SIMD8<Int32>, multiplier: SIMD8<Float>, zeroPoint: Int32, range: ClosedRange<Int32>
    ) -> SIMD8<Int32> {
        let limit = SIMD8<Float>(repeating: 4_194_304)  // 2^22, far beyond any 8-bit result
        let scaled = (SIMD8<Float>(acc) * multiplier).clamped(lowerBound: -limit, upperBound: limit)
        let rounded = SIMD8<Int32>(roundedHalfEven(scaled)) &+ zeroPoint
        return rounded.clamped(
            lowerBound: SIMD8(repeating: range.lowerBound), upperBound: SIMD8(repeating: range.upperBound))
    }

    @inline(__always)
    static func store(_ values: SIMD8<Int32>, count: Int, to output: QuantizedMutablePointer) {
        switch output {
        case .int8(let p):
            let narrow = SIMD8<Int8>(truncatingIfNeeded: values)
            if count == 8 {
                UnsafeMutableRawPointer(p).storeBytes(of: narrow, as: SIMD8<Int8>.self)
            } else {
                for lane in 0..<count { p[lane] = narrow[lane] }
            }
        case .uint8(let p):
            let narrow = SIMD8<UInt8>(truncatingIfNeeded: values)
            if count == 8 {
                UnsafeMutableRawPointer(p).storeBytes(of: narrow, as: SIMD8<UInt8>.self)
            } else {
                for lane in 0..<count { p[lane] = narrow[lane] }
            }
        }
    }
}
