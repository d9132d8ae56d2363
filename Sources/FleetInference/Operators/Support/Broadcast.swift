/// numpy-style broadcasting of several input shapes to one output shape, walked as runs along the
/// innermost axis so kernels loop over contiguous output elements.
struct Broadcast {
    let shape: [Int]
    let count: Int
    /// Per input, the element stride of each output axis (0 where the input is broadcast).
    let strides: [[Int]]

    init(_ shapes: [[Int]]) throws(OpError) {
        let rank = shapes.map(\.count).max() ?? 0
        var shape = [Int](repeating: 1, count: rank)
        for input in shapes {
            let offset = rank - input.count
            for (axis, size) in input.enumerated() {
                let current = shape[axis + offset]
                if current == size || size == 1 { continue }
                guard current == 1 else {
                    throw OpError("shapes \(shapes.map { "\($0)" }.joined(separator: " and ")) do not broadcast")
                }
                shape[axis + offset] = size
            }
        }
        self.shape = shape
        self.count = try ShapeLimits.count(shape)
        self.strides = shapes.map { input in
            let own = contiguousStrides(input)
            let offset = rank - input.count
            return (0..<rank).map { axis in
                axis < offset || input[axis - offset] == 1 ? 0 : own[axis - offset]
            }
        }
    }

    /// Calls `body(outputOffset, inputOffsets, runLength, innerStrides)` for each run along the last axis.
    /// `inputOffsets` and `innerStrides` have one entry per input.
    func forEachRun(_ body: (Int, UnsafeBufferPointer<Int>, Int, UnsafeBufferPointer<Int>) -> Void) {
        guard count > 0 else { return }
        let rank = shape.count
        let inputs = strides.count
        if rank == 0 {
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * max(inputs, 1)) { scratch in
                for i in 0..<inputs { scratch[i] = 0; scratch[inputs + i] = 0 }
                body(0, UnsafeBufferPointer(rebasing: scratch[0..<inputs]), 1, UnsafeBufferPointer(rebasing: scratch[inputs..<2 * inputs]))
            }
            return
        }
        let inner = shape[rank - 1]
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * inputs + rank) { scratch in
            let offsets = UnsafeMutableBufferPointer(rebasing: scratch[0..<inputs])
            let innerStrides = UnsafeMutableBufferPointer(rebasing: scratch[inputs..<2 * inputs])
            let index = UnsafeMutableBufferPointer(rebasing: scratch[2 * inputs..<2 * inputs + rank])
            for i in 0..<inputs { offsets[i] = 0; innerStrides[i] = strides[i][rank - 1] }
            for axis in 0..<rank { index[axis] = 0 }
            var output = 0
            while output < count {
                body(output, UnsafeBufferPointer(offsets), inner, UnsafeBufferPointer(innerStrides))
                output += inner
                // Advance the odometer over the outer axes.
                var axis = rank - 2
                while axis >= 0 {
                    index[axis] += 1
                    for i in 0..<inputs { offsets[i] += strides[i][axis] }
                    if index[axis] < shape[axis] { break }
                    for i in 0..<inputs { offsets[i] -= strides[i][axis] * shape[axis] }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}
