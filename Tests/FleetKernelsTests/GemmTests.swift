import Testing
@testable import FleetKernels

@Suite struct SgemmTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        var m: Int, n: Int, k: Int, transA: Bool, transB: Bool, padA = 0, padB = 0, padC = 0
        var alpha: Float = 1, beta: Float = 0
        var testDescription: String { "m\(m) n\(n) k\(k) tA\(transA) tB\(transB) pads \(padA)/\(padB)/\(padC) α\(alpha) β\(beta)" }
    }

    static let shapes: [Shape] = {
        var shapes: [Shape] = []
        for (m, n, k) in [(1, 1, 1), (1, 256, 64), (1, 10, 256), (1, 37, 13), (3, 5, 7), (4, 8, 1), (5, 33, 17),
                          (8, 784, 9), (16, 196, 72), (7, 31, 300), (2, 1, 40), (64, 64, 64)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    shapes.append(Shape(m: m, n: n, k: k, transA: transA, transB: transB))
                }
            }
        }
        shapes.append(Shape(m: 6, n: 19, k: 11, transA: false, transB: false, padA: 3, padB: 5, padC: 2, alpha: 0.5, beta: 2))
        shapes.append(Shape(m: 6, n: 19, k: 11, transA: true, transB: true, padA: 1, padB: 2, padC: 7, alpha: -1, beta: 0.25))
        shapes.append(Shape(m: 5, n: 9, k: 12, transA: false, transB: true, padA: 4, padB: 1, padC: 1, alpha: 2, beta: 1))
        shapes.append(Shape(m: 1, n: 40, k: 20, transA: true, transB: false, padA: 2, padB: 3, padC: 0, alpha: 1, beta: -1))
        return shapes
    }()

    @Test(arguments: shapes)
    func matchesNaiveProduct(_ s: Shape) {
        var rng = SplitMix64(seed: UInt64(s.m * 10007 + s.n * 101 + s.k))
        let aRows = s.transA ? s.k : s.m, aCols = s.transA ? s.m : s.k
        let bRows = s.transB ? s.n : s.k, bCols = s.transB ? s.k : s.n
        let lda = aCols + s.padA, ldb = bCols + s.padB, ldc = s.n + s.padC
        let a = [Float].random(aRows * lda, using: &rng)
        let b = [Float].random(bRows * ldb, using: &rng)
        let c0 = [Float].random(s.m * ldc, using: &rng)
        var expected = c0
        for i in 0..<s.m {
            for j in 0..<s.n {
                var sum = 0.0
                for p in 0..<s.k {
                    let x = s.transA ? a[p * lda + i] : a[i * lda + p]
                    let y = s.transB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(x) * Double(y)
                }
                expected[i * ldc + j] = Float(Double(s.alpha) * sum + Double(s.beta) * Double(c0[i * ldc + j]))
            }
        }
        var c = c0
        Kernels.sgemm(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: s.alpha,
                      a: a, lda: lda, b: b, ldb: ldb, beta: s.beta, c: &c, ldc: ldc)
        #expect(maxRelativeError(c, expected) < 1e-5)
    }

    @Test func betaZeroIgnoresNaNInOutput() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        for transB in [false, true] {
            var c = [Float](repeating: .nan, count: 4)
            Kernels.sgemm(transA: false, transB: transB, m: 2, n: 2, k: 2, alpha: 1, a: a, lda: 2, b: b, ldb: 2,
                          beta: 0, c: &c, ldc: 2)
            #expect(c == (transB ? [17, 23, 39, 53] : [19, 22, 43, 50]))
        }
    }

    @Test func zeroDepthScalesOutputOnly() {
        var c: [Float] = [1, 2, 3]
        Kernels.sgemm(transA: false, transB: false, m: 1, n: 3, k: 0, alpha: 1, a: [0], lda: 1, b: [0, 0, 0], ldb: 3,
                      beta: 3, c: &c, ldc: 3)
        #expect(c == [3, 6, 9])
    }

    @Test func paddingColumnsOfOutputAreUntouched() {
        var rng = SplitMix64(seed: 7)
        let a = [Float].random(3 * 5, using: &rng), b = [Float].random(5 * 9, using: &rng)
        var c = [Float](repeating: 42, count: 3 * 12)
        Kernels.sgemm(transA: false, transB: false, m: 3, n: 9, k: 5, alpha: 1, a: a, lda: 5, b: b, ldb: 9,
                      beta: 0, c: &c, ldc: 12)
        for i in 0..<3 { #expect(c[(i * 12 + 9)..<(i * 12 + 12)].allSatisfy { $0 == 42 }) }
    }
}
