import FleetJSON

/// A tensor as JSON carries it in commands, results and `infer` files (DESIGN section 10):
/// `{"shape": [1, 4], "data": [0.1, 0.2, 0.3, 0.4], "dtype": "float32"}`.
///
/// `shape` lists non-negative dimensions, `data` is the flat row-major list of elements whose length is the
/// product of `shape`, and `dtype` (default `float32`) says how they are stored.
public struct TensorPayload: Sendable, Equatable, JSONDecodable, JSONEncodable {
    /// The element types JSON tensors may use.
    public enum ElementType: String, Sendable, CaseIterable, JSONDecodable, JSONEncodable {
        case float32, int8, uint8, int32, int64

        public init(json: JSON, path: String) throws {
            let text = try String(json: json, path: path)
            guard let type = ElementType(rawValue: text) else {
                throw JSONError(path: path, message: "unknown dtype '\(text)': use \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self = type
        }

        public var json: JSON { .string(rawValue) }
    }

    /// The elements, typed by their `dtype`.
    public enum Elements: Sendable, Equatable {
        case float32([Float])
        case int8([Int8])
        case uint8([UInt8])
        case int32([Int32])
        case int64([Int64])

        public var elementType: ElementType {
            switch self {
            case .float32: .float32
            case .int8: .int8
            case .uint8: .uint8
            case .int32: .int32
            case .int64: .int64
            }
        }

        public var count: Int {
            switch self {
            case .float32(let values): values.count
            case .int8(let values): values.count
            case .uint8(let values): values.count
            case .int32(let values): values.count
            case .int64(let values): values.count
            }
        }

        var json: [JSON] {
            switch self {
            case .float32(let values): values.map { .double(Double($0)) }
            case .int8(let values): values.map { .int(Int64($0)) }
            case .uint8(let values): values.map { .int(Int64($0)) }
            case .int32(let values): values.map { .int(Int64($0)) }
            case .int64(let values): values.map { .int($0) }
            }
        }
    }

    public let shape: [Int]
    public let elements: Elements

    public var elementType: ElementType { elements.elementType }

    /// - Throws: `JSONError` when a dimension is negative or the element count is not the product of `shape`.
    public init(shape: [Int], elements: Elements) throws {
        let expected = try Self.elementCount(shape, path: "shape")
        guard elements.count == expected else {
            throw JSONError(path: "data", message: "has \(elements.count) elements; shape \(Self.describe(shape)) needs \(expected)")
        }
        self.shape = shape
        self.elements = elements
    }

    /// Reads `{"shape", "data", "dtype"?}`; unknown members, a negative or non-integer dimension, a count that does
    /// not match the shape, and values that do not fit the dtype are errors at their path.
    public init(json: JSON, path: String) throws {
        var reader = try JSONObjectReader(json, path: path)
        let shape: [JSON] = try reader.require("shape")
        let data: [JSON] = try reader.require("data")
        let type = try reader.optional("dtype", as: ElementType.self) ?? .float32
        try reader.finish()
        let shapePath = path.isEmpty ? "shape" : "\(path).shape"
        let dataPath = path.isEmpty ? "data" : "\(path).data"
        let dimensions = try shape.enumerated().map { index, value -> Int in
            guard let dimension = value.int64Value.flatMap({ Int(exactly: $0) }), dimension >= 0,
                  case .int = value else {
                throw JSONError(path: "\(shapePath)[\(index)]", message: "a dimension must be a non-negative integer, got \(value.serialized())")
            }
            return dimension
        }
        let expected = try Self.elementCount(dimensions, path: shapePath)
        guard data.count == expected else {
            throw JSONError(path: dataPath, message: "has \(data.count) elements; shape \(Self.describe(dimensions)) needs \(expected)")
        }
        self.shape = dimensions
        self.elements = try Self.elements(data, as: type, path: dataPath)
    }

    public var json: JSON {
        ["shape": .array(shape.map { .int(Int64($0)) }), "data": .array(elements.json), "dtype": elementType.json]
    }

    /// The product of the dimensions, which must not overflow.
    private static func elementCount(_ shape: [Int], path: String) throws -> Int {
        try shape.enumerated().reduce(1) { product, item in
            guard item.element >= 0 else {
                throw JSONError(path: "\(path)[\(item.offset)]", message: "a dimension must be a non-negative integer, got \(item.element)")
            }
            let (result, overflow) = product.multipliedReportingOverflow(by: item.element)
            guard !overflow else { throw JSONError(path: path, message: "\(describe(shape)) has too many elements") }
            return result
        }
    }

    private static func describe(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }

    private static func elements(_ data: [JSON], as type: ElementType, path: String) throws -> Elements {
        func integers<T: FixedWidthInteger>(_: T.Type) throws -> [T] {
            try data.enumerated().map { index, value in
                guard let integer = value.int64Value, let typed = T(exactly: integer) else {
                    throw JSONError(path: "\(path)[\(index)]", message: "\(value.serialized()) does not fit \(type.rawValue) (\(T.min)...\(T.max))")
                }
                return typed
            }
        }
        switch type {
        case .float32:
            return .float32(try data.enumerated().map { index, value in
                guard let number = value.doubleValue, Float(number).isFinite else {
                    throw JSONError(path: "\(path)[\(index)]", message: "\(value.serialized()) does not fit float32")
                }
                return Float(number)
            })
        case .int8: return .int8(try integers(Int8.self))
        case .uint8: return .uint8(try integers(UInt8.self))
        case .int32: return .int32(try integers(Int32.self))
        case .int64: return .int64(try integers(Int64.self))
        }
    }
}
