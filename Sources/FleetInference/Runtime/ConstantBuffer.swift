/// A tensor value pinned in memory for kernels to read: initializers and values folded at plan time.
///
/// `@unchecked Sendable`: the buffer is written once in `init` and only read afterwards.
final class ConstantBuffer: @unchecked Sendable {
    let spec: ValueSpec
    let pointer: UnsafeMutableRawPointer

    init(_ tensor: Tensor) {
        spec = ValueSpec(type: tensor.elementType, shape: tensor.shape)
        pointer = .allocate(byteCount: max(tensor.bytes.count, 1), alignment: 64)
        tensor.bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress { pointer.copyMemory(from: base, byteCount: raw.count) }
        }
    }

    /// A copy of the value as a tensor.
    var tensor: Tensor {
        let bytes = [UInt8](UnsafeRawBufferPointer(start: pointer, count: spec.byteCount))
        return Tensor(elementType: spec.type, shape: spec.shape, bytes: bytes)
    }

    deinit { pointer.deallocate() }
}
