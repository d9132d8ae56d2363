/// The element type and concrete shape of a value in an execution plan.
struct ValueSpec: Hashable {
    var type: TensorElementType
    var shape: [Int]

    var count: Int { shape.reduce(1, *) }
    var byteCount: Int { count * type.byteWidth }
    var rank: Int { shape.count }
}

/// Runs one planned node over raw buffers. Inputs are nil where an optional input is absent; the
/// buffers have the element types and shapes fixed when the kernel was planned, outputs never alias inputs.
typealias Kernel = (_ inputs: [UnsafeRawPointer?], _ outputs: [UnsafeMutableRawPointer]) throws(OpError) -> Void

/// The output specifications and kernel an operator chose for one node and one set of input shapes.
struct PlannedNode {
    var outputs: [ValueSpec]
    var kernel: Kernel
}
