/// Bounds on the sizes a plan may create, so shapes read from a model or computed from input values
/// fail with an error instead of overflowing or exhausting memory.
enum ShapeLimits {
    /// The most elements one value may hold.
    static let maxElements = 1 << 32
    /// The largest single dimension.
    static let maxDimension = Int(Int32.max)

    /// The element count of `shape`, checked for negative dimensions and overflow.
    static func count(_ shape: [Int]) throws(OpError) -> Int {
        var count = 1
        var nonZero = 1
        for dimension in shape {
            guard dimension >= 0, dimension <= maxDimension else { throw OpError("dimension \(dimension) in shape \(shape) is out of range") }
            if dimension == 0 { count = 0; continue }
            let (product, overflow) = nonZero.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= maxElements else { throw OpError("shape \(shape) is too large") }
            nonZero = product
        }
        return count == 0 ? 0 : nonZero
    }
}
