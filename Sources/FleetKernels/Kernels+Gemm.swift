extension Kernels {
    /// Single-precision matrix product: `C = alpha * op(A) * op(B) + beta * C` (row-major).
    ///
    /// `op(A)` is `m x k` and `op(B)` is `k x n`; `A` is stored `m x k` (or `k x m` when `transA`)
    /// with row stride `lda`, likewise `B` with `ldb`, and `C` is `m x n` with row stride `ldc`.
    /// When `beta` is 0 the previous contents of `C` are ignored (NaN included).
    /// The caller owns every buffer; no allocation. `C` must not overlap `A` or `B`.
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size")
        precondition(lda >= max(1, transA ? m : k) && ldb >= max(1, transB ? k : n) && ldc >= max(1, n),
                     "sgemm: leading dimension smaller than a row")
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            scale(rows: m, columns: n, c, ldc: ldc, by: beta)
            return
        }
        // With beta 0 the kernels store their results instead of adding them to C.
        let overwrite = beta == 0
        if !overwrite { scale(rows: m, columns: n, c, ldc: ldc, by: beta) }
        let aRowStride = transA ? 1 : lda
        let aColumnStride = transA ? lda : 1
        if !transB {
            GemmRowKernels.accumulate(
                m: m, n: n, k: k, alpha: alpha, a: a, aRowStride: aRowStride, aColumnStride: aColumnStride,
                b: b, ldb: ldb, c: c, ldc: ldc, overwrite: overwrite)
        } else if !transA {
            GemmDotKernels.accumulate(
                m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, overwrite: overwrite)
        } else {
            for i in 0..<m {
                for j in 0..<n {
                    var sum: Float = 0
                    for p in 0..<k { sum += a[p * lda + i] * b[j * ldb + p] }
                    c[i * ldc + j] = (overwrite ? 0 : c[i * ldc + j]) + alpha * sum
                }
            }
        }
    }

    /// `C = beta * C`, with `beta == 0` writing zeros whatever `C` held.
    static func scale(rows: Int, columns: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int, by beta: Float) {
        if beta == 1 { return }
        for i in 0..<rows {
            let row = c + i * ldc
            if beta == 0 {
                row.update(repeating: 0, count: columns)
            } else {
                for j in 0..<columns { row[j] *= beta }
            }
        }
    }
}

/// `C += alpha * A * B` with `B` rows contiguous: broadcast elements of `A` times rows of `B`.
///
/// Columns go eight at a time, then four, then one; accumulators stay in registers over all of `k`.
enum GemmRowKernels {
    static func accumulate(
        m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, overwrite: Bool
    ) {
        var i = 0
        while i + 4 <= m {
            let ai = a + i * aRowStride, ci = c + i * ldc
            var j = 0
            while j + 8 <= n {
                block4(SIMD8<Float>.self, k: k, alpha: alpha, a: ai, aRowStride: aRowStride,
                       aColumnStride: aColumnStride, b: b + j, ldb: ldb, c: ci + j, ldc: ldc, overwrite: overwrite)
                j += 8
            }
            if j + 4 <= n {
                block4(SIMD4<Float>.self, k: k, alpha: alpha, a: ai, aRowStride: aRowStride,
                       aColumnStride: aColumnStride, b: b + j, ldb: ldb, c: ci + j, ldc: ldc, overwrite: overwrite)
                j += 4
            }
            for r in 0..<4 {
                columns(j..<n, k: k, alpha: alpha, a: ai + r * aRowStride, aColumnStride: aColumnStride,
                        b: b, ldb: ldb, c: ci + r * ldc, overwrite: overwrite)
            }
            i += 4
        }
        while i < m {
            row(n: n, k: k, alpha: alpha, a: a + i * aRowStride, aColumnStride: aColumnStride,
                b: b, ldb: ldb, c: c + i * ldc, overwrite: overwrite)
            i += 1
        }
    }

    /// Four rows of `C` times one vector of columns.
    @inline(__always)
    static func block4<V: SIMD>(
        _: V.Type, k: Int, alpha: Float, a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, overwrite: Bool
    ) where V.Scalar == Float {
        var c0 = V(), c1 = V(), c2 = V(), c3 = V()
        var ap = a
        var bp = b
        for _ in 0..<k {
            let bv: V = bp.vector()
            c0 += V(repeating: ap[0]) * bv
            c1 += V(repeating: ap[aRowStride]) * bv
            c2 += V(repeating: ap[2 * aRowStride]) * bv
            c3 += V(repeating: ap[3 * aRowStride]) * bv
            bp += ldb
            ap += aColumnStride
        }
        let s = V(repeating: alpha)
        let r0 = c, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc
        if overwrite {
            r0.store(s * c0)
            r1.store(s * c1)
            r2.store(s * c2)
            r3.store(s * c3)
        } else {
            r0.store(r0.vector() + s * c0)
            r1.store(r1.vector() + s * c1)
            r2.store(r2.vector() + s * c2)
            r3.store(r3.vector() + s * c3)
        }
    }

    /// One row of `C` (the `m = 1` matrix-vector case): 32 columns at a time, then 8, 4, 1.
    @inline(__always)
    static func row(
        n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, aColumnStride: Int,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, overwrite: Bool
    ) {
        typealias V = SIMD8<Float>
        let s = V(repeating: alpha)
        var j = 0
        while j + 32 <= n {
            var c0 = V(), c1 = V(), c2 = V(), c3 = V()
            var bp = b + j
            var ap = a
            for _ in 0..<k {
                let x = V(repeating: ap[0])
                c0 += x * bp.vector()
                c1 += x * bp.vector(at: 8)
                c2 += x * bp.vector(at: 16)
                c3 += x * bp.vector(at: 24)
                bp += ldb
                ap += aColumnStride
            }
            let r = c + j
            if overwrite {
                r.store(s * c0)
                r.store(s * c1, at: 8)
                r.store(s * c2, at: 16)
                r.store(s * c3, at: 24)
            } else {
                r.store(r.vector() + s * c0)
                r.store(r.vector(at: 8) + s * c1, at: 8)
                r.store(r.vector(at: 16) + s * c2, at: 16)
                r.store(r.vector(at: 24) + s * c3, at: 24)
            }
            j += 32
        }
        while j + 8 <= n {
            vector(SIMD8<Float>.self, k: k, alpha: alpha, a: a, aColumnStride: aColumnStride, b: b + j, ldb: ldb, c: c + j,
                   overwrite: overwrite)
            j += 8
        }
        if j + 4 <= n {
            vector(SIMD4<Float>.self, k: k, alpha: alpha, a: a, aColumnStride: aColumnStride, b: b + j, ldb: ldb, c: c + j,
                   overwrite: overwrite)
            j += 4
        }
        columns(j..<n, k: k, alpha: alpha, a: a, aColumnStride: aColumnStride, b: b, ldb: ldb, c: c, overwrite: overwrite)
    }

    /// One row of `C` times one vector of columns.
    @inline(__always)
    static func vector<V: SIMD>(
        _: V.Type, k: Int, alpha: Float, a: UnsafePointer<Float>, aColumnStride: Int,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, overwrite: Bool
    ) where V.Scalar == Float {
        var acc = V()
        var bp = b
        var ap = a
        for _ in 0..<k {
            acc += V(repeating: ap[0]) * bp.vector()
            bp += ldb
            ap += aColumnStride
        }
        c.store((overwrite ? V() : c.vector()) + V(repeating: alpha) * acc)
    }

    /// Up to three trailing columns of one row, one scalar dot product each.
    @inline(__always)
    static func columns(
        _ range: Range<Int>, k: Int, alpha: Float, a: UnsafePointer<Float>, aColumnStride: Int,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, overwrite: Bool
    ) {
        for j in range {
            var sum: Float = 0
            var bp = b + j
            var ap = a
            for _ in 0..<k {
                sum += ap[0] * bp[0]
                bp += ldb
                ap += aColumnStride
            }
            c[j] = (overwrite ? 0 : c[j]) + alpha * sum
        }
    }
}

/// `C += alpha * A * Bᵀ` with rows of `A` and of `B` contiguous along `k`: dot products.
enum GemmDotKernels {
    typealias V = SIMD8<Float>

    static func accumulate(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, overwrite: Bool
    ) {
        let vectorEnd = k & ~7
        for i in 0..<m {
            let ar = a + i * lda
            let cr = c + i * ldc
            var j = 0
            while j + 4 <= n {
                let b0 = b + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb
                var s0 = V(), s1 = V(), s2 = V(), s3 = V()
                var p = 0
                while p < vectorEnd {
                    let x: V = ar.vector(at: p)
                    s0 += x * b0.vector(at: p)
                    s1 += x * b1.vector(at: p)
                    s2 += x * b2.vector(at: p)
                    s3 += x * b3.vector(at: p)
                    p += 8
                }
                var t0 = s0.sum(), t1 = s1.sum(), t2 = s2.sum(), t3 = s3.sum()
                while p < k {
                    let x = ar[p]
                    t0 += x * b0[p]
                    t1 += x * b1[p]
                    t2 += x * b2[p]
                    t3 += x * b3[p]
                    p += 1
                }
                let previous = overwrite ? SIMD4<Float>() : (cr + j).vector()
                (cr + j).store(previous + SIMD4(repeating: alpha) * SIMD4(t0, t1, t2, t3))
                j += 4
            }
            while j < n {
                let br = b + j * ldb
                var s = V()
                var p = 0
                while p < vectorEnd {
                    s += ar.vector(at: p) * br.vector(at: p)
                    p += 8
                }
                var t = s.sum()
                while p < k {
                    t += ar[p] * br[p]
                    p += 1
                }
                cr[j] = (overwrite ? 0 : cr[j]) + alpha * t
                j += 1
            }
        }
    }
}
