/// Unaligned vector loads and stores over typed pointers.
extension UnsafePointer {
    @inline(__always)
    func vector<V: SIMD>(_: V.Type = V.self, at offset: Int = 0) -> V where V.Scalar == Pointee {
        UnsafeRawPointer(self + offset).loadUnaligned(as: V.self)
    }
}

extension UnsafeMutablePointer {
    @inline(__always)
    func vector<V: SIMD>(_: V.Type = V.self, at offset: Int = 0) -> V where V.Scalar == Pointee {
        UnsafeRawPointer(self + offset).loadUnaligned(as: V.self)
    }

    @inline(__always)
    func store<V: SIMD>(_ value: V, at offset: Int = 0) where V.Scalar == Pointee {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: value, as: V.self)
    }
}
