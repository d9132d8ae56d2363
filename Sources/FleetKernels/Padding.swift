/// How the spatial borders of a convolution or pooling input are padded (ONNX `pads`/`auto_pad`).
public enum Padding: Hashable, Sendable {
    /// Explicit zero padding before and after each spatial axis.
    case explicit(begin: [Int], end: [Int])
    /// Output size `ceil(input / stride)`; an odd total pad puts the extra element at the end.
    case sameUpper
    /// Output size `ceil(input / stride)`; an odd total pad puts the extra element at the beginning.
    case sameLower
    /// No padding.
    case valid

    /// Explicit padding from ONNX's `pads` attribute layout `[x1_begin, x2_begin, ..., x1_end, x2_end]`.
    public static func onnx(_ pads: [Int]) -> Padding {
        let half = pads.count / 2
        return .explicit(begin: Array(pads[..<half]), end: Array(pads[half...]))
    }

    /// Pads before and after one axis.
    func resolve(
        axis: Int, rank: Int, input: Int, window: Int, stride: Int
    ) throws(KernelError) -> (begin: Int, end: Int) {
        switch self {
        case .valid:
            return (0, 0)
        case .explicit(let begin, let end):
            guard begin.count == rank, end.count == rank else {
                throw KernelError(.unsupportedRank, "pads have \(begin.count)+\(end.count) values for \(rank) spatial axes")
            }
            guard begin[axis] >= 0, end[axis] >= 0 else {
                throw KernelError(.invalidDimension, "pads[\(axis)] = (\(begin[axis]), \(end[axis]))")
            }
            return (begin[axis], end[axis])
        case .sameUpper, .sameLower:
            let output = (input + stride - 1) / stride
            let total = max(0, (output - 1) * stride + window - input)
            let small = total / 2
            return self == .sameUpper ? (small, total - small) : (total - small, small)
        }
    }
}
