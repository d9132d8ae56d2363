/// Generic elementwise kernels shared by the arithmetic, comparison and activation operators.
enum ElementwiseKernels {
    /// `out = f(a, b)` with broadcasting.
    static func binary<A, B, R>(_ broadcast: Broadcast, _: A.Type, _: B.Type, _: R.Type, _ f: @escaping (A, B) -> R) -> Kernel {
        let sameShape = broadcast.strides.allSatisfy { $0 == contiguousStrides(broadcast.shape) }
        let count = broadcast.count
        return { inputs, outputs in
            let a = typed(inputs[0], A.self), b = typed(inputs[1], B.self)
            let out = typed(outputs[0], R.self)
            if sameShape {
                for i in 0..<count { out[i] = f(a[i], b[i]) }
                return
            }
            broadcast.forEachRun { o, offsets, n, strides in
                let (ia, ib, sa, sb) = (offsets[0], offsets[1], strides[0], strides[1])
                for k in 0..<n { out[o + k] = f(a[ia + k * sa], b[ib + k * sb]) }
            }
        }
    }

    /// `out = f(a)` over `count` elements.
    static func unary<A, R>(count: Int, _: A.Type, _: R.Type, _ f: @escaping (A) -> R) -> Kernel {
        { inputs, outputs in
            let a = typed(inputs[0], A.self)
            let out = typed(outputs[0], R.self)
            for i in 0..<count { out[i] = f(a[i]) }
        }
    }

    /// Folds any number of inputs with broadcasting: `out = f(...f(f(x0, x1), x2)...)`, then `finish`.
    static func variadic<T>(_ broadcast: Broadcast, _: T.Type, _ f: @escaping (T, T) -> T, finish: ((T) -> T)? = nil) -> Kernel {
        let inputs = broadcast.strides.count
        return { pointers, outputs in
            let out = typed(outputs[0], T.self)
            broadcast.forEachRun { o, offsets, n, strides in
                for k in 0..<n {
                    var value = typed(pointers[0], T.self)[offsets[0] + k * strides[0]]
                    for i in 1..<max(inputs, 1) {
                        value = f(value, typed(pointers[i], T.self)[offsets[i] + k * strides[i]])
                    }
                    out[o + k] = finish.map { $0(value) } ?? value
                }
            }
        }
    }
}
