/// Copies elements of any type between buffers, reading the source through arbitrary strides:
/// the data movement behind Transpose, Slice and Expand.
struct StridedCopy {
    let shape: [Int]
    /// Source stride per output axis, in elements (0 repeats, negative walks backwards).
    let sourceStrides: [Int]
    let sourceOffset: Int
    let width: Int

    var count: Int { shape.reduce(1, *) }

    func run(from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer) {
        switch width {
        case 1: run(UInt8.self, source, destination)
        case 2: run(UInt16.self, source, destination)
        case 4: run(UInt32.self, source, destination)
        default: run(UInt64.self, source, destination)
        }
    }

    private func run<T>(_: T.Type, _ source: UnsafeRawPointer, _ destination: UnsafeMutableRawPointer) {
        let total = count
        guard total > 0 else { return }
        let src = source.assumingMemoryBound(to: T.self)
        let dst = destination.assumingMemoryBound(to: T.self)
        let rank = shape.count
        if rank == 0 { dst[0] = src[sourceOffset]; return }
        let inner = shape[rank - 1], innerStride = sourceStrides[rank - 1]
        withUnsafeTemporaryAllocation(of: Int.self, capacity: rank) { index in
            for axis in 0..<rank { index[axis] = 0 }
            var offset = sourceOffset
            var written = 0
            while written < total {
                if innerStride == 1 {
                    (dst + written).update(from: src + offset, count: inner)
                } else {
                    for k in 0..<inner { dst[written + k] = src[offset + k * innerStride] }
                }
                written += inner
                var axis = rank - 2
                while axis >= 0 {
                    index[axis] += 1
                    offset += sourceStrides[axis]
                    if index[axis] < shape[axis] { break }
                    offset -= sourceStrides[axis] * shape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}

/// A kernel copying input 0 to output 0 unchanged (Identity, Reshape and friends).
func copyKernel(byteCount: Int) -> Kernel {
    { inputs, outputs in
        if let source = inputs[0], byteCount > 0 { outputs[0].copyMemory(from: source, byteCount: byteCount) }
    }
}
