import SwiftProtobuf

extension Tensor {
    /// Decodes an initializer or a tensor attribute.
    ///
    /// - Throws: `ModelError` when the type is unsupported, the data is stored externally, or the
    ///   number of values does not match the dimensions.
    init(proto: Onnx_TensorProto, context: @autoclosure () -> String) throws(ModelError) {
        let what = context()
        guard let type = TensorElementType(onnxCode: proto.dataType) else {
            throw ModelError(.unsupportedType("\(what) has element type \(TensorElementType.onnxName(proto.dataType))"))
        }
        if proto.dataLocation == .external || !proto.externalData.isEmpty {
            throw ModelError(.unsupportedType("\(what) keeps its data in an external file; save the model with all tensors inside it"))
        }
        if proto.hasSegment {
            throw ModelError(.unsupportedType("\(what) is a segment of a larger tensor"))
        }
        var shape = [Int]()
        for dim in proto.dims {
            guard dim >= 0, dim <= Int64(Int32.max) else {
                throw ModelError.invalid("\(what) has dimension \(dim)")
            }
            shape.append(Int(dim))
        }
        let count: Int
        do { count = try Tensor.elementCount(shape) } catch { throw ModelError.invalid("\(what) has shape \(shape), too large") }
        let width = type.byteWidth

        if proto.hasRawData {
            let raw = proto.rawData
            guard raw.count == count * width else {
                throw ModelError.invalid("\(what) has shape \(shape) (\(count) values) but \(raw.count) bytes of raw data, \(count * width) expected")
            }
            var bytes = [UInt8](raw)
            if type == .bool { for i in bytes.indices { bytes[i] = bytes[i] != 0 ? 1 : 0 } }
            self.init(elementType: type, shape: shape, bytes: bytes)
            return
        }

        func check(_ given: Int) throws(ModelError) {
            guard given == count else {
                throw ModelError.invalid("\(what) has shape \(shape) (\(count) values) but holds \(given) values")
            }
        }
        func make<T: TensorScalar>(_ values: [T]) -> Tensor {
            // The counts were checked, so this cannot fail.
            (try? Tensor(shape: shape, values: values)) ?? Tensor(elementType: type, shape: shape, bytes: [])
        }
        switch type {
        case .float32:
            try check(proto.floatData.count); self = make(proto.floatData)
        case .float64:
            try check(proto.doubleData.count); self = make(proto.doubleData)
        case .int64:
            try check(proto.int64Data.count); self = make(proto.int64Data)
        case .uint32, .uint64:
            try check(proto.uint64Data.count)
            self = type == .uint64 ? make(proto.uint64Data) : make(proto.uint64Data.map { UInt32(truncatingIfNeeded: $0) })
        case .int32:
            try check(proto.int32Data.count); self = make(proto.int32Data)
        case .int8:
            try check(proto.int32Data.count); self = make(proto.int32Data.map { Int8(truncatingIfNeeded: $0) })
        case .uint8:
            try check(proto.int32Data.count); self = make(proto.int32Data.map { UInt8(truncatingIfNeeded: $0) })
        case .int16:
            try check(proto.int32Data.count); self = make(proto.int32Data.map { Int16(truncatingIfNeeded: $0) })
        case .uint16:
            try check(proto.int32Data.count); self = make(proto.int32Data.map { UInt16(truncatingIfNeeded: $0) })
        case .bool:
            try check(proto.int32Data.count); self = make(proto.int32Data.map { $0 != 0 })
        }
    }

    /// The message form of this tensor (raw data), for tests and tools.
    var proto: Onnx_TensorProto {
        var proto = Onnx_TensorProto()
        proto.dataType = elementType.onnxCode
        proto.dims = shape.map { Int64($0) }
        proto.rawData = .init(bytes)
        return proto
    }
}

extension Tensor {
    /// Decodes a serialized `TensorProto` (the format of ONNX test data files) with its name.
    static func decode(serializedProto bytes: [UInt8]) throws(ModelError) -> (name: String, tensor: Tensor) {
        let proto: Onnx_TensorProto
        do { proto = try Onnx_TensorProto(serializedBytes: bytes) } catch { throw ModelError(.malformed("tensor: \(error)")) }
        return (proto.name, try Tensor(proto: proto, context: "tensor '\(proto.name)'"))
    }
}
