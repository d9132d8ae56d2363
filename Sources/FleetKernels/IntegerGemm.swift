/// `acc(i, j) = sum over p of (A(i, p) - zeroA(i)) * (B(p, j) - zeroB(j))` in Int32, handed to a
/// closure eight columns at a time.
enum IntegerGemm {
    typealias Accumulator = SIMD8<Int32>

    /// Calls `emit(row, column, acc, count)` for every row and every block of up to eight columns;
    /// lanes at or beyond `count` are zero.
    ///
    /// Zero points must lie in the range of their operand's type, so that every centred value fits
    /// in Int16 (products are formed from Int16 operands, which keeps the multiplies narrow).
    @inline(__always)
    static func run<A: FixedWidthInteger & SIMDScalar, B: FixedWidthInteger & SIMDScalar>(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<A>, lda: Int, aZero: QuantizationParameter<Int32>,
        b: UnsafePointer<B>, ldb: Int, bZero: QuantizationParameter<Int32>,
        emit: (Int, Int, Accumulator, Int) -> Void
    ) {
        let blockRows = m / 4 * 4
        // Four rows at a time, eight columns at a time.
        var j = 0
        while j + 8 <= n {
            let zeroB = centredZero(bZero, at: j)
            var i = 0
            while i < blockRows {
                let a0 = a + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
                let z0 = aZero[i], z1 = aZero[i + 1], z2 = aZero[i + 2], z3 = aZero[i + 3]
                var c0 = Accumulator(), c1 = Accumulator(), c2 = Accumulator(), c3 = Accumulator()
                var bp = b + j
                for p in 0..<k {
                    let bv = Accumulator(truncatingIfNeeded: centred(bp, zeroB))
                    c0 &+= splat(a0[p], z0) &* bv
                    c1 &+= splat(a1[p], z1) &* bv
                    c2 &+= splat(a2[p], z2) &* bv
                    c3 &+= splat(a3[p], z3) &* bv
                    bp += ldb
                }
                emit(i, j, c0, 8)
                emit(i + 1, j, c1, 8)
                emit(i + 2, j, c2, 8)
                emit(i + 3, j, c3, 8)
                i += 4
            }
            j += 8
        }
        let vectorColumns = j
        // The remaining rows one at a time (all of a matrix-vector product): 32 columns at a time so
        // that one broadcast of A serves four vectors of B, then 8.
        for i in blockRows..<m {
            let ar = a + i * lda
            let z = aZero[i]
            var j = 0
            while j + 32 <= n {
                let zero0 = centredZero(bZero, at: j), zero1 = centredZero(bZero, at: j + 8)
                let zero2 = centredZero(bZero, at: j + 16), zero3 = centredZero(bZero, at: j + 24)
                var c0 = Pairs(), c1 = Pairs(), c2 = Pairs(), c3 = Pairs()
                var bp = b + j
                var p = 0
                // Two steps of k at a time: each pair of rows of B is interleaved so that one 16-bit
                // multiply-add of adjacent lanes (pmaddwd) does both steps for four columns.
                while p + 2 <= k {
                    let x = pair(ar[p], ar[p + 1], z)
                    c0.add(x, centred(bp, zero0), centred(bp + ldb, zero0))
                    c1.add(x, centred(bp + 8, zero1), centred(bp + ldb + 8, zero1))
                    c2.add(x, centred(bp + 16, zero2), centred(bp + ldb + 16, zero2))
                    c3.add(x, centred(bp + 24, zero3), centred(bp + ldb + 24, zero3))
                    bp += 2 * ldb
                    p += 2
                }
                if p < k {  // An odd k: the last step pairs with a row of zeros.
                    let x = pair(ar[p], ar[p], z)
                    let none = SIMD8<Int16>()
                    c0.add(x, centred(bp, zero0), none)
                    c1.add(x, centred(bp + 8, zero1), none)
                    c2.add(x, centred(bp + 16, zero2), none)
                    c3.add(x, centred(bp + 24, zero3), none)
                }
                emit(i, j, c0.sums, 8)
                emit(i, j + 8, c1.sums, 8)
                emit(i, j + 16, c2.sums, 8)
                emit(i, j + 24, c3.sums, 8)
                j += 32
            }
            while j + 8 <= n {
                let zeroB = centredZero(bZero, at: j)
                var c0 = Pairs()
                var bp = b + j
                var p = 0
                while p + 2 <= k {
                    c0.add(pair(ar[p], ar[p + 1], z), centred(bp, zeroB), centred(bp + ldb, zeroB))
                    bp += 2 * ldb
                    p += 2
                }
                if p < k { c0.add(pair(ar[p], ar[p], z), centred(bp, zeroB), SIMD8<Int16>()) }
                emit(i, j, c0.sums, 8)
                j += 8
            }
        }
        // Fewer than eight trailing columns: scalar dot products down the columns.
        for j in vectorColumns..<n {
            let zeroB = bZero[j]
            for i in 0..<m {
                let ar = a + i * lda
                let z = aZero[i]
                var sum: Int32 = 0
                var bp = b + j
                for p in 0..<k {
                    sum &+= (Int32(truncatingIfNeeded: ar[p]) &- z) &* (Int32(truncatingIfNeeded: bp[0]) &- zeroB)
                    bp += ldb
                }
                var acc = Accumulator()
                acc[0] = sum
                emit(i, j, acc, 1)
            }
        }
    }

    /// The zero points of eight columns from `j` as Int16.
    @inline(__always)
    static func centredZero(_ zero: QuantizationParameter<Int32>, at j: Int) -> SIMD8<Int16> {
        SIMD8<Int16>(truncatingIfNeeded: zeroVector(zero, at: j))
    }

    /// `a - zero` as Int16, widened and repeated in every lane.
    @inline(__always)
    static func splat<A: FixedWidthInteger>(_ a: A, _ zero: Int32) -> Accumulator {
        Accumulator(repeating: Int32(Int16(truncatingIfNeeded: Int32(truncatingIfNeeded: a) &- zero)))
    }

    /// `(a0 - zero, a1 - zero)` as Int16, repeated four times: the A side of a pairwise multiply-add.
    @inline(__always)
    static func pair<A: FixedWidthInteger>(_ a0: A, _ a1: A, _ zero: Int32) -> SIMD8<Int16> {
        let x0 = Int16(truncatingIfNeeded: Int32(truncatingIfNeeded: a0) &- zero)
        let x1 = Int16(truncatingIfNeeded: Int32(truncatingIfNeeded: a1) &- zero)
        return SIMD8(x0, x1, x0, x1, x0, x1, x0, x1)
    }

    /// Eight column sums built two steps of k at a time.
    struct Pairs {
        var low = SIMD4<Int32>(), high = SIMD4<Int32>()

        /// Adds `x.0 * row0[c] + x.1 * row1[c]` to each column `c`, with `x` from `pair`.
        @inline(__always)
        mutating func add(_ x: SIMD8<Int16>, _ row0: SIMD8<Int16>, _ row1: SIMD8<Int16>) {
            let lo = SIMD8(row0[0], row1[0], row0[1], row1[1], row0[2], row1[2], row0[3], row1[3])
            let hi = SIMD8(row0[4], row1[4], row0[5], row1[5], row0[6], row1[6], row0[7], row1[7])
            low &+= IntegerGemm.multiplyAddPairs(lo, x)
            high &+= IntegerGemm.multiplyAddPairs(hi, x)
        }

        var sums: SIMD8<Int32> { SIMD8(lowHalf: low, highHalf: high) }
    }

    /// Products of 16-bit lanes summed in adjacent pairs (the shape of SSE2's pmaddwd).
    @inline(__always)
    static func multiplyAddPairs(_ a: SIMD8<Int16>, _ b: SIMD8<Int16>) -> SIMD4<Int32> {
        let products = SIMD8<Int32>(truncatingIfNeeded: a) &* SIMD8<Int32>(truncatingIfNeeded: b)
        return products.evenHalf &+ products.oddHalf
    }

    /// Eight values of a row of `B` minus their zero points, as Int16.
    @inline(__always)
    static func centred<B: FixedWidthInteger & SIMDScalar>(_ p: UnsafePointer<B>, _ zero: SIMD8<Int16>) -> SIMD8<Int16> {
        SIMD8<Int16>(truncatingIfNeeded: UnsafeRawPointer(p).loadUnaligned(as: SIMD8<B>.self)) &- zero
    }

    @inline(__always)
    static func zeroVector(_ zero: QuantizationParameter<Int32>, at j: Int) -> Accumulator {
        switch zero {
        case .tensor(let value):
            return Accumulator(repeating: value)
        case .channels(let values):
            return UnsafeRawPointer(values + j).loadUnaligned(as: Accumulator.self)
        }
    }
}

/// Conversion of Int32 accumulators to int8/uint8: scale, round half to even, add the zero
/// point, saturate.
enum Requantization {
    /// `x` rounded to the nearest integer, ties to even, for magnitudes below 2^22: adding 1.5 * 2^23
    /// leaves the rounded integer in the low mantissa bits.
    @inline(__always)
    static func roundedHalfEven(_ x: SIMD8<Float>) -> SIMD8<Int32> {
        let magic = SIMD8<Float>(repeating: 12_582_912)
        return unsafeBitCast(x + magic, to: SIMD8<Int32>.self) &- 0x4B40_0000
    }

    @inline(__always)
    static func apply(
        _ acc: SIMD8<Int32>, multiplier: SIMD8<Float>, zeroPoint: Int32, range: ClosedRange<Int32>
    ) -> SIMD8<Int32> {
        let limit = SIMD8<Float>(repeating: 4_194_304)  // 2^22, far beyond any 8-bit result
        var scaled = SIMD8<Float>(acc) * multiplier
        scaled.replace(with: limit, where: scaled .> limit)
        scaled.replace(with: -limit, where: scaled .< -limit)
        var rounded = roundedHalfEven(scaled) &+ zeroPoint
        let lower = SIMD8(repeating: range.lowerBound), upper = SIMD8(repeating: range.upperBound)
        rounded.replace(with: lower, where: rounded .< lower)
        rounded.replace(with: upper, where: rounded .> upper)
        return rounded
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
