#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An element type arithmetic operators compute with. Integer arithmetic wraps like numpy's, and
/// integer division by zero gives 0 instead of trapping.
protocol NumericElement: TensorScalar, Comparable {
    static var zero: Self { get }
    static var one: Self { get }
    static var lowest: Self { get }
    static var highest: Self { get }
    init(double: Double)
    var double: Double { get }
    static func add(_ a: Self, _ b: Self) -> Self
    static func subtract(_ a: Self, _ b: Self) -> Self
    static func multiply(_ a: Self, _ b: Self) -> Self
    static func divide(_ a: Self, _ b: Self) -> Self
    static func modulo(_ a: Self, _ b: Self, fmod: Bool) -> Self
    static func power(_ a: Self, _ b: Self) -> Self
    static func negate(_ a: Self) -> Self
    static func absolute(_ a: Self) -> Self
    var isNaNValue: Bool { get }
}

extension NumericElement where Self: FixedWidthInteger {
    static var zero: Self { 0 }
    static var one: Self { 1 }
    static var lowest: Self { .min }
    static var highest: Self { .max }
    /// Truncates toward zero and saturates (NaN gives 0).
    init(double: Double) {
        if double.isNaN { self = 0 } else if double <= Double(Self.min) { self = .min }
        else if double >= Double(Self.max) { self = .max } else { self = Self(double) }
    }
    var double: Double { Double(self) }
    static func add(_ a: Self, _ b: Self) -> Self { a &+ b }
    static func subtract(_ a: Self, _ b: Self) -> Self { a &- b }
    static func multiply(_ a: Self, _ b: Self) -> Self { a &* b }
    static func divide(_ a: Self, _ b: Self) -> Self {
        guard b != 0 else { return 0 }
        let (q, overflow) = a.dividedReportingOverflow(by: b)
        return overflow ? a : q
    }
    static func modulo(_ a: Self, _ b: Self, fmod: Bool) -> Self {
        guard b != 0 else { return 0 }
        let (r, overflow) = a.remainderReportingOverflow(dividingBy: b)
        if overflow { return 0 }
        if fmod || r == 0 { return r }
        // Python's sign rule: the result takes the divisor's sign.
        return (r < 0) != (b < 0) ? r &+ b : r
    }
    static func power(_ a: Self, _ b: Self) -> Self { Self(double: realPow(Double(a), Double(b))) }
    static func negate(_ a: Self) -> Self { 0 &- a }
    static func absolute(_ a: Self) -> Self { a < 0 ? 0 &- a : a }
    var isNaNValue: Bool { false }
}

extension NumericElement where Self: BinaryFloatingPoint {
    static var zero: Self { 0 }
    static var one: Self { 1 }
    static var lowest: Self { -.infinity }
    static var highest: Self { .infinity }
    init(double: Double) { self = Self(double) }
    static func add(_ a: Self, _ b: Self) -> Self { a + b }
    static func subtract(_ a: Self, _ b: Self) -> Self { a - b }
    static func multiply(_ a: Self, _ b: Self) -> Self { a * b }
    static func divide(_ a: Self, _ b: Self) -> Self { a / b }
    static func modulo(_ a: Self, _ b: Self, fmod: Bool) -> Self {
        let r = Self(double: realFmod(Double(a), Double(b)))
        if fmod || r == 0 || r.isNaN { return r }
        return (r < 0) != (b < 0) ? r + b : r
    }
    static func negate(_ a: Self) -> Self { -a }
    static func absolute(_ a: Self) -> Self { Swift.abs(a) }
    var isNaNValue: Bool { isNaN }
}

extension Float: NumericElement {
    var double: Double { Double(self) }
    static func power(_ a: Float, _ b: Float) -> Float { powf(a, b) }
}
extension Double: NumericElement {
    var double: Double { self }
    static func power(_ a: Double, _ b: Double) -> Double { pow(a, b) }
}
extension Int8: NumericElement {}
extension UInt8: NumericElement {}
extension Int16: NumericElement {}
extension UInt16: NumericElement {}
extension Int32: NumericElement {}
extension UInt32: NumericElement {}
extension Int64: NumericElement {}
extension UInt64: NumericElement {}

@inline(__always) func realPow(_ a: Double, _ b: Double) -> Double { pow(a, b) }
@inline(__always) func realFmod(_ a: Double, _ b: Double) -> Double { fmod(a, b) }

/// A computation generic over the numeric element type, chosen at plan time.
protocol NumericVisitor {
    associatedtype Output
    func visit<T: NumericElement>(_ type: T.Type) throws(OpError) -> Output
}

extension TensorElementType {
    /// Calls `visitor` with the Swift type of this element type; bool is not numeric.
    func dispatch<V: NumericVisitor>(_ visitor: V) throws(OpError) -> V.Output {
        switch self {
        case .float32: try visitor.visit(Float.self)
        case .float64: try visitor.visit(Double.self)
        case .int8: try visitor.visit(Int8.self)
        case .uint8: try visitor.visit(UInt8.self)
        case .int16: try visitor.visit(Int16.self)
        case .uint16: try visitor.visit(UInt16.self)
        case .int32: try visitor.visit(Int32.self)
        case .uint32: try visitor.visit(UInt32.self)
        case .int64: try visitor.visit(Int64.self)
        case .uint64: try visitor.visit(UInt64.self)
        case .bool: throw OpError.unsupported("bool tensors are not supported by this operator")
        }
    }
}

/// Reads scalars of a known type from a raw buffer. Every buffer is 64-byte aligned and holds
/// elements of the planned type; operators read an optional input only after checking it is present
/// (an absent one maps to a shared empty buffer, never dereferenced).
@inline(__always) func typed<T>(_ pointer: UnsafeRawPointer?, _: T.Type) -> UnsafePointer<T> {
    (pointer ?? UnsafeRawPointer(absentInput)).assumingMemoryBound(to: T.self)
}

/// Zeroed bytes standing in for an omitted optional input; never written after initialisation, so
/// sharing it between threads is safe.
nonisolated(unsafe) let absentInput: UnsafeMutableRawPointer = {
    let pointer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
    pointer.initializeMemory(as: UInt8.self, repeating: 0, count: 64)
    return pointer
}()

@inline(__always) func typed<T>(_ pointer: UnsafeMutableRawPointer, _: T.Type) -> UnsafeMutablePointer<T> {
    pointer.assumingMemoryBound(to: T.self)
}

/// Row-major strides of a shape, in elements.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var running = 1
    for axis in shape.indices.reversed() {
        strides[axis] = running
        running *= shape[axis]
    }
    return strides
}
