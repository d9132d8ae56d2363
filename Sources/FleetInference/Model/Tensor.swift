/// A dense, row-major tensor value: the inputs and outputs of an inference.
///
/// Two tensors are equal when type, shape and the bytes of their elements are equal (so a NaN equals
/// the same NaN).
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
    /// The element type.
    public let elementType: TensorElementType
    /// The dimensions; `[]` is a scalar.
    public let shape: [Int]
    /// The elements in row-major order, `byteWidth` little-endian bytes each (bool as 0 or 1).
    var bytes: [UInt8]

    /// The number of elements (the product of the dimensions).
    public var count: Int { shape.reduce(1, *) }

    /// A tensor of the given shape over `values` in row-major order.
    ///
    /// - Throws: `InferenceError.invalidTensor` when a dimension is negative or the number of values
    ///   is not the product of the dimensions.
    public init<T: TensorScalar>(shape: [Int], values: [T]) throws(InferenceError) {
        let count = try Tensor.elementCount(shape)
        guard count == values.count else {
            throw InferenceError(.invalidTensor("shape \(shape) holds \(count) values, \(values.count) given"))
        }
        self.elementType = T.tensorElementType
        self.shape = shape
        // Bool is stored as one byte holding 0 or 1, the layout of the bool element type.
        self.bytes = values.withUnsafeBytes { Array($0) }
    }

    /// A tensor of `elementType` from values given as doubles (for JSON).
    ///
    /// - Throws: `InferenceError.invalidTensor` when the counts disagree or a value does not fit the
    ///   element type exactly (a fraction or an out-of-range number for an integer type).
    public init(elementType: TensorElementType, shape: [Int], doubles: [Double]) throws(InferenceError) {
        let count = try Tensor.elementCount(shape)
        guard count == doubles.count else {
            throw InferenceError(.invalidTensor("shape \(shape) holds \(count) values, \(doubles.count) given"))
        }
        func exact<T: BinaryInteger>(_: T.Type) throws(InferenceError) -> [T] {
            var out = [T]()
            out.reserveCapacity(doubles.count)
            for value in doubles {
                guard let converted = T(exactly: value) else {
                    throw InferenceError(.invalidTensor("\(value) is not a valid \(elementType.rawValue) value"))
                }
                out.append(converted)
            }
            return out
        }
        switch elementType {
        case .float32: try self.init(shape: shape, values: doubles.map { Float($0) })
        case .float64: try self.init(shape: shape, values: doubles)
        case .int8: try self.init(shape: shape, values: try exact(Int8.self))
        case .uint8: try self.init(shape: shape, values: try exact(UInt8.self))
        case .int16: try self.init(shape: shape, values: try exact(Int16.self))
        case .uint16: try self.init(shape: shape, values: try exact(UInt16.self))
        case .int32: try self.init(shape: shape, values: try exact(Int32.self))
        case .uint32: try self.init(shape: shape, values: try exact(UInt32.self))
        case .int64: try self.init(shape: shape, values: try exact(Int64.self))
        case .uint64: try self.init(shape: shape, values: try exact(UInt64.self))
        case .bool:
            var values = [Bool]()
            for value in doubles {
                guard value == 0 || value == 1 else {
                    throw InferenceError(.invalidTensor("\(value) is not a valid bool value (0 or 1)"))
                }
                values.append(value == 1)
            }
            try self.init(shape: shape, values: values)
        }
    }

    /// A tensor over raw element bytes; the caller guarantees the sizes agree.
    init(elementType: TensorElementType, shape: [Int], bytes: [UInt8]) {
        self.elementType = elementType
        self.shape = shape
        self.bytes = bytes
    }

    /// The elements as an array of `T`, nil when `T` is not the Swift type of `elementType`.
    public func values<T: TensorScalar>(as type: T.Type = T.self) -> [T]? {
        guard T.tensorElementType == elementType else { return nil }
        if T.self == Bool.self { return bytes.map { $0 != 0 } as? [T] }
        return bytes.withUnsafeBytes { raw in
            Array(raw.bindMemory(to: T.self))
        }
    }

    /// The elements converted to doubles (exact for every type but the 64-bit integers beyond 2^53).
    public var doubles: [Double] {
        switch elementType {
        case .float32: converted(Float.self) { Double($0) }
        case .float64: converted(Double.self) { $0 }
        case .int8: converted(Int8.self) { Double($0) }
        case .uint8: converted(UInt8.self) { Double($0) }
        case .int16: converted(Int16.self) { Double($0) }
        case .uint16: converted(UInt16.self) { Double($0) }
        case .int32: converted(Int32.self) { Double($0) }
        case .uint32: converted(UInt32.self) { Double($0) }
        case .int64: converted(Int64.self) { Double($0) }
        case .uint64: converted(UInt64.self) { Double($0) }
        case .bool: bytes.map { $0 != 0 ? 1 : 0 }
        }
    }

    private func converted<T>(_: T.Type, _ transform: (T) -> Double) -> [Double] {
        bytes.withUnsafeBytes { raw in raw.bindMemory(to: T.self).map(transform) }
    }

    public var description: String {
        let values = doubles
        let shown = values.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor<\(elementType.rawValue)>\(shape) [\(shown)\(values.count > 8 ? ", ..." : "")]"
    }

    static func elementCount(_ shape: [Int]) throws(InferenceError) -> Int {
        do { return try ShapeLimits.count(shape) } catch { throw InferenceError(.invalidTensor(error.message)) }
    }
}
